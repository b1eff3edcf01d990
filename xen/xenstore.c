/*
 * xenstore over the domU ring (public/io/xs_wire.h).  The ring page is a
 * machine frame of our own memory (start_info store_mfn): like the
 * console's, we find its pfn through the M2P table and use the direct
 * map.  A message is a struct xsd_sockmsg header and len payload bytes;
 * requests go into req[], replies come back in rsp[], each a byte ring
 * of XENSTORE_RING_SIZE indexed by free-running counters.
 *
 * One request at a time, and we wait for its reply by polling with a
 * bound: the store lives in dom0 and may be slow or gone, and a caller
 * must never hang on it.  Every message is read whole (header, then at
 * most XENSTORE_PAYLOAD_MAX bytes) and checked before it is believed
 * (xen/xs_msg.c): a reply must carry our req_id and our type or
 * XS_ERROR, and fit the caller's buffer.
 *
 * Watches.  Xen's quirks: (1) a watch event is unsolicited: it comes
 * whenever the store likes, so also in the middle of our wait for some
 * reply (before it, between its bytes never), and it must be kept, not
 * taken for the reply or dropped; (2) registering a watch fires it once
 * at once (so a watcher reads the node's current state in its handler
 * and needs no separate first read), and that event may come before or
 * after XS_WATCH's reply; (3) the event names the path that changed (it
 * may be below the watched one, or the node may be gone) and the token
 * we chose, and nothing more: the handler reads what it needs.  So an
 * event only marks its watch pending (by token: an unknown token is
 * dropped and counted), and xs_poll runs the handlers later, outside
 * any wait, from the deferred work the store's event channel wakes.
 */
#include <stddef.h>
#include <xen/hypercall.h>
#include <xen/interface/io/xs_wire.h>
#include <xen/guest.h>
#include <xen/time.h>
#include <xen/evtchn.h>
#include <xen/xenstore.h>
#include <xen/xs_msg.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>

#define XS_TIMEOUT_NS (2ULL * 1000 * 1000 * 1000)

static struct xenstore_domain_interface *xs;
static uint32_t xs_port;
static uint32_t next_req_id = 1;
static void (*wake_hook)(void);
static bool talking;                 /* in xs_talk: no handler may run */
static struct xs_watch watches[XS_WATCHES_MAX];
static char watch_paths[XS_WATCHES_MAX][XS_WATCH_PATH_MAX];
static char watch_tokens[XS_WATCHES_MAX][8];
/* One message's payload (+ a NUL), read whole before it is looked at. */
static char payload[XENSTORE_PAYLOAD_MAX + 1];
uint64_t xs_bad_replies;
uint64_t xs_watch_events;

static void upcall(uint32_t port, void *arg)
{
	(void)port;
	(void)arg;
	if (wake_hook != NULL)
		wake_hook();
}

bool xs_init(void)
{
	if (xen_is_dom0() || start_info->store_mfn == 0)
		return false;
	if (xs != NULL)
		return true;
	xs = pfn_to_va(mfn_to_pfn(start_info->store_mfn));
	xs_port = start_info->store_evtchn;
	/* Replies are polled; the upcall is for events, which come on
	 * their own (it also fires for replies: harmless). */
	evtchn_set_handler(xs_port, upcall, NULL);
	evtchn_unmask(xs_port);
	return true;
}

void xs_set_wake(void (*wake)(void))
{
	wake_hook = wake;
}

bool xs_available(void)
{
	return xs != NULL;
}

static void kick(void)
{
	evtchn_send_t op = { .port = xs_port };

	hv_event_channel_op(EVTCHNOP_send, &op);
}

static bool timed_out(uint64_t deadline)
{
	if (time_now_ns() > deadline)
		return true;
	hv_sched_op(SCHEDOP_yield, NULL);
	return false;
}

