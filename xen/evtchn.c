/*
 * Event channels (2-level ABI).  Xen sets a port's bit in
 * shared_info->evtchn_pending, the word's bit in the vCPU's
 * evtchn_pending_sel, and evtchn_upcall_pending, then calls our upcall
 * entry unless events are masked.
 */
#include <stddef.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <xen/evtchn.h>
#include <kernel/panic.h>

#define NR_PORTS EVTCHN_2L_NR_CHANNELS
#define BITS_PER_WORD (8 * sizeof(xen_ulong_t))

struct port_handler {
	evtchn_handler_fn fn;
	void *arg;
};

static struct port_handler handlers[NR_PORTS];

void evtchn_init(void)
{
	/* Mask every port until someone binds it. */
	for (size_t i = 0; i < NR_PORTS / BITS_PER_WORD; i++)
		shared_info->evtchn_mask[i] = ~(xen_ulong_t)0;
}

void evtchn_set_handler(uint32_t port, evtchn_handler_fn fn, void *arg)
{
	ASSERT(port < NR_PORTS);
	handlers[port].fn = fn;
	handlers[port].arg = arg;
}

void evtchn_unmask(uint32_t port)
{
	evtchn_unmask_t op = { .port = port };

	/* The hypercall re-raises the upcall if the port was pending. */
	hv_event_channel_op(EVTCHNOP_unmask, &op);
}

uint32_t evtchn_bind_virq(uint32_t virq, evtchn_handler_fn fn, void *arg)
{
	evtchn_bind_virq_t op = { .virq = virq, .vcpu = 0 };
	long rc = hv_event_channel_op(EVTCHNOP_bind_virq, &op);

	if (rc != 0)
		panic("bind VIRQ %u failed: %ld", virq, rc);
	evtchn_set_handler(op.port, fn, arg);
	evtchn_unmask(op.port);
	return op.port;
}

void evtchn_notify(uint32_t port)
{
	evtchn_send_t op = { .port = port };

	hv_event_channel_op(EVTCHNOP_send, &op);
}

bool evtchn_alloc_unbound(uint16_t remote, uint32_t *port)
{
	evtchn_alloc_unbound_t op = { .dom = DOMID_SELF, .remote_dom = remote };

	if (hv_event_channel_op(EVTCHNOP_alloc_unbound, &op) != 0)
		return false;
	*port = op.port;
	return true;
}

bool evtchn_is_interdomain(uint32_t port)
{
	evtchn_status_t op = { .dom = DOMID_SELF, .port = port };

	if (hv_event_channel_op(EVTCHNOP_status, &op) != 0)
		return false;
	return op.status == EVTCHNSTAT_interdomain;
}

static void dispatch(uint32_t port)
{
	struct port_handler *h = &handlers[port];

	if (h->fn != NULL)
		h->fn(port, h->arg);
}

void evtchn_do_upcall(void)
{
	do {
		vcpu0->evtchn_upcall_pending = 0;
		xen_ulong_t sel = __atomic_exchange_n(&vcpu0->evtchn_pending_sel,
						      0, __ATOMIC_SEQ_CST);
		while (sel != 0) {
			unsigned int word = __builtin_ctzl(sel);
			xen_ulong_t pending;

			sel &= sel - 1;
			while ((pending = shared_info->evtchn_pending[word] &
					  ~shared_info->evtchn_mask[word]) != 0) {
				unsigned int bit = __builtin_ctzl(pending);

				__atomic_fetch_and(&shared_info->evtchn_pending[word],
						   ~((xen_ulong_t)1 << bit),
						   __ATOMIC_SEQ_CST);
				dispatch(word * BITS_PER_WORD + bit);
			}
		}
	} while (vcpu0->evtchn_upcall_pending);
}
