// Preloaded after ordo-one's malloc-interposer (libMallocInterposerSwift.so) into a server under
// bench/run: turns counting on at load and, on each SIGUSR1, appends the interposer's counters to
// $MALLOC_REPORT_FILE as "mallocs bytes frees freed-bytes". The difference of two reports around a load of N
// requests is the server's allocations per request, without changing the server's code.
//
// The handler only reads atomics and calls open/write/close, which are async-signal-safe.
// (Blocking the signal for a sigwait thread does not work: the Swift runtime resets the main
// thread's mask.)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void (*enable_fn)(void);
typedef void (*stats_fn)(int64_t *, int64_t *, int64_t *, int64_t *, int64_t *, int64_t *);

static stats_fn stats;
static char path[4096] = "/dev/stderr";

static size_t put_number(char *out, int64_t value) {
  char digits[24];
  size_t n = 0;
  uint64_t v = value < 0 ? 0 : (uint64_t)value;
  do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  for (size_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  return n;
}

static void report(int signal) {
  (void)signal;
  int64_t count = 0, bytes = 0, small = 0, large = 0, frees = 0, freed = 0;
  stats(&count, &bytes, &small, &large, &frees, &freed);
  char line[96];
  size_t n = put_number(line, count);
  line[n++] = ' ';
  n += put_number(line + n, bytes);
  line[n++] = ' ';
  n += put_number(line + n, frees);
  line[n++] = ' ';
  n += put_number(line + n, freed);
  line[n++] = '\n';
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  ssize_t written = write(fd, line, n);
  (void)written;
  close(fd);
}

__attribute__((constructor)) static void start_reporter(void) {
  enable_fn enable = (enable_fn)dlsym(RTLD_DEFAULT, "malloc_interposer_enable");
  stats = (stats_fn)dlsym(RTLD_DEFAULT, "malloc_interposer_get_stats");
  if (!enable || !stats) {
    fprintf(stderr, "malloc-report: libMallocInterposerSwift.so is not preloaded\n");
    return;
  }
  const char *configured = getenv("MALLOC_REPORT_FILE");
  if (configured) { strncpy(path, configured, sizeof(path) - 1); }
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = report;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGUSR1, &action, NULL);
  enable();
}
