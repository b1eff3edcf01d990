/*
 * A small synchronous xenstore client (domU): one request at a time over
 * the ring page from start_info, polled, and watches whose events come on
 * the store's event channel.  Used at boot, on the rare reconnect and
 * when a watch fires; nothing here runs on a syscall's fast path.
 */
#ifndef XENSTORE_H
#define XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* False in dom0 or when start_info names no store. */
bool xs_init(void);
bool xs_available(void);
/* Reads path (relative paths are under /local/domain/<our id>) into buf
 * as a NUL-terminated string; false if missing, too long, or on error. */
bool xs_read(const char *path, char *buf, size_t size);
bool xs_write(const char *path, const char *value);
/* Our domain id ("domid" in the store), or -1. */
int xs_domid(void);
/* The children of path: their names, as pointers into buf (size bytes,
 * which receives the reply), in names[0..max); returns how many there
 * are (it may be more than max), or -1 on error or a malformed reply. */
int xs_directory(const char *path, char *buf, size_t size, const char **names,
		 int max);

#define XS_WATCHES_MAX 4
#define XS_WATCH_PATH_MAX 128
/* Watches path (and everything below it): fired(arg) runs from xs_poll
 * after each change, and once soon after this call (the store fires a
 * new watch at once).  A watch id, or -1 (no slot, a path too long, the
 * store refused).  */
int xs_watch(const char *path, void (*fired)(void *arg), void *arg);
void xs_unwatch(int id);
/* wake() is called (upcall context) when the store may have sent an
 * event: the caller then runs xs_poll soon, outside the upcall. */
void xs_set_wake(void (*wake)(void));
/* Reads the events that have come and runs the fired watches' handlers. */
void xs_poll(void);
/* Replies dropped as malformed or stray, and watch events taken. */
extern uint64_t xs_bad_replies;
extern uint64_t xs_watch_events;

#endif
