/*
 * The guest's view of Xen: start_info, shared_info, the vCPU, dom0 or domU,
 * and ending the domain.
 */
#ifndef XENGUEST_H
#define XENGUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/interface/xen.h>

extern start_info_t *start_info;
extern shared_info_t *shared_info;
extern struct vcpu_info *vcpu0;

/* Set up from start_info: call first, before anything prints. */
void xen_early_init(start_info_t *si);

static inline bool xen_is_dom0(void)
{
	return (start_info->flags & SIF_INITDOMAIN) != 0;
}

/* Machine frame number -> pseudo-physical frame number (Xen's M2P table). */
static inline uint64_t mfn_to_pfn(uint64_t mfn)
{
	return ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

/* Pseudo-physical -> machine (the P2M list Xen gave us in start_info). */
static inline uint64_t pfn_to_mfn(uint64_t pfn)
{
	return ((const unsigned long *)start_info->mfn_list)[pfn];
}

/*
 * Ends the domain.  dom0 (the fast test loop) reboots so that QEMU, run
 * with -no-reboot, exits; a domU powers off or crashes so that xl reports
 * it.  Console output is flushed first.
 */
__attribute__((noreturn)) void xen_shutdown(bool crashed);

/* Events masked (the kernel's normal state) or delivered. */
static inline void events_mask(void)
{
	vcpu0->evtchn_upcall_mask = 1;
	asm volatile("" ::: "memory");
}

static inline void events_unmask(void)
{
	asm volatile("" ::: "memory");
	vcpu0->evtchn_upcall_mask = 0;
	asm volatile("" ::: "memory");
}

#endif /* XENGUEST_H */
