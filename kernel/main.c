/*
 * kernel_main: the boot sequence.  See docs/ARCHITECTURE.md, "Boot".
 */
#include <stddef.h>
#include <stdint.h>
#include "hypercall.h"
#include "xenguest.h"
#include "xenevt.h"
#include "xentime.h"
#include "console.h"
#include "trap.h"
#include "printk.h"
#include "panic.h"
#include "kernel.h"
#include "kstring.h"
#include "cpio.h"
#include "asm_defs.h"

const void *boot_archive;
unsigned long boot_archive_size;

void kernel_main(start_info_t *si);

void kernel_exit(int64_t status)
{
	events_mask();
	printk("ETHOS-EXIT: %ld\n", (long)status);
	xen_shutdown(false);
}

static void find_boot_archive(void)
{
	if (start_info->mod_len == 0)
		return;
	if (start_info->flags & SIF_MOD_START_PFN)
		boot_archive = (const void *)(KERNEL_VIRT_BASE +
					      (start_info->mod_start << 12));
	else
		boot_archive = (const void *)start_info->mod_start;
	boot_archive_size = start_info->mod_len;
}

static void list_boot_archive(void)
{
	struct cpio_file f;
	size_t offset = 0;
	enum cpio_result r;
	unsigned int files = 0;

	if (boot_archive == NULL) {
		printk("boot archive: none\n");
		return;
	}
	printk("boot archive: %lu bytes at %p\n", boot_archive_size,
	       boot_archive);
	while ((r = cpio_next(boot_archive, boot_archive_size, &offset, &f)) ==
	       CpioOk) {
		if ((f.mode & CPIO_MODE_TYPE) != CPIO_MODE_REG)
			continue;
		printk("  %-32s %8lu\n", f.name, (unsigned long)f.size);
		files++;
	}
	if (r == CpioEnd)
		printk("boot archive: %u files\n", files);
	else
		printk("boot archive: %s at offset %lu (after %u files)\n",
		       cpio_result_name(r), (unsigned long)offset, files);
}

/* ethos.test=...: deliberate failures that prove the harness catches them. */
static void run_boot_test(const char *what)
{
	if (strcmp(what, "panic") == 0)
		panic("test panic requested on the command line");
	if (strcmp(what, "fault") == 0) {
		/* volatile: the compiler must not see the address is bad */
		static volatile uintptr_t bad_address = 0x10;
		printk("boot test: touching an unmapped kernel address\n");
		*(volatile uint64_t *)bad_address = 1;
	}
	if (strcmp(what, "hang") == 0) {
		printk("boot test: hanging on purpose\n");
		for (;;)
			hv_sched_op(SCHEDOP_block, NULL);
	}
	if (strcmp(what, "flood") == 0) {
		for (int i = 1; i <= 3000; i++)
			printk("flood line %d of 3000\n", i);
		kernel_exit(0);
	}
}

void kernel_main(start_info_t *si)
{
	char arg[64];

	xen_early_init(si);
	console_init();
	printk("Ethos kernel booting on Xen (%s, %s)\n", si->magic,
	       xen_is_dom0() ? "dom0" : "domU");
	printk("command line: %s\n", (const char *)si->cmd_line);
	traps_init();
	evtchn_init();
	time_init();
	printk("memory: %lu pages (%lu MiB), page tables at %lx (%lu frames)\n",
	       si->nr_pages, si->nr_pages >> 8, si->pt_base, si->nr_pt_frames);
	find_boot_archive();
	list_boot_archive();

	if (cmdline_get("ethos.test", arg, sizeof(arg)) != NULL)
		run_boot_test(arg);

	printk("boot complete at %lu ns\n", (unsigned long)time_now_ns());
	kernel_exit(0);
}

/* --- trap policy: filled in by the process and syscall layers --- */

void kernel_upcall(struct trap_frame *tf)
{
	(void)tf;
	evtchn_do_upcall();
}

void kernel_syscall(struct trap_frame *tf)
{
	trap_kernel_fault(tf);
}

void kernel_user_fault(struct trap_frame *tf)
{
	trap_kernel_fault(tf);
}

bool kernel_page_fault(struct trap_frame *tf)
{
	return trap_try_fixup(tf);
}

void kernel_return_to_user(struct trap_frame *tf)
{
	(void)tf;
}
