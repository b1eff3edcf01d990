/*
 * POSIX files on Ethos's whole-file calls, for newlib (libethos/newlib.c
 * forwards descriptors from 3 up and path calls here).  A file is read
 * whole at open and written whole at close (Ethos's whole-file
 * semantics): reads, writes and lseek work on a copy in memory, and
 * nothing reaches the daemon before close (or fsync).  Paths are names
 * joined by '/', from the root handle (ethos_root()) whether or not they
 * start with '/'; "." and ".." elements are refused (EINVAL): the kernel has no
 * working directory.  Files are limited to ETHOS_FILE_MAX bytes.  Not
 * done: O_EXCL races (checked with a stat first), sharing one open file
 * between descriptors (dup), fork's copy of the table of open files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <ethos/ethos.h>
#include <ethos/posix_files.h>

#define FIRST_FD 3
#define FILES_MAX 32

struct open_file {
	int used;
	int flags;
	int dirty;
	Handle dir;                  /* the parent (ours unless the root) */
	char name[ETHOS_NAME_MAX + 1];
	char *data;
	size_t size, capacity, pos;
};

static struct open_file files[FILES_MAX];

static int fail(enum status st)
{
	errno = ethos_errno(st);
	return -1;
}

/* Closes a directory resolve opened (the root is not ours to close). */
static void put_dir(Handle d)
{
	if (d != ethos_root())
		ethos_close(d);
}

/* Walks path's directories from ethos_root(); *dir (put_dir it) and the
 * last element in name. */
static int resolve(const char *path, Handle *dir, char *name)
{
	Handle d = ethos_root();
	const char *p = path;

	*dir = HANDLE_NONE;
	while (*p == '/')
		p++;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || n > ETHOS_NAME_MAX ||
		    (p[0] == '.' && (n == 1 || (n == 2 && p[1] == '.')))) {
			put_dir(d);
			errno = n > ETHOS_NAME_MAX ? ENAMETOOLONG : EINVAL;
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (end == NULL || end[1] == '\0') {
			*dir = d;
			return 0;
		}
		Handle next;
		enum status st = ethos_opendir(d, name, &next);
		put_dir(d);
		if (st != StatusOk)
			return fail(st == StatusInvalidArgument ? StatusNotFound : st);
		d = next;
		p = end + 1;
	}
}

static struct open_file *of(int fd)
{
	if (fd < FIRST_FD || fd >= FIRST_FD + FILES_MAX || !files[fd - FIRST_FD].used)
		return NULL;
	return &files[fd - FIRST_FD];
}

int ethos_posix_is_file(int fd)
{
	return of(fd) != NULL;
}

int ethos_posix_open(const char *path, int flags)
{
	int slot;
	struct open_file *f;

	for (slot = 0; slot < FILES_MAX && files[slot].used; slot++)
		;
	if (slot == FILES_MAX) {
		errno = EMFILE;
		return -1;
	}
	f = &files[slot];
	memset(f, 0, sizeof(*f));
	if (resolve(path, &f->dir, f->name) != 0)
		return -1;
	void *buf = NULL;
	uint64_t size = 0;
	enum status st = (flags & O_TRUNC) ? StatusNotFound :
			 ethos_read_file(f->dir, f->name, &buf, &size);
	if (st == StatusNotFound && (flags & O_TRUNC)) {
		struct ethos_file_info fi;
		st = ethos_stat(f->dir, f->name, &fi);
		if (st == StatusOk && fi.kind != EthosFile)
			st = StatusInvalidArgument;
		if (st == StatusOk && (flags & O_CREAT) && (flags & O_EXCL))
			st = StatusNotPermitted;
		if (st == StatusNotFound && (flags & O_CREAT))
			st = StatusOk;
		f->dirty = 1;            /* truncated or created: written at close */
	} else if (st == StatusOk && (flags & O_CREAT) && (flags & O_EXCL)) {
		st = StatusNotPermitted;
	} else if (st == StatusNotFound && (flags & O_CREAT)) {
		st = StatusOk;
		f->dirty = 1;
	}
	if (st != StatusOk) {
		free(buf);
		put_dir(f->dir);
		if (st == StatusNotPermitted && (flags & O_EXCL))
			errno = EEXIST;
		else
			errno = ethos_errno(st);
		return -1;
	}
	f->data = buf;
	f->size = f->capacity = (size_t)size;
	f->flags = flags;
	f->pos = (flags & O_APPEND) ? f->size : 0;
	f->used = 1;
	return FIRST_FD + slot;
}

int ethos_posix_read(int fd, void *buf, size_t n)
{
	struct open_file *f = of(fd);

	if (f == NULL || (f->flags & O_ACCMODE) == O_WRONLY) {
		errno = EBADF;
		return -1;
	}
	if (f->pos >= f->size)
		return 0;
	if (n > f->size - f->pos)
		n = f->size - f->pos;
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	return (int)n;
}

