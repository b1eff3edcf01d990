/*
 * The file syscalls: each one an RPC to the dom0 shadowdaemon through the
 * transport (<xen/shadow.h>), returning an event that its reply completes.
 *
 * Directories are handles (kernel/handle.c) on a `struct fs_dir`, which is
 * just the directory's path from the domain's root: the daemon keeps no
 * state per directory, so a daemon that restarts serves the same handles
 * (and a directory removed under a handle gives NotFound).  The root is
 * a handle like any other (ETHOS_ROOT_HANDLE in a fresh table,
 * fs_root_handle), on one static fs_dir that the kernel's own reference
 * keeps alive; HANDLE_NONE names nothing.
 *
 * readVar does not know the size it will get: it asks with a small
 * buffer, and a reply "ReturnSpace, size N" makes it ask again with N
 * bytes (a few rounds at most: a file that keeps growing ends in
 * ReturnSpace as the event's failure).  The buffer the daemon filled is
 * the event's result as it is (event_complete_take, or its 1 MiB chunks,
 * event_complete_chunks): one copy, at retire.
 */
#include <stddef.h>
#include <kernel/event.h>
#include <kernel/proc.h>
#include <kernel/handle.h>
#include <kernel/uaccess.h>
#include <kernel/deferred.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>
#include <kernel/fs.h>
#include <xen/shadow.h>

#define READ_FIRST_BYTES (16 * 1024)
#define READ_TRIES 4

struct fs_dir {
	uint32_t refs;
	uint32_t path_len;
	char path[];
};

static void dir_get(void *obj)
{
	((struct fs_dir *)obj)->refs++;
}

static void dir_put(void *obj)
{
	struct fs_dir *d = obj;

	ASSERT(d->refs > 0);
	if (--d->refs == 0)
		kfree(d);
}

static const struct handle_ops dir_ops = {
	.name = "directory",
	.get = dir_get,
	.put = dir_put,
};

/* The root: path "" (refs starts at 1, the kernel's, so it is never
 * freed). */
static struct fs_dir root_dir = { .refs = 1, .path_len = 0 };

enum status fs_root_handle(struct handle_table *t)
{
	enum status st;

	ASSERT(t->live == 0);
	dir_get(&root_dir);
	Handle h = handle_new(t, &dir_ops, &root_dir, &st);
	if (h == HANDLE_NONE) {
		dir_put(&root_dir);
		return st;
	}
	ASSERT(h == ETHOS_ROOT_HANDLE);
	return StatusOk;
}

static void file_detach(struct event *ev)
{
	shadow_cancel(ev->u.file.call);
	ev->u.file.call = NULL;
}

static const struct event_source file_source = {
	.name = "file",
	.detach = file_detach,
};

static void wake(void)
{
	deferred_request();
}

void files_init(void)
{
	shadow_init(wake);
}

void files_deliver(void)
{
	shadow_poll();
}

uint64_t files_next_deadline(void)
{
	return shadow_next_deadline();
}

static void file_done(struct shadow_call *c, enum status st,
		      const struct shadow_rsp *rsp)
{
	struct event *ev = c->arg;

	ASSERT(ev->state == EventPending && ev->u.file.call == c);
	ev->u.file.call = NULL;
	if (rsp == NULL || st != StatusOk) {
		if (rsp != NULL && st == StatusReturnSpace &&
		    ++ev->u.file.tries < READ_TRIES && rsp->size <= ETHOS_FILE_MAX) {
			/* Again, with the size the daemon asked for. */
			struct shadow_call *n = shadow_call_new(ShadowRead, rsp->size, false);
			if (n != NULL) {
				memcpy(n->req.path, c->req.path, c->req.path_len);
				n->req.path_len = c->req.path_len;
				n->done = file_done;
				n->arg = ev;
				shadow_call_free(c);
				if ((st = shadow_submit(n)) == StatusOk) {
					ev->u.file.call = n;
					return;
				}
				shadow_call_free(n);
				event_fail(ev, st);
				return;
			}
			st = StatusNoMemory;
		} else if (rsp != NULL && st == StatusReturnSpace) {
			st = StatusTooBig;
		}
		shadow_call_free(c);
		event_fail(ev, st);
		return;
	}
	switch (c->req.op) {
	case ShadowRead: {
		uint32_t size = (uint32_t)rsp->size, n;
		uint8_t **chunks = shadow_call_take_chunks(c, &n);
		shadow_call_free(c);
		if (n <= 1) {
			event_complete_take(ev, n ? chunks[0] : NULL, size);
			kfree(chunks);
		} else {
			event_complete_chunks(ev, chunks, n, size);
		}
		return;
	}
	case ShadowOpenDir: {
		struct fs_dir *d = kmalloc(sizeof(*d) + c->req.path_len + 1);
		Handle h = HANDLE_NONE;
		if (d == NULL) {
			st = StatusNoMemory;
		} else {
			d->refs = 1;
			d->path_len = c->req.path_len;
			memcpy(d->path, c->req.path, c->req.path_len);
			h = handle_new(&ev->owner->handles, &dir_ops, d, &st);
			if (h == HANDLE_NONE)
				kfree(d);
		}
		shadow_call_free(c);
		if (h == HANDLE_NONE)
			event_fail(ev, st);
		else
			event_complete(ev, &h, sizeof(h));
		return;
	}
	case ShadowStat: {
		struct ethos_file_info fi = {
			.size = rsp->size, .mtime_ns = rsp->mtime_ns,
			.kind = rsp->kind,
		};
		shadow_call_free(c);
		event_complete(ev, &fi, sizeof(fi));
		return;
	}
	case ShadowNextName: {
		char name[SHADOW_NAME_MAX];
		uint32_t n = rsp->name_len;
		memcpy(name, rsp->name, n);
		shadow_call_free(c);
		event_complete(ev, name, n);
		return;
	}
	default:
		shadow_call_free(c);
		event_complete(ev, NULL, 0);
		return;
	}
}

