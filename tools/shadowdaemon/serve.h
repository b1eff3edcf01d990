/* The shadowdaemon's file operations, confined to one root directory.
 * No Xen in here: host tests drive it with plain memory. */
#ifndef SHADOW_SERVE_H
#define SHADOW_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <uapi/ethos/shadow.h>

/* Where a request's data lives (the granted pages, mapped on demand). */
struct serve_data {
	/* Maps the request's data_len bytes; NULL on failure. */
	void *(*map)(struct serve_data *d, int writable);
	void (*unmap)(struct serve_data *d, void *p);
};

/* Carries out req (a private copy: the guest cannot change it under us)
 * under the directory rootfd, and fills rsp (id included). */
void serve(int rootfd, const struct shadow_req *req, struct serve_data *data,
	   struct shadow_rsp *rsp);

/* The directory holding the last element of path, and that element:
 * every element validated, each directory opened with O_NOFOLLOW below
 * the previous one.  Returns an fd (close it) or -1 with *status set.
 * want_dir: the whole path is a directory; *leaf is then NULL. */
int serve_walk(int rootfd, const char *path, uint32_t len, int want_dir,
	       char *leafbuf, const char **leaf, enum status *status);

#endif
