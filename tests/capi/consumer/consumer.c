/* consumer_c REPORT SIGNER CHAIN AT PRODUCT: a C program built with
 * `pkg-config --cflags --libs veritee` against an installed veritee; exits with the status of
 * veritee_verify, which is the CLI's exit code. AT and PRODUCT may be "-". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <veritee/veritee.h>

static unsigned char* slurp(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  unsigned char* data = NULL;
  *len = 0;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)size + 1)) != NULL) {
      *len = fread(data, 1, (size_t)size, f);
    }
  }
  fclose(f);
  return data;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: consumer_c REPORT SIGNER CHAIN AT PRODUCT\n");
    return 2;
  }
  size_t ev_len, signer_len, chain_len;
  unsigned char* ev = slurp(argv[1], &ev_len);
  unsigned char* signer = slurp(argv[2], &signer_len);
  unsigned char* chain = slurp(argv[3], &chain_len);
  veritee_options* o = veritee_options_new();
  if (strcmp(argv[4], "-") != 0) veritee_options_set_time(o, argv[4]);
  if (strcmp(argv[5], "-") != 0) veritee_options_set_product(o, argv[5]);
  veritee_result* r = NULL;
  veritee_status st = veritee_verify(ev, ev_len, signer, signer_len, chain, chain_len, o, &r);
  printf("C ABI %s: %s %s\n", veritee_version(), veritee_status_string(st),
         veritee_result_error(r));
  veritee_result_free(r);
  veritee_options_free(o);
  free(ev);
  free(signer);
  free(chain);
  return (int)st;
}
