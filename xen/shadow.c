/*
 * The kernel's end of the file transport (<xen/shadow.h>; the protocol
 * is in <uapi/ethos/shadow.h>).
 *
 * Calls wait in `queued` until the ring has room for them: at most
 * SHADOW_RING_SLOTS are unanswered at once (`inflight`), so the daemon
 * always has a response slot, and any number may be outstanding.  Each
 * call's data is a page-aligned kmalloc block granted page by page to
 * dom0 (read-only for writes), its refs in list pages chained by their
 * last word.
 *
 * The daemon's comings and goings.  It writes data/shadowdaemon in our
 * domain's xenstore directory when it starts serving us and removes it
 * when it stops on purpose (SIGTERM, or on our request); the kernel
 * watches that node (xs_watch), so an orderly departure fails every call
 * with Unavailable and resets the ring for the next daemon (a new
 * kernel_gen) at once, and a daemon that announces itself makes the
 * kernel look at the old connection at once, so that the new one can
 * sync without waiting for the old one's death to be noticed.
 *
 * A crash says nothing: a killed daemon cannot remove its node, and Xen
 * tells nobody when dom0 closes its end of our event channel (our port
 * just becomes unbound again).  So, as the fallback that only a crash
 * needs, whenever calls are out shadow_poll asks (EVTCHNOP_status) at
 * least every LIVENESS_NS, and so does every file syscall (shadow_ready);
 * a port that is no longer interdomain resets the ring the same way.
 *
 * A daemon that looks alive but does not answer one call (a request it
 * is stuck on, or one it lost) must not leave that call's event pending
 * for ever: a call in flight longer than its deadline (CALL_TIMEOUT_NS,
 * plus CALL_TIMEOUT_PER_MIB_NS for each MiB of its data, so that a big
 * transfer is not cut short) fails with TimedOut.  Its id stays `owed`:
 * it still holds a response slot of the ring (the daemon may yet answer
 * it), and its reply, if it comes, is dropped and counted rather than
 * taken for a broken daemon.
 *
 * A grant the daemon still has mapped cannot be ended; its frames must
 * not be reused.  Such a buffer is kept on `stuck` and retried on later
 * polls (it happens only when a daemon dies with a mapping: gntdev unmaps
 * at process exit).
 */
#include <stddef.h>
#include <xen/evtchn.h>
#include <xen/grant.h>
#include <xen/guest.h>
#include <xen/time.h>
#include <xen/xenstore.h>
#include <xen/shadow.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/printk.h>
#include <kernel/panic.h>

#define DOM0 0
#define DAEMON_NODE "data/shadowdaemon"
#define LIVENESS_NS     (100ULL * 1000 * 1000)
#define BOOT_WAIT_NS    (5ULL * 1000 * 1000 * 1000)
#define CALL_TIMEOUT_NS (5ULL * 1000 * 1000 * 1000)
#define CALL_TIMEOUT_PER_MIB_NS (1000ULL * 1000 * 1000)
#define MASK(i) ((i) & (SHADOW_RING_SLOTS - 1))

TAILQ_HEAD(callq, shadow_call);

static struct shadow_ring *ring;
static uint32_t port;
static void (*wake_hook)(void);
static struct callq queued = { NULL, &queued.tqh_first };
static struct callq inflight = { NULL, &inflight.tqh_first };
static struct callq stuck = { NULL, &stuck.tqh_first };
static uint32_t ninflight;
static uint64_t owed[SHADOW_RING_SLOTS];   /* timed out, reply still due */
static uint32_t nowed;
static uint32_t req_prod, rsp_cons;  /* our private copies */
static uint64_t next_id = 1;
static uint64_t next_check;
struct shadow_stats shadow_stats;

static void daemon_node_changed(void *arg);

static void upcall(uint32_t p, void *arg)
{
	(void)p;
	(void)arg;
	if (wake_hook != NULL)
		wake_hook();
}

static bool connected(void)
{
	return ring != NULL &&
	       __atomic_load_n(&ring->daemon_gen, __ATOMIC_ACQUIRE) == ring->kernel_gen;
}

