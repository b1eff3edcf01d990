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
 * must never hang on it.  A reply is checked before it is believed: its
 * length within XENSTORE_PAYLOAD_MAX, its req_id ours, its type ours or
 * XS_ERROR; anything else (a watch event, which we never ask for, or
 * junk) is skipped and counted.
 */
#include <stddef.h>
#include <xen/hypercall.h>
#include <xen/interface/io/xs_wire.h>
#include <xen/guest.h>
#include <xen/time.h>
#include <xen/xenstore.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>

#define XS_TIMEOUT_NS (2ULL * 1000 * 1000 * 1000)

static struct xenstore_domain_interface *xs;
static uint32_t xs_port;
static uint32_t next_req_id = 1;
uint64_t xs_bad_replies;

bool xs_init(void)
{
	if (xen_is_dom0() || start_info->store_mfn == 0)
		return false;
	xs = pfn_to_va(mfn_to_pfn(start_info->store_mfn));
	xs_port = start_info->store_evtchn;
	return true;
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

/* One request: the payload is the concatenation of parts; the reply's
 * payload (NUL-terminated here) goes into reply.  False on XS_ERROR, a
 * timeout or a reply that does not fit. */
static bool xs_talk(uint32_t type, const void *p1, size_t l1, const void *p2,
		    size_t l2, char *reply, size_t reply_size)
{
	uint64_t deadline = time_now_ns() + XS_TIMEOUT_NS;
	struct xsd_sockmsg m = {
		.type = (enum xsd_sockmsg_type)type, .req_id = next_req_id++, .tx_id = 0,
		.len = (uint32_t)(l1 + l2),
	};
	char junk[64];

	if (xs == NULL || l1 + l2 > XENSTORE_PAYLOAD_MAX)
		return false;
	if (!put_bytes(&m, sizeof(m), deadline) || !put_bytes(p1, l1, deadline) ||
	    !put_bytes(p2, l2, deadline))
		return false;
	for (;;) {
		struct xsd_sockmsg r;

		if (!get_bytes(&r, sizeof(r), deadline))
			return false;
		if (r.len > XENSTORE_PAYLOAD_MAX)
			return false;            /* cannot even skip it safely */
		bool ours = r.req_id == m.req_id &&
			    (r.type == type || r.type == (uint32_t)XS_ERROR);
		if (!ours || r.type == (uint32_t)XS_ERROR || (size_t)r.len >= reply_size) {
			/* Skip the payload. */
			for (uint32_t left = r.len; left > 0;) {
				uint32_t n = left < sizeof(junk) ? left : sizeof(junk);
				if (!get_bytes(junk, n, deadline))
					return false;
				left -= n;
			}
			if (!ours) {
				xs_bad_replies++;
				continue;
			}
			return false;
		}
		if (!get_bytes(reply, r.len, deadline))
			return false;
		reply[r.len] = '\0';
		return true;
	}
}

bool xs_read(const char *path, char *buf, size_t size)
{
	return xs_talk(XS_READ, path, strlen(path) + 1, NULL, 0, buf, size);
}

bool xs_write(const char *path, const char *value)
{
	char ok[8];

	return xs_talk(XS_WRITE, path, strlen(path) + 1, value, strlen(value),
		       ok, sizeof(ok));
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