static bool put_bytes(const void *data, size_t len, uint64_t deadline)
{
	const char *p = data;

	while (len > 0) {
		XENSTORE_RING_IDX cons = __atomic_load_n(&xs->req_cons, __ATOMIC_ACQUIRE);
		XENSTORE_RING_IDX prod = xs->req_prod;

		if (prod - cons > XENSTORE_RING_SIZE)
			return false;            /* the other side broke the ring */
		size_t room = XENSTORE_RING_SIZE - (prod - cons);
		if (room == 0) {
			kick();
			if (timed_out(deadline))
				return false;
			continue;
		}
		while (room > 0 && len > 0) {
			xs->req[MASK_XENSTORE_IDX(prod++)] = *p++;
			room--;
			len--;
		}
		__atomic_store_n(&xs->req_prod, prod, __ATOMIC_RELEASE);
	}
	kick();
	return true;
}

static bool get_bytes(void *data, size_t len, uint64_t deadline)
{
	char *p = data;

	while (len > 0) {
		XENSTORE_RING_IDX prod = __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE);
		XENSTORE_RING_IDX cons = xs->rsp_cons;

		if (prod - cons > XENSTORE_RING_SIZE)
			return false;
		if (prod == cons) {
			if (timed_out(deadline))
				return false;
			continue;
		}
		while (cons != prod && len > 0) {
			*p++ = xs->rsp[MASK_XENSTORE_IDX(cons++)];
			len--;
		}
		__atomic_store_n(&xs->rsp_cons, cons, __ATOMIC_RELEASE);
		kick();
	}
	return true;
}

/* Reads the next message whole: header into *m, payload into `payload`
 * (NUL-terminated).  False on a timeout, a broken ring, or a length we
 * cannot even skip (then the stream has lost its framing for good). */
static bool read_msg(struct xsd_sockmsg *m, uint64_t deadline)
{
	if (!get_bytes(m, sizeof(*m), deadline))
		return false;
	if (xs_msg_kind(m, 0, 0) == XsBroken) {
		xs_bad_replies++;
		return false;
	}
	if (!get_bytes(payload, m->len, deadline))
		return false;
	payload[m->len] = '\0';
	return true;
}

/* A message that is not the reply we wait for: an event is kept (its
 * watch marked), anything else dropped and counted. */
static void unsolicited(const struct xsd_sockmsg *m, enum xs_msg_kind kind)
{
	if (kind == XsWatchEvent &&
	    xs_watch_event(watches, XS_WATCHES_MAX, payload, m->len)) {
		xs_watch_events++;
		if (wake_hook != NULL)
			wake_hook();        /* xs_poll runs the handler */
		return;
	}
	xs_bad_replies++;
}

/* One request: the payload is the concatenation of parts; the reply's
 * payload (NUL-terminated here) goes into reply, its length into
 * *reply_len.  False on XS_ERROR, a timeout or a reply that does not fit. */
static bool xs_talk(uint32_t type, const void *p1, size_t l1, const void *p2,
		    size_t l2, char *reply, size_t reply_size, uint32_t *reply_len)
{
	uint64_t deadline = time_now_ns() + XS_TIMEOUT_NS;
	struct xsd_sockmsg m = {
		.type = (enum xsd_sockmsg_type)type, .req_id = next_req_id++, .tx_id = 0,
		.len = (uint32_t)(l1 + l2),
	};

	if (xs == NULL || l1 + l2 > XENSTORE_PAYLOAD_MAX || reply_size == 0)
		return false;
	if (m.req_id == 0)
		m.req_id = next_req_id++;       /* 0 means "none" (xs_msg_kind) */
	ASSERT(!talking);
	talking = true;
	bool ok = put_bytes(&m, sizeof(m), deadline) && put_bytes(p1, l1, deadline) &&
		  put_bytes(p2, l2, deadline);
	while (ok) {
		struct xsd_sockmsg r;

		if (!(ok = read_msg(&r, deadline)))
			break;
		enum xs_msg_kind kind = xs_msg_kind(&r, m.req_id, type);
		if (kind == XsReply || kind == XsErrorReply) {
			ok = kind == XsReply && (size_t)r.len < reply_size;
			if (ok) {
				memcpy(reply, payload, r.len + 1);
				if (reply_len != NULL)
					*reply_len = r.len;
			}
			break;
		}
		unsolicited(&r, kind);
	}
	talking = false;
	return ok;
}

bool xs_read(const char *path, char *buf, size_t size)
{
	return xs_talk(XS_READ, path, strlen(path) + 1, NULL, 0, buf, size, NULL);
}

