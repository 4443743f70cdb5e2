// Preloaded into the server by dev/memory/stalled-subscribers.py: on SIGUSR1 appends glibc's heap
// figures (mallinfo2: arena = bytes taken from the system, uordblks = bytes in use, fordblks =
// free bytes kept) to $MALLOC_STATS_FILE; on SIGUSR2 also calls malloc_trim(0). Telling memory in
// use from memory the allocator keeps shows whether RSS that stays up is a leak.
// (mallinfo2 in a signal handler is not async-signal-safe; good enough for this experiment.)
#define _GNU_SOURCE
#include <stdlib.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
static void report(int sig) {
  struct mallinfo2 m = mallinfo2();
  char line[256];
  int n = snprintf(line, sizeof line, "MALLINFO arena=%zu hblkhd=%zu uordblks=%zu fordblks=%zu keepcost=%zu\n", m.arena, m.hblkhd, m.uordblks, m.fordblks, m.keepcost);
  const char *path = getenv("MALLOC_STATS_FILE");
  int fd = open(path ? path : "/dev/stderr", O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    (void)!write(fd, line, n);
    close(fd);
  }
  if (sig == SIGUSR2) { malloc_trim(0); }
}
__attribute__((constructor)) static void init(void) { signal(SIGUSR1, report); signal(SIGUSR2, report); }
