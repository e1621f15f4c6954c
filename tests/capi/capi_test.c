/* The C ABI (include/veritee/veritee.h) used from C, compiled as C17: every corpus report that
 * verifies with its signer and chain verifies through the ABI (also from several threads at
 * once), a changed byte fails a check, malformed input and a missing signer give the statuses
 * the CLI gives as exit codes, and the version query answers.
 * Usage: capi_test [CORPUS_DIR]  (default $VERITEE_CORPUS, then the build's corpus path). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veritee/veritee.h"

#define MAX_ROWS 256
#define MAX_LINE 4096

typedef struct {
  unsigned char* data;
  size_t len;
} buffer;

typedef struct {
  char report[MAX_LINE];
  char product[64];
  char signer[MAX_LINE];
  char chain[MAX_LINE];
  char at[64];
} row;

static int failures = 0;
static const char* corpus = NULL;
static row rows[MAX_ROWS];
static size_t row_count = 0;

#define EXPECT(cond, ...)                                \
  do {                                                   \
    if (!(cond)) {                                       \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                      \
      fputc('\n', stderr);                               \
      ++failures;                                        \
    }                                                    \
  } while (0)

static buffer read_corpus_file(const char* rel) {
  buffer b = {NULL, 0};
  char path[2 * MAX_LINE];
  snprintf(path, sizeof path, "%s/%s", corpus, rel);
  FILE* f = fopen(path, "rb");
  if (!f) return b;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
      b.data = malloc((size_t)size + 1);
      if (b.data) b.len = fread(b.data, 1, (size_t)size, f);
    }
  }
  fclose(f);
  return b;
}

/* MANIFEST.tsv: report encoding version product key signer chain at oracle; the rows with a
 * signer, a chain and the oracle PASS. */
static void load_manifest(void) {
  char path[MAX_LINE];
  snprintf(path, sizeof path, "%s/MANIFEST.tsv", corpus);
  FILE* f = fopen(path, "r");
  if (!f) return;
  char line[4 * MAX_LINE];
  while (row_count < MAX_ROWS && fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    line[strcspn(line, "\r\n")] = '\0';
    char* fields[9] = {0};
    size_t n = 0;
    for (char* p = line; n < 9 && p; ++n) {
      fields[n] = p;
      p = strchr(p, '\t');
      if (p) *p++ = '\0';
    }
    if (n < 9 || strcmp(fields[8], "PASS") != 0 || strcmp(fields[5], "-") == 0 ||
        strcmp(fields[6], "-") == 0) {
      continue;
    }
    row* r = &rows[row_count++];
    snprintf(r->report, sizeof r->report, "%s", fields[0]);
    snprintf(r->product, sizeof r->product, "%s", fields[3]);
    snprintf(r->signer, sizeof r->signer, "%s", fields[5]);
    snprintf(r->chain, sizeof r->chain, "%s", fields[6]);
    snprintf(r->at, sizeof r->at, "%s", fields[7]);
  }
  fclose(f);
}

/* Verifies one row (evidence possibly replaced); returns the status, or -1 when a file is
 * unreadable. */
static int verify_row(const row* r, const buffer* replacement, char* error, size_t error_len) {
  buffer ev = replacement ? *replacement : read_corpus_file(r->report);
  buffer signer = read_corpus_file(r->signer);
  buffer chain = read_corpus_file(r->chain);
  int status = -1;
  if (ev.data && signer.data && chain.data) {
    veritee_options* o = veritee_options_new();
    if (strcmp(r->at, "-") != 0 && veritee_options_set_time(o, r->at) != VERITEE_OK) {
      snprintf(error, error_len, "time %s: %s", r->at, veritee_options_error(o));
    }
    if (strcmp(r->product, "-") != 0 && veritee_options_set_product(o, r->product) != VERITEE_OK) {
      snprintf(error, error_len, "product %s: %s", r->product, veritee_options_error(o));
    }
    veritee_result* result = NULL;
    status = (int)veritee_verify(ev.data, ev.len, signer.data, signer.len, chain.data, chain.len,
                                 o, &result);
    if (status != VERITEE_OK) {
      snprintf(error, error_len, "%s %s", veritee_result_error(result),
               veritee_result_checks_json(result));
    } else if (!strstr(veritee_result_report_json(result), "\"measurement\"") ||
               veritee_result_checks_json(result)[0] != '[' ||
               !strstr(veritee_result_json(result), "\"verified\":true") ||
               veritee_result_verified(result) != 1) {
      snprintf(error, error_len, "result JSON incomplete: %s", veritee_result_json(result));
      status = -2;
    }
    veritee_result_free(result);
    veritee_options_free(o);
  }
  if (!replacement) free(ev.data);
  free(signer.data);
  free(chain.data);
  return status;
}