bool xs_write(const char *path, const char *value)
{
	char ok[8];

	return xs_talk(XS_WRITE, path, strlen(path) + 1, value, strlen(value),
		       ok, sizeof(ok), NULL);
}

int xs_domid(void)
{
	char buf[16];
	int id = 0;

	if (!xs_read("domid", buf, sizeof(buf)) || buf[0] == '\0')
		return -1;
	for (const char *p = buf; *p; p++) {
		if (*p < '0' || *p > '9' || id > 100000)
			return -1;
		id = id * 10 + (*p - '0');
	}
	return id;
}

int xs_directory(const char *path, char *buf, size_t size, const char **names,
		 int max)
{
	uint32_t len;

	if (!xs_talk(XS_DIRECTORY, path, strlen(path) + 1, NULL, 0, buf, size, &len))
		return -1;
	return xs_directory_parse(buf, len, names, max);
}

/* XS_WATCH and XS_UNWATCH: "path\0token\0", answered "OK". */
static bool watch_op(uint32_t type, const struct xs_watch *w)
{
	char ok[8];

	return xs_talk(type, w->path, strlen(w->path) + 1, w->token,
		       strlen(w->token) + 1, ok, sizeof(ok), NULL);
}

int xs_watch(const char *path, void (*fired)(void *arg), void *arg)
{
	int i;

	if (strlen(path) >= XS_WATCH_PATH_MAX)
		return -1;
	for (i = 0; i < XS_WATCHES_MAX && watches[i].token != NULL; i++)
		;
	if (i == XS_WATCHES_MAX)
		return -1;
	struct xs_watch *w = &watches[i];
	memcpy(watch_paths[i], path, strlen(path) + 1);
	/* A token of our own per slot ("e0", "e1", ...); it is what the
	 * store echoes back. */
	snprintf(watch_tokens[i], sizeof(watch_tokens[i]), "e%d", i);
	*w = (struct xs_watch){ .path = watch_paths[i], .token = watch_tokens[i],
				.fired = fired, .arg = arg };
	/* Armed before the request: the first firing may beat the reply. */
	if (!watch_op(XS_WATCH, w)) {
		*w = (struct xs_watch){ 0 };
		return -1;
	}
	return i;
}

void xs_unwatch(int id)
{
	ASSERT(id >= 0 && id < XS_WATCHES_MAX && watches[id].token != NULL);
	watch_op(XS_UNWATCH, &watches[id]);
	/* An event already on its way finds no token: dropped, counted. */
	watches[id] = (struct xs_watch){ 0 };
}

/* Is a whole message waiting in the ring?  (A message longer than the
 * ring can never be whole in it: once its header is there, it is read
 * with the usual bounded wait, its sender being mid-write.) */
static bool message_waiting(void)
{
	XENSTORE_RING_IDX prod = __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX cons = xs->rsp_cons;
	struct xsd_sockmsg m;

	if (prod - cons > XENSTORE_RING_SIZE || prod - cons < sizeof(m))
		return false;
	for (size_t i = 0; i < sizeof(m); i++)
		((char *)&m)[i] = xs->rsp[MASK_XENSTORE_IDX(cons + (XENSTORE_RING_IDX)i)];
	return m.len > XENSTORE_RING_SIZE - sizeof(m) || prod - cons >= sizeof(m) + m.len;
}

void xs_poll(void)
{
	if (xs == NULL || talking)
		return;
	struct xsd_sockmsg m;

	/* Called on every deferred run: the clock is read only when a
	 * message is waiting. */
	if (message_waiting()) {
		uint64_t deadline = time_now_ns() + XS_TIMEOUT_NS;

		talking = true;
		while (message_waiting() && read_msg(&m, deadline))
			unsolicited(&m, xs_msg_kind(&m, 0, 0));
		talking = false;
	}
	/* Handlers may talk to the store (and so mark more watches): round
	 * after round until none is pending, each watch at most once a
	 * round. */
	for (int round = 0; round < 4; round++) {
		bool any = false;
		for (int i = 0; i < XS_WATCHES_MAX; i++) {
			struct xs_watch *w = &watches[i];
			if (w->token != NULL && w->pending) {
				w->pending = false;
				any = true;
				w->fired(w->arg);
			}
		}
		if (!any)
			break;
	}
}
