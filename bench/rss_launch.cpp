// veritee_rss CMD [ARGS...]: runs CMD (stdin, stdout and stderr passed through), then prints
// one line "veritee_rss: maxrss_kib=N exit=N wall_us=N" on stderr. The peak RSS is the
// child's wait4 ru_maxrss; this launcher is kept small (no iostreams, nothing allocated before
// fork) because Linux counts the pages a child inherits at fork in its maximum.
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: veritee_rss CMD [ARGS...]\n", stderr);
    return 2;
  }
  timespec t0{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("veritee_rss: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    std::perror("veritee_rss: exec");
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) < 0) {
    std::perror("veritee_rss: wait4");
    return 2;
  }
  timespec t1{};
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const long wall_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::fprintf(stderr, "veritee_rss: maxrss_kib=%ld exit=%d wall_us=%ld\n", usage.ru_maxrss, code,
               wall_us);
  return code;
}
