/*
 * The pure half of the xenstore client (xen/xs_msg.c): what a message
 * from the store means, checked before it is believed.  Nothing here
 * touches the ring; tests/unit/test_xs_msg.c feeds it hostile messages.
 */
#ifndef XEN_XS_MSG_H
#define XEN_XS_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/interface/io/xs_wire.h>

enum xs_msg_kind {
	XsReply,        /* the reply to the request we wait for */
	XsErrorReply,   /* XS_ERROR for it (payload: an errno name) */
	XsWatchEvent,   /* unsolicited: a watch fired */
	XsStray,        /* anything else: skipped and counted */
	XsBroken,       /* a length over XENSTORE_PAYLOAD_MAX: cannot be skipped */
};

/* What header m is, while we wait for the reply to request req_id of
 * type type (req_id 0: we wait for nothing, so only events are valid). */
enum xs_msg_kind xs_msg_kind(const struct xsd_sockmsg *m, uint32_t req_id,
			     uint32_t type);

/*
 * A watch: path and token as registered.  The store names a watch in its
 * events by the token (and the path that changed, which may be below the
 * watched one); a fired watch is marked pending and run later, outside
 * the client (a handler that talks to the store must not run inside the
 * wait for another reply).
 */
struct xs_watch {
	const char *path;
	const char *token;
	void (*fired)(void *arg);
	void *arg;
	bool pending;
};

/* An XS_WATCH_EVENT payload ("path\0token\0"): marks the watch of
 * watches[0..n) whose token it names pending.  False, and nothing marked,
 * if it is malformed (no final NUL, fewer than two strings, an empty path
 * or token) or names no watch of ours. */
bool xs_watch_event(struct xs_watch *watches, int n, const char *payload,
		    uint32_t len);

/* An XS_DIRECTORY reply: the children's names, each NUL-terminated.  The
 * count of names (pointers into payload in names[0..max), the rest not
 * stored), or -1 if malformed: no final NUL, an empty name, a '/' in a
 * name, over XENSTORE_PAYLOAD_MAX.  An empty directory is an empty
 * payload or one NUL (oxenstored's form). */
int xs_directory_parse(const char *payload, uint32_t len, const char **names,
		       int max);

#endif