void shadow_init(void (*wake)(void))
{
	char refs[SHADOW_RING_PAGES * 12], buf[32];
	size_t n = 0;

	wake_hook = wake;
	if (!xs_init())
		return;
	if (!grant_init()) {
		printk("files: no grant table; no files\n");
		return;
	}
	/* One block: the ring is one struct over its pages. */
	unsigned int order = 0;
	while ((1U << order) < SHADOW_RING_PAGES)
		order++;
	struct shadow_ring *r = page_alloc(order);
	if (r == NULL || !evtchn_alloc_unbound(DOM0, &port))
		panic("files: cannot set up the ring");
	memset(r, 0, PAGE_SIZE << order);
	r->magic = SHADOW_MAGIC;
	r->version = SHADOW_VERSION;
	r->kernel_gen = 1;
	for (unsigned int i = 0; i < SHADOW_RING_PAGES; i++) {
		uint32_t ref = grant_access(DOM0, va_to_pfn((char *)r + i * PAGE_SIZE),
					    false);
		ASSERT(ref != 0);
		n += snprintf(refs + n, sizeof(refs) - n, "%s%u", i ? " " : "", ref);
	}
	snprintf(buf, sizeof(buf), "%u", port);
	ring = r;
	evtchn_set_handler(port, upcall, NULL);
	evtchn_unmask(port);
	if (!xs_write("data/ethos-files/ring-ref", refs) ||
	    !xs_write("data/ethos-files/event-channel", buf)) {
		printk("files: cannot announce the ring in xenstore\n");
		return;
	}
	xs_set_wake(wake);
	if (xs_watch(DAEMON_NODE, daemon_node_changed, NULL) < 0)
		printk("files: cannot watch %s; a daemon's departure is noticed by polling only\n",
		       DAEMON_NODE);
	/* A daemon that has seen us (it watches for the domain before we
	 * run) gets a few seconds to connect, so that the first program
	 * finds its files. */
	if (!xs_read(DAEMON_NODE, buf, sizeof(buf))) {
		printk("files: no shadowdaemon announced\n");
		return;
	}
	uint64_t deadline = time_now_ns() + BOOT_WAIT_NS;
	while (!connected() && time_now_ns() < deadline)
		asm volatile("pause");
	printk("files: shadowdaemon %s\n", connected() ? "connected" : "did not connect");
}

static void grants_end(struct shadow_call *c, bool *stuck_out)
{
	uint32_t total = c->npages + c->nlists;

	*stuck_out = false;
	for (uint32_t i = 0; i < total; i++) {
		if (c->refs[i] == 0)
			continue;
		if (grant_end(c->refs[i]))
			c->refs[i] = 0;
		else
			*stuck_out = true;
	}
}

static void lists_free(struct shadow_call *c)
{
	for (uint32_t i = 0; i < c->nlists; i++)
		page_free(c->lists[i], 0);
	kfree(c->lists);
	kfree(c->refs);
	c->lists = NULL;
	c->refs = NULL;
	c->nlists = 0;
}

/* Ends the call's grants.  False if dom0 still maps some: then the
 * buffer and lists move to a holder on `stuck` (retried later) and the
 * call is left without them. */
static bool ungrant(struct shadow_call *c)
{
	bool st;

	if (c->refs == NULL)
		return true;
	grants_end(c, &st);
	if (!st) {
		lists_free(c);
		return true;
	}
	shadow_stats.stuck_pages++;
	struct shadow_call *h = kmalloc(sizeof(*h));
	if (h != NULL) {
		*h = *c;
		h->done = NULL;
		h->state = CallIdle;
		TAILQ_INSERT_TAIL(&stuck, h, link);
	}
	/* (Without memory for a holder the frames are simply kept.) */
	c->chunks = NULL;
	c->nchunks = 0;
	c->refs = NULL;
	c->lists = NULL;
	c->nlists = 0;
	return false;
}

struct shadow_call *shadow_call_new(uint32_t op, uint64_t len, bool readonly)
{
	if (len > SHADOW_DATA_MAX)
		return NULL;
	struct shadow_call *c = kmalloc(sizeof(*c));
	if (c == NULL)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->req.op = op;
	c->req.data_len = len;
	c->readonly = readonly;
	c->npages = (uint32_t)PFN_UP(len);
	if (len == 0)
		return c;
	uint32_t n = (uint32_t)((len + SHADOW_CHUNK_BYTES - 1) / SHADOW_CHUNK_BYTES);
	if ((c->chunks = kmalloc(n * sizeof(*c->chunks))) == NULL) {
		kfree(c);
		return NULL;
	}
	for (c->nchunks = 0; c->nchunks < n; c->nchunks++) {
		uint64_t left = len - (uint64_t)c->nchunks * SHADOW_CHUNK_BYTES;
		size_t bytes = left < SHADOW_CHUNK_BYTES ? PFN_UP(left) * PAGE_SIZE :
						      SHADOW_CHUNK_BYTES;
		/* Over the slob sizes, so kmalloc gives whole pages. */
		uint8_t *b = kmalloc(bytes < 2 * PAGE_SIZE ? 2 * PAGE_SIZE : bytes);
		if (b == NULL) {
			shadow_call_free(c);
			return NULL;
		}
		ASSERT(((uintptr_t)b & (PAGE_SIZE - 1)) == 0);
		c->chunks[c->nchunks] = b;
	}
	return c;
}

