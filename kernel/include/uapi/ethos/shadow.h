/*
 * The file protocol between the kernel (xen/shadow.c) and the dom0
 * shadowdaemon (tools/shadowdaemon).  Only fixed-width types: the daemon
 * is built against glibc, the kernel freestanding.
 *
 * Setup (xenstore, under the guest's own /local/domain/N):
 *   data/shadowdaemon               written by the daemon when it has seen
 *                                   the domain: the kernel then waits (a
 *                                   few seconds) for it at boot
 *   data/ethos-files/ring-ref       SHADOW_RING_PAGES grant refs, "r0 r1 .."
 *   data/ethos-files/event-channel  an unbound port for dom0
 * The ring pages (granted read-write to dom0) hold struct shadow_ring.
 * The daemon maps them, binds the port, sets its indexes from the ring,
 * then writes daemon_gen = kernel_gen and notifies: connected.  The
 * kernel bumps kernel_gen and zeroes the ring whenever it decides the
 * daemon is gone (its side of the port no longer interdomain) or the
 * daemon broke the protocol; a live daemon that sees daemon_gen !=
 * kernel_gen re-syncs the same way.
 *
 * Requests: req[req_prod % N], written by the kernel; responses:
 * rsp[rsp_prod % N], by the daemon, in any order, matched by id.  The
 * kernel never has more than N requests unanswered, so a response always
 * has a slot.  File data lives in granted pages, not in the ring: a
 * request names data_len bytes in ceil(data_len / 4096) pages whose grant
 * refs are listed in list pages, SHADOW_LIST_REFS per page, each list
 * page's last word the ref of the next (0 at the end): no limit in the
 * protocol but the 32-bit counts.  A response the kernel cannot match to
 * a request in flight, or that is malformed, is dropped and counted.
 */
#ifndef ETHOS_SHADOW_H
#define ETHOS_SHADOW_H

#include <stdint.h>
#include <uapi/ethos/abi.h>

#define SHADOW_MAGIC      0x45544653u   /* "ETFS" */
#define SHADOW_VERSION    1
#define SHADOW_RING_PAGES 8
#define SHADOW_RING_SLOTS 16            /* a power of two */
#define SHADOW_PATH_MAX   512           /* bytes of a request's path */
#define SHADOW_NAME_MAX   255           /* bytes of one path element */
#define SHADOW_LIST_REFS  1023          /* data refs per list page */
#define SHADOW_DATA_MAX   (64u << 20)   /* the daemon's own file-size bound */

enum shadow_op {
	ShadowRead = 1,       /* path -> contents (data: the buffer) */
	ShadowWrite,          /* path, data -> (replaces the file) */
	ShadowOpenDir,        /* path -> Ok if a directory */
	ShadowMkdir,          /* path */
	ShadowRemove,         /* path: a file or an empty directory */
	ShadowStat,           /* path -> size, kind, mtime */
	ShadowNextName,       /* path (a directory), after -> the next name */
	ShadowOpCount
};

/* Kinds (fileInformation). */
enum shadow_kind {
	ShadowKindFile = 1,
	ShadowKindDirectory = 2,
	ShadowKindOther = 3,
};

struct shadow_req {
	uint64_t id;
	uint32_t op;                  /* enum shadow_op */
	uint32_t path_len;            /* "a/b/c": elements joined by '/' */
	uint64_t data_len;            /* bytes in the data pages */
	uint32_t list_ref;            /* first list page (0: no data pages) */
	uint32_t after_len;           /* ShadowNextName: bytes of after[] */
	char path[SHADOW_PATH_MAX];
	char after[SHADOW_NAME_MAX + 1];
};

/* status: an Ethos enum status; StatusReturnSpace on a read whose buffer
 * was too small (size: the size needed). */
struct shadow_rsp {
	uint64_t id;
	uint32_t status;
	uint32_t kind;                /* ShadowStat, ShadowOpenDir */
	uint64_t size;                /* ShadowRead: bytes; ShadowStat: size */
	uint64_t mtime_ns;            /* ShadowStat */
	uint32_t name_len;            /* ShadowNextName */
	uint32_t daemon_ns;           /* the daemon's time on the request
				       * (saturating; for benchmarks only) */
	char name[SHADOW_NAME_MAX + 1];
};

struct shadow_ring {
	uint32_t magic;
	uint32_t version;
	uint32_t kernel_gen;          /* kernel: bumped at each (re)start */
	uint32_t daemon_gen;          /* daemon: = kernel_gen once connected */
	uint32_t req_prod;            /* kernel */
	uint32_t req_cons;            /* daemon (informational) */
	uint32_t rsp_prod;            /* daemon */
	uint32_t rsp_cons;            /* kernel (informational) */
	uint8_t pad[32];
	struct shadow_req req[SHADOW_RING_SLOTS];
	struct shadow_rsp rsp[SHADOW_RING_SLOTS];
};

_Static_assert(sizeof(struct shadow_ring) <= SHADOW_RING_PAGES * 4096,
	       "the ring fits its pages");

/* Is name one valid path element (1..SHADOW_NAME_MAX bytes, not "." or
 * "..", no '/' or NUL)?  Shared by the kernel and the daemon. */
static inline int shadow_name_ok(const char *name, uint64_t len)
{
	if (len == 0 || len > SHADOW_NAME_MAX)
		return 0;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return 0;
	for (uint64_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return 0;
	return 1;
}

/* Is path (path_len bytes) empty (the root) or valid elements joined by
 * single '/'s? */
static inline int shadow_path_ok(const char *path, uint64_t len)
{
	uint64_t start = 0;

	if (len > SHADOW_PATH_MAX)
		return 0;
	if (len == 0)
		return 1;
	for (uint64_t i = 0; i <= len; i++) {
		if (i == len || path[i] == '/') {
			if (!shadow_name_ok(path + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* Is rsp a believable answer to req (matched by id already)?  The kernel
 * drops (and counts) one that is not: the daemon is not trusted. */
static inline int shadow_rsp_valid(const struct shadow_req *req,
				   const struct shadow_rsp *rsp)
{
	switch (rsp->status) {
	case StatusOk:
		break;
	case StatusReturnSpace:
		/* Only a read, and only if the buffer really was too small. */
		return req->op == ShadowRead && rsp->size > req->data_len &&
		       rsp->size <= SHADOW_DATA_MAX;
	case StatusNotFound: case StatusNotPermitted: case StatusInvalidArgument:
	case StatusNoSpace: case StatusNoMemory: case StatusTooBig:
	case StatusNotImplemented: case StatusUnavailable:
		return 1;
	default:
		return 0;
	}
	switch (req->op) {
	case ShadowRead:
		return rsp->size <= req->data_len;
	case ShadowStat:
		return rsp->kind >= ShadowKindFile && rsp->kind <= ShadowKindOther;
	case ShadowOpenDir:
		return rsp->kind == ShadowKindDirectory;
	case ShadowNextName:
		return rsp->name_len <= SHADOW_NAME_MAX &&
		       shadow_name_ok(rsp->name, rsp->name_len);
	case ShadowWrite: case ShadowMkdir: case ShadowRemove:
		return 1;
	default:
		return 0;
	}
}

#endif
