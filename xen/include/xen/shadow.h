/*
 * The file transport: RPCs to the dom0 shadowdaemon over a shared ring
 * (grant table + interdomain event channel, announced in xenstore).  The
 * protocol is in <uapi/ethos/shadow.h>; this is the kernel's end of it.
 * It knows nothing of processes or events: a call ends by calling its
 * done function, in deferred context (shadow_poll), never in an upcall.
 */
#ifndef XENSHADOW_H
#define XENSHADOW_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/queue.h>
#include <uapi/ethos/abi.h>
#include <uapi/ethos/shadow.h>

struct shadow_call;
/* rsp is NULL when the call failed without a reply (st says why:
 * Unavailable when the daemon went away).  done must end with
 * shadow_call_free(c) (or resubmit it). */
typedef void (*shadow_done_fn)(struct shadow_call *c, enum status st,
			       const struct shadow_rsp *rsp);

enum shadow_call_state { CallIdle, CallQueued, CallInFlight };

#define SHADOW_CHUNK_BYTES (1u << 20)

struct shadow_call {
	TAILQ_ENTRY(shadow_call) link;
	struct shadow_req req;          /* op, path, after: the caller's */
	uint64_t sent_ns;               /* when it went into the ring */
	shadow_done_fn done;            /* NULL: abandoned (cancelled) */
	void *arg;                      /* the caller's */
	/* data_len bytes in nchunks kmalloc blocks of SHADOW_CHUNK_BYTES (the
	 * last: the rest, rounded up to pages), page-aligned: no single
	 * block need be as large as the file. */
	uint8_t **chunks;
	uint32_t nchunks;
	uint32_t npages;
	uint32_t nlists;
	uint32_t *refs;                 /* npages data refs, then nlists */
	void **lists;                   /* list pages */
	bool readonly;
	enum shadow_call_state state;
};

/* Boot: sets up the ring if there is a store (domU) and waits a little
 * for a daemon that announced itself.  wake is called in upcall context
 * when the daemon notifies us (it should ask for deferred work). */
void shadow_init(void (*wake)(void));
/* Connected to a daemon now?  (Notices a daemon that went away, failing
 * its calls, as shadow_poll does.) */
bool shadow_ready(void);
/* A call with a data buffer of len bytes (chunks); NULL when out of
 * memory or over SHADOW_DATA_MAX. */
struct shadow_call *shadow_call_new(uint32_t op, uint64_t len, bool readonly);
/* Grants the buffer and queues the call: Ok, Unavailable, NoSpace. */
enum status shadow_submit(struct shadow_call *c);
/* Frees an idle call (not queued or in flight). */
void shadow_call_free(struct shadow_call *c);
/* Cancels: a queued call is freed; one in flight is abandoned (its reply,
 * when it comes, is dropped and the call freed then). */
void shadow_cancel(struct shadow_call *c);
/* Gives the caller the chunks (idle call): kfree each, and the array. */
uint8_t **shadow_call_take_chunks(struct shadow_call *c, uint32_t *n);
/* Deferred context: replies, liveness, queued calls. */
void shadow_poll(void);
/* When shadow_poll should look again (liveness while calls are out), or
 * 0. */
uint64_t shadow_next_deadline(void);

struct shadow_stats {
	uint64_t sent, replies, bad_replies, late_replies, resets;
	uint64_t stuck_pages;           /* still mapped by dom0: kept */
	/* Where an RPC's time goes (benchmarks): from the ring and notify
	 * to the reply handled in shadow_poll, and the daemon's own part. */
	uint64_t timed[ShadowOpCount], ring_ns[ShadowOpCount];
	uint64_t daemon_ns[ShadowOpCount];
	/* The daemon's xenstore node (data/shadowdaemon): times its watch
	 * fired, and departures seen there rather than by the port check. */
	uint64_t node_events, node_departures;
	/* Calls failed TimedOut, and their replies that came later. */
	uint64_t timeouts, late_after_timeout;
};
/* Prints shadow_stats' timings (at shutdown, if any call was made). */
void shadow_report(void);
extern struct shadow_stats shadow_stats;

#endif
