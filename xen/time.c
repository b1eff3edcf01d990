/* Xen system time and the one-shot timer (VIRQ_TIMER). */
#include <stddef.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <xen/evtchn.h>
#include <xen/time.h>
#include <uapi/ethos/abi.h>
#include <kernel/panic.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/printk.h>
#include <xen/interface/vcpu.h>

void (*time_tick_hook)(void);

static pfn_t time_frame = PFN_NONE;
static uint32_t wallclock_seen = 1;        /* odd: never a settled version */

/* Copies Xen's wallclock (shared_info, version protocol) to the time
 * page's ETHOS_WALLCLOCK record when it changed.  Events are masked in
 * the kernel and there is one vCPU, so no reader runs meanwhile; the
 * version is kept odd during the write anyway, as the protocol says. */
static void wallclock_update(void)
{
	uint32_t version, sec_lo, sec_hi, nsec;

	if (time_frame == PFN_NONE || shared_info->wc_version == wallclock_seen)
		return;
	do {
		version = shared_info->wc_version;
		__asm__ volatile("" ::: "memory");
		sec_lo = shared_info->wc_sec;
		sec_hi = shared_info->xen_wc_sec_hi;
		nsec = shared_info->wc_nsec;
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) != 0 || version != shared_info->wc_version);

	volatile struct ethos_wallclock *w = (volatile struct ethos_wallclock *)
		((char *)pfn_to_va(time_frame) + (ETHOS_WALLCLOCK - ETHOS_TIME_PAGE));
	w->version++;
	__asm__ volatile("" ::: "memory");
	w->epoch_ns = (((uint64_t)sec_hi << 32) | sec_lo) * 1000000000ULL + nsec;
	__asm__ volatile("" ::: "memory");
	w->version++;
	wallclock_seen = version;
}

static void timer_virq(uint32_t port, void *arg)
{
	(void)port;
	(void)arg;
	wallclock_update();
	if (time_tick_hook != NULL)
		time_tick_hook();
}

void time_init(void)
{
	/* PV vCPUs start with a 100 Hz periodic timer; we want one-shot only. */
	hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	evtchn_bind_virq(VIRQ_TIMER, timer_virq, NULL);
}

/* Xen's vcpu_time_info is the time page's layout (uapi/ethos/abi.h):
 * the same pvclock read serves the kernel and libethos. */
_Static_assert(sizeof(struct vcpu_time_info) == sizeof(struct ethos_time_page) &&
	       offsetof(struct vcpu_time_info, version) ==
	       offsetof(struct ethos_time_page, version) &&
	       offsetof(struct vcpu_time_info, tsc_timestamp) ==
	       offsetof(struct ethos_time_page, tsc_timestamp) &&
	       offsetof(struct vcpu_time_info, system_time) ==
	       offsetof(struct ethos_time_page, system_time) &&
	       offsetof(struct vcpu_time_info, tsc_to_system_mul) ==
	       offsetof(struct ethos_time_page, tsc_to_system_mul) &&
	       offsetof(struct vcpu_time_info, tsc_shift) ==
	       offsetof(struct ethos_time_page, tsc_shift),
	       "vcpu_time_info and ethos_time_page differ");

uint64_t time_now_ns(void)
{
	return ethos_time_page_read((const volatile struct ethos_time_page *)&vcpu0->time);
}

/*
 * The time page: a frame Xen keeps a copy of vCPU 0's time record in
 * (VCPUOP_register_vcpu_time_memory_area, what Linux's vDSO uses), mapped
 * read-only into every process so that it reads the time without a
 * syscall.  Xen writes it through the kernel's direct-map address, which
 * every address space maps.  If Xen refuses, the frame stays zero
 * (tsc_to_system_mul 0), and libethos falls back to the syscall.
 */
pfn_t time_page_pfn(void)
{
	if (time_frame != PFN_NONE)
		return time_frame;
	void *page = page_alloc(0);
	if (page == NULL)
		return PFN_NONE;
	memset(page, 0, PAGE_SIZE);
	time_frame = va_to_pfn(page);
	pfn_to_page(time_frame)->refcount = 1;     /* the kernel's: never freed */
	struct vcpu_register_time_memory_area area = {
		.addr.v = (struct vcpu_time_info *)page,
	};
	if (hv_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &area) != 0)
		printk("time: Xen keeps no time page; programs read the time "
		       "through getTime\n");
	_Static_assert(ETHOS_WALLCLOCK - ETHOS_TIME_PAGE >=
		       sizeof(struct vcpu_time_info), "Xen's record comes first");
	wallclock_update();
	return time_frame;
}

void time_set_deadline(uint64_t deadline_ns)
{
	/* 0 would cancel the timer; a past deadline fires at once. */
	if (deadline_ns == 0)
		deadline_ns = 1;
	if (hv_set_timer_op(deadline_ns) != 0)
		panic("set_timer_op(%lu) failed", (unsigned long)deadline_ns);
}