int ethos_posix_write(int fd, const void *buf, size_t n)
{
	struct open_file *f = of(fd);

	if (f == NULL || (f->flags & O_ACCMODE) == O_RDONLY) {
		errno = EBADF;
		return -1;
	}
	if (f->flags & O_APPEND)
		f->pos = f->size;
	if (f->pos + n > ETHOS_FILE_MAX || f->pos + n < f->pos) {
		errno = EFBIG;
		return -1;
	}
	if (f->pos + n > f->capacity) {
		size_t cap = f->capacity ? f->capacity : 4096;
		while (cap < f->pos + n)
			cap *= 2;
		char *d = realloc(f->data, cap);
		if (d == NULL) {
			errno = ENOMEM;
			return -1;
		}
		f->data = d;
		f->capacity = cap;
	}
	if (f->pos > f->size)
		memset(f->data + f->size, 0, f->pos - f->size);
	memcpy(f->data + f->pos, buf, n);
	f->pos += n;
	if (f->pos > f->size)
		f->size = f->pos;
	f->dirty = 1;
	return (int)n;
}

long ethos_posix_lseek(int fd, long off, int whence)
{
	struct open_file *f = of(fd);
	long base;

	if (f == NULL) {
		errno = EBADF;
		return -1;
	}
	base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->pos :
	       whence == SEEK_END ? (long)f->size : -1;
	if (base < 0 || base + off < 0) {
		errno = EINVAL;
		return -1;
	}
	f->pos = (size_t)(base + off);
	return (long)f->pos;
}

int ethos_posix_fsync(int fd)
{
	struct open_file *f = of(fd);

	if (f == NULL) {
		errno = EBADF;
		return -1;
	}
	if (!f->dirty)
		return 0;
	enum status st = ethos_write_file(f->dir, f->name, f->data, f->size);
	if (st != StatusOk)
		return fail(st);
	f->dirty = 0;
	return 0;
}

int ethos_posix_close(int fd)
{
	struct open_file *f = of(fd);

	if (f == NULL) {
		errno = EBADF;
		return -1;
	}
	int rc = ethos_posix_fsync(fd);
	free(f->data);
	put_dir(f->dir);
	f->used = 0;
	return rc;
}

int ethos_posix_fstat(int fd, struct stat *st)
{
	struct open_file *f = of(fd);

	if (f == NULL) {
		errno = EBADF;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0644;
	st->st_size = (off_t)f->size;
	st->st_blksize = 4096;
	return 0;
}

int ethos_posix_stat(const char *path, struct stat *st)
{
	Handle d;
	char name[ETHOS_NAME_MAX + 1];
	struct ethos_file_info fi;

	if (resolve(path, &d, name) != 0)
		return -1;
	enum status s = ethos_stat(d, name, &fi);
	put_dir(d);
	if (s != StatusOk)
		return fail(s);
	memset(st, 0, sizeof(*st));
	st->st_mode = fi.kind == EthosDirectory ? S_IFDIR | 0755 : S_IFREG | 0644;
	st->st_size = (off_t)fi.size;
	st->st_mtime = (time_t)(fi.mtime_ns / 1000000000ULL);
	st->st_blksize = 4096;
	return 0;
}

/* unlink and mkdir: one call on the last element. */
static int path_call(const char *path, enum status (*call)(Handle, const char *))
{
	Handle d;
	char name[ETHOS_NAME_MAX + 1];

	if (resolve(path, &d, name) != 0)
		return -1;
	enum status s = call(d, name);
	put_dir(d);
	return s == StatusOk ? 0 : fail(s);
}

int ethos_posix_unlink(const char *path)
{
	return path_call(path, ethos_unlink);
}

int mkdir(const char *path, mode_t mode)
{
	(void)mode;
	return path_call(path, ethos_mkdir);
}

int rmdir(const char *path)
{
	return path_call(path, ethos_unlink);
}

/* execve of a path that is not in the boot archive: exec from the file
 * (ethos_exec_file).  Returns only on failure: -1 and errno. */
int ethos_posix_execve(const char *path, char *const argv[], char *const envp[])
{
	Handle d;
	char name[ETHOS_NAME_MAX + 1];

	if (resolve(path, &d, name) != 0) {
		if (errno == ethos_errno(StatusUnavailable))
			errno = ENOENT;         /* as below */
		return -1;
	}
	enum status s = ethos_exec_file(d, name, argv, envp);
	put_dir(d);
	/* With no file system (no daemon), a path the archive does not
	 * hold names nothing: ENOENT, as for any missing program. */
	return fail(s == StatusUnavailable ? StatusNotFound : s);
}