static const uint32_t op_of[] = {
	[SysReadVar - SysReadVar] = ShadowRead,
	[SysWriteVar - SysReadVar] = ShadowWrite,
	[SysOpenDirectory - SysReadVar] = ShadowOpenDir,
	[SysCreateDirectory - SysReadVar] = ShadowMkdir,
	[SysRemoveDirectoryOrFile - SysReadVar] = ShadowRemove,
	[SysFileInformation - SysReadVar] = ShadowStat,
	[SysGetNextName - SysReadVar] = ShadowNextName,
};

enum status fs_syscall(struct proc *p, unsigned int nr, uintptr_t uin,
		       uintptr_t uout)
{
	struct sys_file_in in;
	struct sys_event_out out;
	char name[SHADOW_NAME_MAX];
	enum status st;
	const struct fs_dir *dir;

	ASSERT(nr >= SysReadVar && nr <= SysGetNextName);
	uint32_t op = op_of[nr - SysReadVar];
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((st = user_writable(uout, sizeof(out))) != StatusOk)
		return st;
	/* The name: one element (getNextName: or empty, for the first). */
	if (in.name_len > SHADOW_NAME_MAX)
		return StatusInvalidArgument;
	if ((st = copyin(name, (uintptr_t)in.name, in.name_len)) != StatusOk)
		return st;
	if (!(op == ShadowNextName && in.name_len == 0) &&
	    !fs_name_ok(name, in.name_len))
		return StatusInvalidArgument;
	if ((dir = handle_lookup(&p->handles, in.dir, &dir_ops)) == NULL)
		return StatusInvalidHandle;
	if (op == ShadowWrite) {
		if (in.data_len > ETHOS_FILE_MAX)
			return StatusTooBig;
		if (!user_range_ok((uintptr_t)in.data, in.data_len))
			return StatusBadAddress;
	}
	uint64_t len = op == ShadowWrite ? in.data_len :
		       op == ShadowRead ? READ_FIRST_BYTES : 0;
	struct shadow_call *c = shadow_call_new(op, len, op == ShadowWrite);
	if (c == NULL)
		return StatusNoMemory;
	if (op == ShadowNextName) {
		memcpy(c->req.path, dir->path, dir->path_len);
		c->req.path_len = dir->path_len;
		memcpy(c->req.after, name, in.name_len);
		c->req.after_len = (uint32_t)in.name_len;
	} else if ((st = fs_join(c->req.path, &c->req.path_len, dir->path,
				 dir->path_len, name, in.name_len)) != StatusOk) {
		shadow_call_free(c);
		return st;
	}
	for (uint32_t i = 0; op == ShadowWrite && i < c->nchunks; i++) {
		uint64_t off = (uint64_t)i * SHADOW_CHUNK_BYTES;
		uint64_t n = in.data_len - off < SHADOW_CHUNK_BYTES ?
			     in.data_len - off : SHADOW_CHUNK_BYTES;
		if ((st = copyin(c->chunks[i], (uintptr_t)in.data + off, n)) != StatusOk) {
			shadow_call_free(c);
			return st;
		}
	}
	/* Last of the checks: every argument error is reported as such,
	 * daemon or not. */
	if (!shadow_ready()) {
		shadow_call_free(c);
		return StatusUnavailable;
	}
	struct event *ev = event_new(p, &file_source, &out.event, &st);
	if (ev == NULL) {
		shadow_call_free(c);
		return st;
	}
	c->done = file_done;
	c->arg = ev;
	ev->u.file.call = c;
	ev->u.file.tries = 0;
	if ((st = shadow_submit(c)) != StatusOk) {
		event_release(ev);      /* detach frees the idle call */
		return st;
	}
	return copyout(uout, &out, sizeof(out));
}

/* Where the file RPCs' time went, for make bench (the domU path). */
void files_report(void)
{
	shadow_report();
}
