/*
 * The console.  dom0: HYPERVISOR_console_io, which Xen prints on its own
 * serial line.  domU: the PV console ring (start_info console.domU.mfn)
 * read by xenconsoled in dom0 and shown by `xl console`.
 */
#include <stdbool.h>
#include <stdint.h>
#include <xen/interface/io/console.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <xen/evtchn.h>
#include <xen/time.h>
#include <xen/console.h>
#include <arch/asm_defs.h>

/* How long a full ring may stall before output is dropped (backend gone). */
#define RING_STALL_NS  (3ULL * 1000 * 1000 * 1000)

static struct xencons_interface *ring;
static uint32_t ring_port;

/* Where input goes, in upcall context (the kernel's console-input source). */
static console_input_fn input_hook;

static void input_put(const char *buf, size_t n)
{
	if (n > 0 && input_hook != NULL)
		input_hook(buf, n);
}

/* dom0: Xen raises VIRQ_CONSOLE when serial input for dom0 arrives. */
static void dom0_input(uint32_t port, void *arg)
{
	char buf[128];
	long n;

	(void)port;
	(void)arg;
	while ((n = hv_console_io(CONSOLEIO_read, sizeof(buf), buf)) > 0)
		input_put(buf, (size_t)n);
}

/* domU: xenconsoled fills in[] and notifies the ring's event channel. */
static void ring_input(uint32_t port, void *arg)
{
	char buf[128];

	(void)arg;
	for (;;) {
		XENCONS_RING_IDX cons = ring->in_cons, prod = ring->in_prod;
		size_t n = 0;

		asm volatile("mfence" ::: "memory");
		if (cons == prod)
			break;
		while (cons != prod && n < sizeof(buf))
			buf[n++] = ring->in[MASK_XENCONS_IDX(cons++, ring->in)];
		asm volatile("mfence" ::: "memory");
		ring->in_cons = cons;
		input_put(buf, n);
	}
	evtchn_notify(port);
}

void console_input_init(console_input_fn fn)
{
	input_hook = fn;
	if (ring == NULL) {
		evtchn_bind_virq(VIRQ_CONSOLE, dom0_input, NULL);
	} else {
		evtchn_set_handler(ring_port, ring_input, NULL);
		evtchn_unmask(ring_port);
	}
}

static inline void barrier(void)
{
	asm volatile("mfence" ::: "memory");
}

void console_init(void)
{
	if (xen_is_dom0())
		return;
	/*
	 * The console frame is one of the pages the domain builder put in
	 * our boot mapping, where virtual = VIRT_BASE + pfn * 4096.
	 */
	uint64_t pfn = mfn_to_pfn(start_info->console.domU.mfn);
	ring = (struct xencons_interface *)(KERNEL_VIRT_BASE + (pfn << 12));
	ring_port = start_info->console.domU.evtchn;
}

static bool ring_put(char c, uint64_t *stall_start)
{
	for (;;) {
		XENCONS_RING_IDX cons = ring->out_cons, prod = ring->out_prod;

		barrier();
		if (prod - cons < sizeof(ring->out)) {
			ring->out[MASK_XENCONS_IDX(prod, ring->out)] = c;
			barrier();
			ring->out_prod = prod + 1;
			*stall_start = 0;
			return true;
		}
		/* Full: kick the backend and let dom0 run. */
		evtchn_notify(ring_port);
		hv_sched_op(SCHEDOP_yield, NULL);
		uint64_t now = time_now_ns();
		if (*stall_start == 0)
			*stall_start = now;
		else if (now - *stall_start > RING_STALL_NS)
			return false;
	}
}

static void ring_write(const char *buf, size_t len)
{
	uint64_t stall_start = 0;

	for (size_t i = 0; i < len; i++) {
		/* A terminal on `xl console` wants CR LF. */
		if (buf[i] == '\n' && !ring_put('\r', &stall_start))
			break;
		if (!ring_put(buf[i], &stall_start))
			break;
	}
	evtchn_notify(ring_port);
}

void console_write(const char *buf, size_t len)
{
	if (ring != NULL)
		ring_write(buf, len);
	else
		hv_console_io(CONSOLEIO_write, (int)len, buf);
}

void console_flush(void)
{
	if (ring == NULL)
		return;
	uint64_t start = time_now_ns();
	evtchn_notify(ring_port);
	while (ring->out_cons != ring->out_prod &&
	       time_now_ns() - start < RING_STALL_NS)
		hv_sched_op(SCHEDOP_yield, NULL);
}
