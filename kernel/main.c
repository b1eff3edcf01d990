/*
 * kernel_main: the boot sequence.  See docs/ARCHITECTURE.md, "Boot".
 * The one file of kernel/ that knows it boots on Xen: it brings up the
 * xen/ and arch/ layers in order, then hands over to the portable kernel.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/guest.h>
#include <xen/evtchn.h>
#include <xen/time.h>
#include <xen/console.h>
#include <arch/trap.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/kernel.h>
#include <kernel/kstring.h>
#include <kernel/cpio.h>
#include <arch/asm_defs.h>
#include <arch/cpu.h>
#include <arch/pagetable.h>
#include <kernel/proc.h>
#include <kernel/args.h>
#include <kernel/event.h>
#include <xen/hypercall.h>
#include <kernel/kstat.h>
#include <kernel/fs.h>
#include <kernel/stall.h>

const void *boot_archive;

static void strcpy_bounded(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}
unsigned long boot_archive_size;

void kernel_main(start_info_t *si, uint64_t boot_rsp);
int kernel_selftest(void);

void kernel_exit(int64_t status)
{
	cpu_events_mask();
#ifdef ETHOS_DEBUG
	kstat_print();
#endif
	files_report();
	printk("ETHOS-EXIT: %ld\n", (long)status);
	cpu_shutdown(false);
}

static void find_boot_archive(void)
{
	if (start_info->mod_len == 0)
		return;
	/* Some loaders give a pfn, maybe outside the boot mapping: the
	 * direct map (built before this runs) reaches it either way. */
	if (start_info->flags & SIF_MOD_START_PFN)
		boot_archive = pfn_to_va(start_info->mod_start);
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

#ifdef ETHOS_DEBUG
/* Debug-build boot tests: what the guard page and the stack protector
 * must catch.  volatile keeps the compiler from seeing through them. */
static volatile uint64_t overflow_limit = ~0UL;
static volatile unsigned int smash_len = 64;

static __attribute__((noinline)) uint64_t recurse(uint64_t depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth >= overflow_limit)
		return 0;
	return recurse(depth + 1) + frame[0];
}

static __attribute__((noreturn)) void overflow_kstack(void *unused)
{
	(void)unused;
	recurse(0);
	panic("kstack-overflow: the recursion ended");
}

static __attribute__((noinline)) void smash_stack(void)
{
	char buf[16];

	for (unsigned int i = 0; i < smash_len; i++)
		((volatile char *)buf)[i] = 'x';
}
#endif

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
	if (strcmp(what, "badframe") == 0) {
		/*
		 * A fault whose frame pointer leads into unmapped kernel
		 * space: the backtrace must stop there and the report still
		 * name this fault.  Never returns, so clobbering rbp is safe.
		 */
		static volatile uintptr_t bad_address = 0x10;
		printk("boot test: faulting with a wild frame pointer\n");
		asm volatile("movq %0, %%rbp\n\tmovq $1, (%1)"
			     : : "r"(0xffffffffc0000000UL), "r"(bad_address)
			     : "memory");
	}
	if (strcmp(what, "hang") == 0) {
		printk("boot test: hanging on purpose\n");
		for (;;)
			cpu_idle();
	}
	if (strcmp(what, "binary") == 0) {
		/* Raw bytes, NUL included: the runner must still see the exit. */
		static const char raw[] = "boot test: raw bytes [\0\x01\x7f\xff]\n";
		console_write(raw, sizeof(raw) - 1);
		kernel_exit(0);
	}
#ifdef ETHOS_DEBUG
	if (strcmp(what, "kstack-overflow") == 0) {
		void *stack = kstack_alloc();

		printk("boot test: overflowing a guarded kernel stack at %p\n",
		       stack);
		call_on_stack((char *)stack + KSTACK_SIZE, overflow_kstack, NULL);
	}
	if (strcmp(what, "stack-smash") == 0) {
		printk("boot test: overwriting a stack frame's canary\n");
		smash_stack();
		panic("stack-smash: the stack protector did not catch it");
	}
#endif
	if (strcmp(what, "deadconsole") == 0)
		kernel_exit(console_test_dead_backend() == 0 ? 0 : 1);
	if (strcmp(what, "crossing") == 0) {
		crossing_probe();
		kernel_exit(0);
	}
	if (strcmp(what, "flood") == 0) {
		for (int i = 1; i <= 3000; i++)
			printk("flood line %d of 3000\n", i);
		kernel_exit(0);
	}
}

/* The TSC at kernel_main: under QEMU icount, TSC cycles are guest
 * instructions, so the boot line says what the kernel's boot costs. */
static uint64_t boot_tsc;

/* init: ethos.init=PATH (default /bin/init), its argument ethos.arg=... */
static __attribute__((noreturn)) void start_init(void)
{
	char path[ETHOS_PATH_MAX], arg[128];
	struct proc *init;

	if (cmdline_get("ethos.init", path, sizeof(path)) == NULL)
		strcpy_bounded(path, "/bin/init", sizeof(path));
	if (cmdline_get("ethos.arg", arg, sizeof(arg)) == NULL)
		arg[0] = '\0';
	sched_init();
	/* argv: {path} or {path, arg}; both fit (ETHOS_PATH_MAX, 128). */
	struct arg_block args;
	args_begin(&args);
	enum status st = args_add(&args, path, false);
	if (st == StatusOk && arg[0] != '\0')
		st = args_add(&args, arg, false);
	ASSERT(st == StatusOk);
	st = proc_spawn(path, &args, NULL, &init);
	if (st != StatusOk)
		panic("cannot start init %s: status %d", path, st);
	printk("boot complete at %lu ns (%lu TSC cycles since kernel_main); "
	       "starting %s\n", (unsigned long)time_now_ns(),
	       (unsigned long)(rdtsc() - boot_tsc), path);
	sched_start();
}

void kernel_main(start_info_t *si, uint64_t boot_rsp)
{
	char arg[64];

	boot_tsc = rdtsc();

	debug_init();
	xen_early_init(si);
	console_init();
	printk("Ethos kernel booting on Xen (%s, %s)\n", si->magic,
	       xen_is_dom0() ? "dom0" : "domU");
	cmdline_init((const char *)si->cmd_line, MAX_GUEST_CMDLINE);
	printk("command line: %s\n", (const char *)si->cmd_line);
	stall_init();
	traps_init();
	evtchn_init();
	time_init();
	console_input_events_init();
	physmap_init(boot_rsp);
	find_boot_archive();
	list_boot_archive();
	files_init();

	if (cmdline_get("ethos.test", arg, sizeof(arg)) != NULL)
		run_boot_test(arg);

	if (cmdline_get("ethos.selftest", arg, sizeof(arg)) != NULL &&
	    kernel_selftest() != 0)
		printk("kernel self-tests failed\n");
	start_init();
}

