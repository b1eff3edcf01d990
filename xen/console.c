/*
 * The console.  dom0: HYPERVISOR_console_io, which Xen prints on its own
 * serial line.  domU: the PV console ring (start_info console.domU.mfn)
 * read by xenconsoled in dom0 and shown by `xl console`.
 *
 * A domU whose backend is gone (xenconsoled killed, the console never
 * drained) would stall every write for RING_STALL_NS.  So one timeout
 * marks the ring dead: later writes are dropped at once and counted.  It
 * comes back by itself if the backend ever consumes again (the ring is no
 * longer full), and then says how many bytes were lost; a backend that
 * was only slow loses some output, not the console.
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
#include <kernel/kstring.h>
#include <kernel/printk.h>

/* How long a full ring may stall before output is dropped (backend gone). */
#define RING_STALL_NS  (3ULL * 1000 * 1000 * 1000)

static struct xencons_interface *ring;
static uint32_t ring_port;
static bool ring_dead;              /* a write timed out; see above */
static uint64_t ring_dropped;       /* bytes dropped while dead */

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

static void ring_write(const char *buf, size_t len);

/* False while the ring is dead: no backend has consumed since it died. */
static bool ring_alive(void)
{
	if (!ring_dead)
		return true;
	XENCONS_RING_IDX cons = ring->out_cons, prod = ring->out_prod;
	barrier();
	if (prod - cons == sizeof(ring->out))
		return false;
	ring_dead = false;
	char note[64];
	int n = snprintf(note, sizeof(note), "\n[console: %lu bytes dropped]\n",
			 (unsigned long)ring_dropped);
	ring_dropped = 0;
	ring_write(note, (size_t)n);
	return !ring_dead;
}

static void ring_write(const char *buf, size_t len)
{
	uint64_t stall_start = 0;

	if (!ring_alive()) {
		ring_dropped += len;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		/* A terminal on `xl console` wants CR LF. */
		if ((buf[i] == '\n' && !ring_put('\r', &stall_start)) ||
		    !ring_put(buf[i], &stall_start)) {
			ring_dead = true;
			ring_dropped += len - i;
			break;
		}
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
	if (ring == NULL || !ring_alive())
		return;
	uint64_t start = time_now_ns();
	evtchn_notify(ring_port);
	while (ring->out_cons != ring->out_prod &&
	       time_now_ns() - start < RING_STALL_NS)
		hv_sched_op(SCHEDOP_yield, NULL);
}

static bool contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s != '\0'; s++)
		if (strncmp(s, needle, n) == 0)
			return true;
	return false;
}

/*
 * ethos.test=deadconsole: the ring path with a backend that is gone.  The
 * real ring_write/ring_put run on a private ring that nobody reads (in
 * dom0 too, where the console is otherwise console_io), then this plays
 * the backend coming back.  The real console is restored before the
 * results are printed.  Returns the number of failed checks.
 */
int console_test_dead_backend(void)
{
	static struct xencons_interface fake __attribute__((aligned(4096)));
	static char text[sizeof(fake.out) + 256];
	struct xencons_interface *real = ring;
	uint32_t real_port = ring_port;
	bool real_dead = ring_dead;
	uint64_t real_dropped = ring_dropped;
	int failures = 0;

	memset(text, 'x', sizeof(text));
	ring = &fake;
	/* Notifications still go to the real port (dom0: port 0, which Xen
	 * refuses); nobody reads this ring either way. */
	uint64_t t0 = time_now_ns();
	console_write(text, sizeof(text));               /* fills it, stalls */
	uint64_t t1 = time_now_ns();
	bool dead_after_stall = ring_dead;
	uint64_t dropped_first = ring_dropped;
	for (int i = 0; i < 10; i++)
		console_write(text, 100);
	console_flush();
	uint64_t t2 = time_now_ns();
	uint64_t dropped_later = ring_dropped;
	/* The backend comes back: it consumes 200 bytes. */
	fake.out_cons += 200;
	console_write("y", 1);
	bool revived = !ring_dead;
	char tail[64];
	size_t n = 0;
	for (XENCONS_RING_IDX i = fake.out_prod - 40; i != fake.out_prod && n < 40; i++)
		tail[n++] = fake.out[MASK_XENCONS_IDX(i, fake.out)];
	tail[n] = '\0';

	ring = real;
	ring_port = real_port;
	ring_dead = real_dead;
	ring_dropped = real_dropped;

#define DEAD_CHECK(what, cond) do {                                       \
	printk("%s: deadconsole/%s\n", (cond) ? "PASS" : "FAIL", what);   \
	failures += !(cond);                                              \
} while (0)
	printk("deadconsole: first write %lu ms, 10 later writes and a flush %lu us\n",
	       (unsigned long)((t1 - t0) / 1000000), (unsigned long)((t2 - t1) / 1000));
	DEAD_CHECK("a full ring with no backend times out once",
		   dead_after_stall && t1 - t0 >= RING_STALL_NS);
	DEAD_CHECK("the rest of that write is counted as dropped",
		   dropped_first == sizeof(text) - sizeof(fake.out));
	DEAD_CHECK("later writes and flush return at once (under 100 ms)",
		   t2 - t1 < 100ULL * 1000 * 1000);
	DEAD_CHECK("later writes are counted as dropped",
		   dropped_later == dropped_first + 1000);
	DEAD_CHECK("a backend that consumes again revives it", revived);
	char want[64];
	snprintf(want, sizeof(want), "[console: %lu bytes dropped]",
		 (unsigned long)dropped_later);
	DEAD_CHECK("the revived ring says how much was lost", contains(tail, want));
	return failures;
}