void shadow_call_free(struct shadow_call *c)
{
	ASSERT(c->state == CallIdle && c->refs == NULL);
	kfree_chunks(c->chunks, c->nchunks);
	kfree(c);
}

uint8_t **shadow_call_take_chunks(struct shadow_call *c, uint32_t *n)
{
	uint8_t **chunks = c->chunks;

	ASSERT(c->state == CallIdle && c->refs == NULL);
	*n = c->nchunks;
	c->chunks = NULL;
	c->nchunks = 0;
	return chunks;
}

/* Page i of the call's buffer. */
static void *call_page(const struct shadow_call *c, uint32_t i)
{
	uint32_t per = SHADOW_CHUNK_BYTES / PAGE_SIZE;

	return c->chunks[i / per] + (size_t)(i % per) * PAGE_SIZE;
}

/* Grants the data pages and builds the list pages. */
static enum status grant_call(struct shadow_call *c)
{
	uint32_t nlists = (c->npages + SHADOW_LIST_REFS - 1) / SHADOW_LIST_REFS;

	c->refs = kmalloc((c->npages + nlists) * sizeof(uint32_t) + 1);
	c->lists = kmalloc(nlists * sizeof(void *) + 1);
	if (c->refs == NULL || c->lists == NULL)
		goto nomem;
	memset(c->refs, 0, (c->npages + nlists) * sizeof(uint32_t));
	for (c->nlists = 0; c->nlists < nlists; c->nlists++)
		if ((c->lists[c->nlists] = page_alloc(0)) == NULL)
			goto nomem;
	for (uint32_t i = 0; i < c->npages; i++) {
		pfn_t pfn = va_to_pfn(call_page(c, i));
		if ((c->refs[i] = grant_access(DOM0, pfn, c->readonly)) == 0)
			goto nospace;
		((uint32_t *)c->lists[i / SHADOW_LIST_REFS])[i % SHADOW_LIST_REFS] =
			c->refs[i];
	}
	/* Backwards, so each list page can name the next one's ref. */
	uint32_t next = 0;
	for (uint32_t l = nlists; l-- > 0;) {
		((uint32_t *)c->lists[l])[SHADOW_LIST_REFS] = next;
		next = c->refs[c->npages + l] = grant_access(DOM0, va_to_pfn(c->lists[l]), true);
		if (next == 0)
			goto nospace;
	}
	c->req.list_ref = next;
	return StatusOk;
nospace:
	{
		bool st;
		grants_end(c, &st);     /* not sent yet: nobody maps them */
		ASSERT(!st);
		lists_free(c);
		return StatusNoSpace;
	}
nomem:
	lists_free(c);
	return StatusNoMemory;
}

/* Moves queued calls into free ring slots. */
static void push(void)
{
	bool sent = false;
	struct shadow_call *c;

	while (connected() && ninflight + nowed < SHADOW_RING_SLOTS &&
	       (c = TAILQ_FIRST(&queued)) != NULL) {
		TAILQ_REMOVE(&queued, c, link);
		c->req.id = next_id++;
		memcpy(&ring->req[MASK(req_prod)], &c->req, sizeof(c->req));
		req_prod++;
		__atomic_store_n(&ring->req_prod, req_prod, __ATOMIC_RELEASE);
		c->state = CallInFlight;
		c->sent_ns = time_now_ns();
		TAILQ_INSERT_TAIL(&inflight, c, link);
		ninflight++;
		shadow_stats.sent++;
		sent = true;
	}
	if (sent)
		evtchn_notify(port);
}

/* A call leaves the transport: grants ended, then done (or freed). */
static void finish(struct shadow_call *c, enum status st,
		   const struct shadow_rsp *rsp)
{
	c->state = CallIdle;
	if (!ungrant(c)) {
		/* The buffer stays with dom0 for now: no result from it.  A
		 * failure (TimedOut above all: a stalled daemon still maps the
		 * pages of the call it stalls on) keeps its own status. */
		if (st == StatusOk)
			st = StatusUnavailable;
		rsp = NULL;
	}
	if (c->done != NULL)
		c->done(c, st, rsp);
	else
		shadow_call_free(c);
}

