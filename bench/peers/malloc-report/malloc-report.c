// Preloaded after ordo-one's malloc-interposer (libMallocInterposerSwift.so) into a server under
// bench/run: turns counting on at load and, on each SIGUSR1, appends the interposer's counters to
// $MALLOC_REPORT_FILE as "mallocs bytes frees freed-bytes". The difference of two reports around a load of N
// requests is the server's allocations per request, without changing the server's code.
//
// Between two reports it also counts allocations of 1 KiB and more by exact size (through the
// interposer's allocation hook) and, at the second, writes "size count" lines to
// $MALLOC_REPORT_FILE.sizes: which buffers make up a request's or a connection's bytes.
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
typedef void (*hook_fn)(size_t);
typedef void (*set_hook_fn)(hook_fn);

static stats_fn stats;
static char path[4096] = "/dev/stderr";
static char sizes_path[4200] = "/dev/stderr";

#define BUCKETS 4096
static size_t bucket_size[BUCKETS];
static long bucket_count[BUCKETS];
static volatile int window_open = 0;

// Open addressing on the exact size; a lost race only miscounts one allocation.
static void count_size(size_t size) {
  if (!window_open || size < 1024) return;
  size_t start = (size * 2654435761u) % BUCKETS;
  for (size_t i = 0; i < 64; i++) {
    size_t slot = (start + i) % BUCKETS;
    size_t seen = __atomic_load_n(&bucket_size[slot], __ATOMIC_RELAXED);
    if (seen == 0) {
      size_t expected = 0;
      if (!__atomic_compare_exchange_n(&bucket_size[slot], &expected, size, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        seen = expected;
      } else {
        seen = size;
      }
    }
    if (seen == size) {
      __atomic_fetch_add(&bucket_count[slot], 1, __ATOMIC_RELAXED);
      return;
    }
  }
}

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

  if (!window_open) {
    for (size_t i = 0; i < BUCKETS; i++) { bucket_size[i] = 0; bucket_count[i] = 0; }
    window_open = 1;
    return;
  }
  window_open = 0;
  fd = open(sizes_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  for (size_t i = 0; i < BUCKETS; i++) {
    if (bucket_count[i] == 0) continue;
    n = put_number(line, (int64_t)bucket_size[i]);
    line[n++] = ' ';
    n += put_number(line + n, bucket_count[i]);
    line[n++] = '\n';
    written = write(fd, line, n);
  }
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
  if (configured) {
    strncpy(path, configured, sizeof(path) - 1);
    snprintf(sizes_path, sizeof(sizes_path), "%s.sizes", path);
  }
  set_hook_fn set_hook = (set_hook_fn)dlsym(RTLD_DEFAULT, "malloc_interposer_set_allocation_hook");
  if (set_hook) set_hook(count_size);
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = report;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGUSR1, &action, NULL);
  enable();
}