static void* verify_all(void* arg) {
  int* bad = arg;
  for (size_t i = 0; i < row_count; ++i) {
    char error[8192] = "";
    if (verify_row(&rows[i], NULL, error, sizeof error) != VERITEE_OK) ++*bad;
  }
  return NULL;
}

int main(int argc, char** argv) {
  corpus = argc > 1 ? argv[1] : getenv("VERITEE_CORPUS");
  if (!corpus) corpus = VERITEE_CORPUS_DIR;

  /* The version query and the status names. */
  EXPECT(strcmp(veritee_version(), VERITEE_EXPECTED_VERSION) == 0, "version %s",
         veritee_version());
  EXPECT(veritee_abi_version() == VERITEE_EXPECTED_ABI, "abi %d", veritee_abi_version());
  EXPECT(strcmp(veritee_status_string(VERITEE_OK), "ok") == 0, "status string");

  /* Malformed input: status 2 and the library's message; NULL evidence too. */
  static const unsigned char junk[] = "this is not an attestation report";
  veritee_result* result = NULL;
  EXPECT(veritee_verify(junk, sizeof junk - 1, NULL, 0, NULL, 0, NULL, &result) ==
             VERITEE_MALFORMED_INPUT, "junk status");
  EXPECT(result && veritee_result_error(result)[0] != '\0', "junk has a message");
  EXPECT(strcmp(veritee_result_report_json(result), "null") == 0, "junk has no report");
  EXPECT(strcmp(veritee_result_checks_json(result), "[]") == 0, "junk has no checks");
  veritee_result_free(result);
  EXPECT(veritee_verify(NULL, 0, NULL, 0, NULL, 0, NULL, NULL) == VERITEE_MALFORMED_INPUT,
         "NULL evidence");
  veritee_options* o = veritee_options_new();
  EXPECT(veritee_options_set_time(o, "yesterday") == VERITEE_MALFORMED_INPUT, "bad time");
  EXPECT(veritee_options_error(o)[0] != '\0', "bad time has a message");
  EXPECT(veritee_options_set_product(o, "pentium") == VERITEE_MALFORMED_INPUT, "bad product");
  EXPECT(veritee_options_set_crl(o, junk, sizeof junk - 1) == VERITEE_ENDORSEMENT_PROBLEM,
         "bad CRL");
  veritee_options_free(o);
  veritee_options_free(NULL);
  veritee_result_free(NULL);

  load_manifest();
  if (row_count == 0) {
    printf("SKIP corpus checks: no MANIFEST.tsv rows with signer and chain under %s\n", corpus);
    return failures ? 1 : 0;
  }
  /* Every row with a signer and a chain verifies. */
  for (size_t i = 0; i < row_count; ++i) {
    char error[8192] = "";
    const int status = verify_row(&rows[i], NULL, error, sizeof error);
    EXPECT(status == VERITEE_OK, "%s: status %d: %s", rows[i].report, status, error);
  }
  /* The same from four threads at once. */
  pthread_t threads[4];
  int bad[4] = {0, 0, 0, 0};
  for (int t = 0; t < 4; ++t) pthread_create(&threads[t], NULL, verify_all, &bad[t]);
  for (int t = 0; t < 4; ++t) {
    pthread_join(threads[t], NULL);
    EXPECT(bad[t] == 0, "thread %d: %d rows did not verify", t, bad[t]);
  }
  /* A raw binary report with one MEASUREMENT byte (offset 0x90, ABI Table 22) changed fails
   * the signature check (status 1); without the signer the endorsement is missing (3). */
  for (size_t i = 0; i < row_count; ++i) {
    buffer ev = read_corpus_file(rows[i].report);
    if (ev.len != 0x4A0) {
      free(ev.data);
      continue;
    }
    char error[8192] = "";
    ev.data[0x90] ^= 1;
    EXPECT(verify_row(&rows[i], &ev, error, sizeof error) == VERITEE_EVIDENCE_FAILED,
           "%s with a changed byte", rows[i].report);
    ev.data[0x90] ^= 1;
    result = NULL;
    EXPECT(veritee_verify(ev.data, ev.len, NULL, 0, NULL, 0, NULL, &result) ==
               VERITEE_ENDORSEMENT_PROBLEM, "%s without a signer", rows[i].report);
    EXPECT(strstr(veritee_result_checks_json(result), "\"fail\"") != NULL,
           "a failed check names the missing signer");
    veritee_result_free(result);
    free(ev.data);
    break;
  }
  printf("%zu corpus reports verified through the C ABI; %d failures\n", row_count, failures);
  return failures ? 1 : 0;
}