/* The daemon is gone (or broke the protocol): every call fails, and the
 * ring starts over for the next one. */
static void reset(void)
{
	struct shadow_call *c;

	shadow_stats.resets++;
	ring->kernel_gen++;
	__atomic_store_n(&ring->daemon_gen, 0, __ATOMIC_RELEASE);
	ring->req_prod = ring->req_cons = ring->rsp_prod = ring->rsp_cons = 0;
	req_prod = rsp_cons = 0;
	nowed = 0;              /* the next daemon owes nothing */
	while ((c = TAILQ_FIRST(&inflight)) != NULL) {
		TAILQ_REMOVE(&inflight, c, link);
		ninflight--;
		finish(c, StatusUnavailable, NULL);
	}
	while ((c = TAILQ_FIRST(&queued)) != NULL) {
		TAILQ_REMOVE(&queued, c, link);
		finish(c, StatusUnavailable, NULL);
	}
}

/* A reply to a call that timed out: forgotten (true), or not one. */
static bool owed_reply(uint64_t id)
{
	for (uint32_t i = 0; i < nowed; i++) {
		if (owed[i] == id) {
			owed[i] = owed[--nowed];
			shadow_stats.late_after_timeout++;
			return true;
		}
	}
	return false;
}

/* Handles the replies in the ring, each matched to its call and checked.
 * Not nested: a done function that resubmits may find the daemon gone
 * (shadow_ready), and the reset then happens under this loop, which
 * stops. */
static void take_replies(void)
{
	static bool taking;

	if (!connected() || taking)
		return;
	uint32_t prod = __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
	if (prod - rsp_cons > ninflight + nowed) {
		/* More responses than requests out: a broken daemon. */
		shadow_stats.bad_replies++;
		reset();
		return;
	}
	taking = true;
	while (rsp_cons != prod) {
		struct shadow_rsp rsp;
		struct shadow_call *c;

		/* One copy: the daemon may change the slot under us. */
		memcpy(&rsp, &ring->rsp[MASK(rsp_cons)], sizeof(rsp));
		rsp_cons++;
		__atomic_store_n(&ring->rsp_cons, rsp_cons, __ATOMIC_RELEASE);
		TAILQ_FOREACH(c, &inflight, link)
			if (c->req.id == rsp.id)
				break;
		if (c == NULL) {
			if (!owed_reply(rsp.id))
				shadow_stats.bad_replies++;
			continue;
		}
		if (!shadow_rsp_valid(&c->req, &rsp)) {
			shadow_stats.bad_replies++;
			continue;       /* still in flight: the liveness check ends it */
		}
		shadow_stats.replies++;
		if (c->req.op < ShadowOpCount) {
			shadow_stats.timed[c->req.op]++;
			shadow_stats.ring_ns[c->req.op] += time_now_ns() - c->sent_ns;
			shadow_stats.daemon_ns[c->req.op] += rsp.daemon_ns;
		}
		TAILQ_REMOVE(&inflight, c, link);
		ninflight--;
		if (c->done == NULL)
			shadow_stats.late_replies++;
		finish(c, (enum status)rsp.status, &rsp);
		/* (done may have resubmitted, which looks at the port: if
		 * that found the daemon gone, the ring was reset under us.) */
		if (!connected())
			break;
	}
	taking = false;
}

/* The daemon has left (its port unbound, or its node gone).  The replies
 * it wrote before it went are good answers (one that leaves in order
 * answers its last request, then goes): they are taken first; every
 * other call then fails with Unavailable, and the ring is reset. */
static void daemon_gone(void)
{
	take_replies();
	if (connected())
		reset();
}

/* Fails everything if the daemon's end of the port is gone. */
static void check_alive(void)
{
	if (connected() && !evtchn_is_interdomain(port))
		daemon_gone();
}

/* data/shadowdaemon changed (and once when the watch was set): "1" is a
 * daemon that serves us or is about to; anything else, or no node, a
 * daemon that has left. */
static void daemon_node_changed(void *arg)
{
	char buf[16];

	(void)arg;
	shadow_stats.node_events++;
	if (!xs_read(DAEMON_NODE, buf, sizeof(buf)) || strcmp(buf, "1") != 0) {
		if (connected()) {
			shadow_stats.node_departures++;
			daemon_gone();
		}
		return;
	}
	check_alive();
}

bool shadow_ready(void)
{
	check_alive();
	return connected();
}

enum status shadow_submit(struct shadow_call *c)
{
	enum status st;

