/*
 * The file operations of the shadowdaemon, confined to its root: a path
 * from the guest is split into elements, each checked (shadow_name_ok:
 * not empty, ".", "..", no '/', no NUL), and walked one directory at a
 * time with openat(O_DIRECTORY | O_NOFOLLOW) from the root's fd, so no
 * element can be a symlink that leads out; the last element is opened
 * with O_NOFOLLOW (or looked at with AT_SYMLINK_NOFOLLOW) too.  Only
 * regular files are read or written (O_NONBLOCK: a FIFO planted in the
 * tree cannot stall the daemon), within SHADOW_DATA_MAX; a write replaces
 * the file atomically (do_write).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "serve.h"

static enum status from_errno(int e)
{
	switch (e) {
	case ENOENT: case ENOTDIR:
		return StatusNotFound;
	case ENOSPC: case EDQUOT:
		return StatusNoSpace;
	case ENOMEM:
		return StatusNoMemory;
	case EFBIG:
		return StatusTooBig;
	case ENAMETOOLONG: case EINVAL:
	case ENXIO:             /* a FIFO with no reader (O_NONBLOCK) */
		return StatusInvalidArgument;
	default:                /* EACCES, EPERM, ELOOP, EEXIST, ENOTEMPTY, ... */
		return StatusNotPermitted;
	}
}

int serve_walk(int rootfd, const char *path, uint32_t len, int want_dir,
	       char *leafbuf, const char **leaf, enum status *status)
{
	uint32_t start = 0;
	int fd;

	*leaf = NULL;
	if (len > SHADOW_PATH_MAX || !shadow_path_ok(path, len) ||
	    (len == 0 && !want_dir)) {
		*status = StatusInvalidArgument;
		return -1;
	}
	if ((fd = dup(rootfd)) < 0) {
		*status = from_errno(errno);
		return -1;
	}
	while (start < len) {
		uint32_t end = start;
		while (end < len && path[end] != '/')
			end++;
		memcpy(leafbuf, path + start, end - start);
		leafbuf[end - start] = '\0';
		if (end == len && !want_dir) {
			*leaf = leafbuf;
			return fd;
		}
		int next = openat(fd, leafbuf,
				  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		struct stat sb;
		/* O_NOFOLLOW | O_DIRECTORY on a symlink says ENOTDIR (or
		 * ELOOP): a link, wherever it points, is not walked. */
		if (next < 0 && (e == ELOOP || (e == ENOTDIR &&
		    fstatat(fd, leafbuf, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(sb.st_mode))))
			e = EPERM;
		close(fd);
		if (next < 0) {
			*status = from_errno(e);
			return -1;
		}
		fd = next;
		start = end + 1;
	}
	return fd;
}

static void do_read(int dir, const char *leaf, const struct shadow_req *req,
		    struct serve_data *data, struct shadow_rsp *rsp)
{
	struct stat st;
	int fd = openat(dir, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		rsp->status = from_errno(errno);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rsp->status = StatusInvalidArgument;
	} else if ((uint64_t)st.st_size > SHADOW_DATA_MAX) {
		rsp->status = StatusTooBig;
	} else if ((uint64_t)st.st_size > req->data_len) {
		rsp->status = StatusReturnSpace;
		rsp->size = (uint64_t)st.st_size;
	} else {
		char *buf = st.st_size > 0 ? data->map(data, 1) : NULL;
		uint64_t got = 0;
		if (st.st_size > 0 && buf == NULL) {
			rsp->status = StatusNoMemory;
		} else {
			while (got < (uint64_t)st.st_size) {
				ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got,
						  (off_t)got);
				if (n <= 0)
					break;          /* it shrank: what we got */
				got += (uint64_t)n;
			}
			rsp->status = StatusOk;
			rsp->size = got;
		}
		if (buf != NULL)
			data->unmap(data, buf);
	}
	close(fd);
}

/*
 * writeVar replaces a file whole, atomically: the data goes into a new
 * temporary file in the same directory, which is then renamed over the
 * name (renameat replaces the name, never follows it: a symlink planted
 * there is replaced, not written through).  So a reader -- the guest's
 * next readVar, or anyone holding the old file open -- sees the old
 * contents or the new, never a mix, and a write that fails (no space,
 * EFBIG, the guest's pages not mappable) leaves the old contents and no
 * temporary behind.  The new file gets the old one's permission bits.
 * Costs: a hard link to the old file keeps the old contents, and a
 * daemon killed mid-write leaves its temporary (TMP_PREFIX*).
 */
#define TMP_PREFIX ".shadowdaemon-tmp."

static int tmp_create(int dir, char *name, size_t size, mode_t mode)
{
	static unsigned long counter;

	for (int tries = 0; tries < 100; tries++) {
		snprintf(name, size, TMP_PREFIX "%ld.%lu", (long)getpid(), counter++);
		int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static void do_write(int dir, const char *leaf, const struct shadow_req *req,
		     struct serve_data *data, struct shadow_rsp *rsp)
{
	struct stat st;
	mode_t mode = 0644;
	char tmp[64];

	if (req->data_len > SHADOW_DATA_MAX) {
		rsp->status = StatusTooBig;
		return;
	}
	/* What the name is now: only a regular file is replaced (a
	 * directory or a symlink is NotPermitted, a FIFO or device
	 * InvalidArgument, as an open of it would say). */
	if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
			rsp->status = StatusNotPermitted;
			return;
		}
		if (!S_ISREG(st.st_mode)) {
			rsp->status = StatusInvalidArgument;
			return;
		}
		mode = st.st_mode & 07777;
	} else if (errno != ENOENT) {
		rsp->status = from_errno(errno);
		return;
	}
	const char *buf = req->data_len > 0 ? data->map(data, 0) : NULL;
	if (req->data_len > 0 && buf == NULL) {
		rsp->status = StatusNoMemory;
		return;
	}
	int fd = tmp_create(dir, tmp, sizeof(tmp), mode);
	if (fd < 0) {
		rsp->status = from_errno(errno);
		goto out;
	}
	fchmod(fd, mode);               /* (the umask may have taken bits) */
	rsp->status = StatusOk;
	uint64_t put = 0;
	while (put < req->data_len) {
		ssize_t n = write(fd, buf + put, (size_t)(req->data_len - put));
		if (n <= 0) {
			rsp->status = from_errno(n < 0 ? errno : ENOSPC);
			break;
		}
		put += (uint64_t)n;
	}
	/* On disk before the name moves: a dom0 crash must not leave the
	 * name on an empty file. */
	if (rsp->status == StatusOk && fsync(fd) != 0)
		rsp->status = from_errno(errno);
	if (close(fd) != 0 && rsp->status == StatusOk)
		rsp->status = from_errno(errno);
	if (rsp->status == StatusOk && renameat(dir, tmp, dir, leaf) != 0)
		rsp->status = from_errno(errno);   /* e.g. a directory appeared */
	if (rsp->status != StatusOk)
		unlinkat(dir, tmp, 0);
out:
	if (buf != NULL)
		data->unmap(data, (void *)buf);
}

static void do_next_name(int dirfd, const struct shadow_req *req,
			 struct shadow_rsp *rsp)
{
	char after[SHADOW_NAME_MAX + 1], best[SHADOW_NAME_MAX + 1];
	int have = 0;

	if (req->after_len > SHADOW_NAME_MAX ||
	    (req->after_len > 0 && !shadow_name_ok(req->after, req->after_len))) {
		rsp->status = StatusInvalidArgument;
		return;
	}
	memcpy(after, req->after, req->after_len);
	after[req->after_len] = '\0';
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		rsp->status = from_errno(errno);
		return;
	}
	/* The smallest name after `after`: a listing with no cursor kept. */
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (!shadow_name_ok(e->d_name, n))
			continue;       /* "." and ".." */
		if (req->after_len > 0 && strcmp(e->d_name, after) <= 0)
			continue;
		if (!have || strcmp(e->d_name, best) < 0) {
			memcpy(best, e->d_name, n + 1);
			have = 1;
		}
	}
	closedir(d);
	if (!have) {
		rsp->status = StatusNotFound;
		return;
	}
	rsp->status = StatusOk;
	rsp->name_len = (uint32_t)strlen(best);
	memcpy(rsp->name, best, rsp->name_len);
}

