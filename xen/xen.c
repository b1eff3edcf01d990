/* start_info, shared_info and domain shutdown. */
#include <stdint.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <xen/console.h>

start_info_t *start_info;
shared_info_t *shared_info;
struct vcpu_info *vcpu0;

/*
 * The shared-info frame is given to us as a machine address; we map it
 * over this page of our own image (its original frame is simply unused).
 */
static char shared_info_page[4096]
	__attribute__((aligned(4096), section(".bss.page_aligned")));

void xen_early_init(start_info_t *si)
{
	start_info = si;
	/* Present + writable; Xen adds the user bit itself for 64-bit PV. */
	if (hv_update_va_mapping((uintptr_t)shared_info_page,
				 si->shared_info | 0x3, UVMF_INVLPG) != 0) {
		static const char msg[] = "PANIC: cannot map shared_info\n";
		hv_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg);
		for (;;) {
			sched_shutdown_t s = { .reason = SHUTDOWN_crash };
			hv_sched_op(SCHEDOP_shutdown, &s);
		}
	}
	shared_info = (shared_info_t *)shared_info_page;
	vcpu0 = &shared_info->vcpu_info[0];
	events_mask();
}

void xen_shutdown(bool crashed)
{
	sched_shutdown_t s;

	console_flush();
	/*
	 * dom0: a crash makes Xen wait 5 s before rebooting the machine, so
	 * both ends are a reboot; the console line says which it was.
	 */
	if (xen_is_dom0())
		s.reason = SHUTDOWN_reboot;
	else
		s.reason = crashed ? SHUTDOWN_crash : SHUTDOWN_poweroff;
	for (;;)
		hv_sched_op(SCHEDOP_shutdown, &s);
}
