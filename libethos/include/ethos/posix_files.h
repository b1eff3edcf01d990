/* POSIX files over the whole-file calls (libethos/posix_files.c), used by
 * the newlib glue (libethos/newlib.c) for descriptors from 3 up. */
#ifndef ETHOS_POSIX_FILES_H
#define ETHOS_POSIX_FILES_H

#include <stddef.h>
#include <sys/stat.h>

int ethos_posix_is_file(int fd);
int ethos_posix_open(const char *path, int flags);
int ethos_posix_read(int fd, void *buf, size_t n);
int ethos_posix_write(int fd, const void *buf, size_t n);
long ethos_posix_lseek(int fd, long off, int whence);
int ethos_posix_fsync(int fd);
int ethos_posix_close(int fd);
int ethos_posix_fstat(int fd, struct stat *st);
int ethos_posix_stat(const char *path, struct stat *st);
int ethos_posix_unlink(const char *path);
int ethos_posix_execve(const char *path, char *const argv[], char *const envp[]);

#endif