void serve(int rootfd, const struct shadow_req *req, struct serve_data *data,
	   struct shadow_rsp *rsp)
{
	char leafbuf[SHADOW_NAME_MAX + 1];
	const char *leaf;
	enum status st;
	struct stat sb;

	memset(rsp, 0, sizeof(*rsp));
	rsp->id = req->id;
	int dir = serve_walk(rootfd, req->path, req->path_len,
			     req->op == ShadowNextName, leafbuf, &leaf, &st);
	if (dir < 0) {
		rsp->status = st;
		return;
	}
	switch (req->op) {
	case ShadowRead:
		do_read(dir, leaf, req, data, rsp);
		break;
	case ShadowWrite:
		do_write(dir, leaf, req, data, rsp);
		break;
	case ShadowOpenDir:
	case ShadowStat:
		if (fstatat(dir, leaf, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			rsp->status = from_errno(errno);
			break;
		}
		rsp->kind = S_ISREG(sb.st_mode) ? ShadowKindFile :
			    S_ISDIR(sb.st_mode) ? ShadowKindDirectory : ShadowKindOther;
		rsp->size = (uint64_t)sb.st_size;
		rsp->mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL +
				(uint64_t)sb.st_mtim.tv_nsec;
		rsp->status = req->op == ShadowOpenDir && rsp->kind != ShadowKindDirectory ?
			      StatusInvalidArgument : StatusOk;
		break;
	case ShadowMkdir:
		rsp->status = mkdirat(dir, leaf, 0755) == 0 ? StatusOk : from_errno(errno);
		break;
	case ShadowRemove:
		if (unlinkat(dir, leaf, 0) == 0)
			rsp->status = StatusOk;
		else if ((errno == EISDIR || errno == EPERM) &&
			 unlinkat(dir, leaf, AT_REMOVEDIR) == 0)
			rsp->status = StatusOk;
		else
			rsp->status = from_errno(errno);
		break;
	case ShadowNextName:
		do_next_name(dir, req, rsp);
		break;
	default:
		rsp->status = StatusNotImplemented;
		break;
	}
	close(dir);
}
