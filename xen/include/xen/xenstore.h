/*
 * A small synchronous xenstore client (domU): one request at a time over
 * the ring page from start_info, polled.  Used at boot and on the rare
 * reconnect; nothing here runs on a syscall's fast path.
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
/* Replies dropped as malformed (tests, statistics). */
extern uint64_t xs_bad_replies;

#endif