	ASSERT(c->state == CallIdle);
	if (!shadow_ready())
		return StatusUnavailable;
	if (c->npages > 0 && (st = grant_call(c)) != StatusOk)
		return st;
	c->state = CallQueued;
	TAILQ_INSERT_TAIL(&queued, c, link);
	if (next_check == 0)
		next_check = time_now_ns() + LIVENESS_NS;
	push();
	return StatusOk;
}

void shadow_cancel(struct shadow_call *c)
{
	switch (c->state) {
	case CallIdle:
		shadow_call_free(c);
		break;
	case CallQueued:
		TAILQ_REMOVE(&queued, c, link);
		c->state = CallIdle;
		ungrant(c);             /* never sent: nobody maps it */
		shadow_call_free(c);
		break;
	case CallInFlight:
		c->done = NULL;         /* its reply frees it */
		break;
	}
}

/* Fails the calls in flight past their deadline with TimedOut. */
static void expire_calls(uint64_t now)
{
	struct shadow_call *c, *next;

	/* (At most SHADOW_RING_SLOTS of them; deadlines differ with size,
	 * so every one is looked at.) */
	TAILQ_FOREACH_SAFE(c, &inflight, link, next) {
		uint64_t deadline = c->sent_ns + CALL_TIMEOUT_NS +
				    (c->req.data_len >> 20) * CALL_TIMEOUT_PER_MIB_NS;
		if (now < deadline)
			continue;
		TAILQ_REMOVE(&inflight, c, link);
		ninflight--;
		ASSERT(nowed < SHADOW_RING_SLOTS);
		owed[nowed++] = c->req.id;
		shadow_stats.timeouts++;
		finish(c, StatusTimedOut, NULL);
		if (!connected())
			return;         /* (done resubmitted and found it gone) */
	}
	/* A daemon that owes every slot can take no call again, and the
	 * queued ones would wait for ever: it counts as gone. */
	if (nowed == SHADOW_RING_SLOTS)
		reset();
}

static void retry_stuck(void)
{
	struct shadow_call *c, *next;

	TAILQ_FOREACH_SAFE(c, &stuck, link, next) {
		bool st;

		grants_end(c, &st);
		if (!st) {
			TAILQ_REMOVE(&stuck, c, link);
			lists_free(c);
			shadow_call_free(c);
		}
	}
}

void shadow_poll(void)
{
	if (ring == NULL)
		return;
	xs_poll();
	if (!TAILQ_EMPTY(&stuck))
		retry_stuck();
	uint64_t now = time_now_ns();
	if (next_check != 0 && now >= next_check) {
		check_alive();
		if (connected())
			expire_calls(now);
		/* (Stuck buffers are retried on the same clock.) */
		next_check = ninflight || !TAILQ_EMPTY(&queued) || !TAILQ_EMPTY(&stuck) ?
			     now + LIVENESS_NS : 0;
	} else if (next_check == 0 && !TAILQ_EMPTY(&stuck)) {
		next_check = now + LIVENESS_NS;
	}
	take_replies();
	if (connected())
		push();
}

uint64_t shadow_next_deadline(void)
{
	return next_check;
}

void shadow_report(void)
{
	static const char *const names[ShadowOpCount] = {
		[ShadowRead] = "read", [ShadowWrite] = "write",
		[ShadowOpenDir] = "openDirectory", [ShadowMkdir] = "createDirectory",
		[ShadowRemove] = "remove", [ShadowStat] = "fileInformation",
		[ShadowNextName] = "getNextName",
	};
	const struct shadow_stats *s = &shadow_stats;

	if (ring != NULL)
		printk("files: the daemon's xenstore node fired %lu times (%lu departures seen there), %lu resets in all; %lu calls timed out (%lu answered later, dropped), %lu bad replies; xenstore: %lu watch events, %lu stray messages\n",
		       (unsigned long)s->node_events, (unsigned long)s->node_departures,
		       (unsigned long)s->resets, (unsigned long)s->timeouts,
		       (unsigned long)s->late_after_timeout,
		       (unsigned long)s->bad_replies, (unsigned long)xs_watch_events,
		       (unsigned long)xs_bad_replies);

	for (unsigned int op = 1; op < ShadowOpCount; op++)
		if (s->timed[op] != 0)
			printk("files: %s: %lu replies, mean %lu ns from the ring to the reply, %lu ns of it in the daemon\n",
			       names[op], (unsigned long)s->timed[op],
			       (unsigned long)(s->ring_ns[op] / s->timed[op]),
			       (unsigned long)(s->daemon_ns[op] / s->timed[op]));
}
