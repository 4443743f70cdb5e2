// Preloaded into the server by test_faults.py: while the file named by $GONGJIAN_READONLY_FLAG
// exists, every write to a file under $GONGJIAN_READONLY_DIR fails with EROFS, as when the file
// system under a running server turns read-only. (A real `mount -o remount,ro` is refused while
// the server holds files open for writing.)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int read_only(int fd) {
  const char *flag = getenv("GONGJIAN_READONLY_FLAG");
  const char *dir = getenv("GONGJIAN_READONLY_DIR");
  if (!flag || !dir || access(flag, F_OK) != 0) return 0;
  char link[64], target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return 0;
  target[n] = 0;
  return strncmp(target, dir, strlen(dir)) == 0;
}

#define REFUSE(fd)        \
  if (read_only(fd)) {    \
    errno = EROFS;        \
    return -1;            \
  }

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
  static ssize_t (*real)(int, const void *, size_t, off_t);
  if (!real) real = dlsym(RTLD_NEXT, "pwrite64");
  REFUSE(fd);
  return real(fd, buf, count, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
  static ssize_t (*real)(int, const void *, size_t, off_t);
  if (!real) real = dlsym(RTLD_NEXT, "pwrite");
  REFUSE(fd);
  return real(fd, buf, count, offset);
}

int ftruncate64(int fd, off_t length) {
  static int (*real)(int, off_t);
  if (!real) real = dlsym(RTLD_NEXT, "ftruncate64");
  REFUSE(fd);
  return real(fd, length);
}

int ftruncate(int fd, off_t length) {
  static int (*real)(int, off_t);
  if (!real) real = dlsym(RTLD_NEXT, "ftruncate");
  REFUSE(fd);
  return real(fd, length);
}
