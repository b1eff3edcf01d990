/*
 * Starting a program: the new address space that spawn and exec share
 * (the ELF file's regions and a stack holding the argument block), and
 * exec itself, which swaps that address space in for the caller's.
 *
 * exec builds everything new beside the old image and drops the old one
 * only when nothing can fail any more, so a failed exec returns a status
 * to a caller that is exactly as it was.
 */
#include <stddef.h>
#include <arch/cpu.h>
#include <kernel/args.h>
#include <kernel/cpio.h>
#include <kernel/exec.h>
#include <kernel/kernel.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>
#include <kernel/proc.h>
#include <kernel/region.h>
#include <kernel/uaccess.h>

/*
 * One argument block and one stack image serve every spawn and exec.  They
 * can be static because there is one vCPU and a syscall runs to its end
 * without blocking or being re-entered: a block is gathered, laid out and
 * copied to the new stack within one call.  (64 KiB each: allocating them
 * per call would cost an order-5 buddy block for the image.)
 */
static char arg_strings[ETHOS_ARG_MAX];
static uint64_t stack_image[(ARGS_IMAGE_MAX + 7) / 8];

void args_begin(struct arg_block *b)
{
	args_init(b, arg_strings);
}

static enum status read_user(void *dst, uintptr_t usrc, uint64_t len)
{
	return copyin(dst, usrc, len);
}

enum status args_gather_user(struct arg_block *b, uintptr_t argv,
			     uintptr_t envp)
{
	enum status st = args_gather(b, argv, false, read_user);

	if (st == StatusOk)
		st = args_gather(b, envp, true, read_user);
	return st;
}

enum status program_find(const char *path, struct cpio_file *file)
{
	if (cpio_find(boot_archive, boot_archive_size, path, file) != CpioOk ||
	    (file->mode & CPIO_MODE_TYPE) != CPIO_MODE_REG)
		return StatusNotFound;
	return StatusOk;
}

void program_name(char *dst, const char *path)
{
	const char *base = path;

	for (const char *s = path; *s != '\0'; s++)
		if (*s == '/')
			base = s + 1;
	size_t n = strnlen(base, PROC_NAME_MAX - 1);
	memcpy(dst, base, n);
	dst[n] = '\0';
}

/* Maps the pages the argument block needs at the top of the stack region
 * and copies its image there; *sp is the program's first rsp. */
static enum status map_stack(struct vm *vm, const struct arg_block *args,
			     uintptr_t *sp)
{
	uintptr_t rsp = args_layout(args, STACK_TOP, stack_image);
	const char *img = (const char *)stack_image;

	for (uintptr_t va = rsp & PAGE_MASK; va < STACK_TOP; va += PAGE_SIZE) {
		char *page;

		if (!region_map_new_page(vm, va, MAP_WRITE, (void **)&page))
			return StatusNoMemory;
		uintptr_t from = va > rsp ? va : rsp;
		memcpy(page + (from - va), img + (from - rsp), va + PAGE_SIZE - from);
	}
	*sp = rsp;
	return StatusOk;
}

enum status program_build(struct vm *vm, const struct cpio_file *file,
			  const struct arg_block *args, uintptr_t *entry,
			  uintptr_t *sp)
{
	enum status st;

	if (!vm_create(vm))
		return StatusNoMemory;
	st = exec_load(vm, file->data, file->size, entry);
	if (st == StatusOk)
		st = map_stack(vm, args, sp);
	if (st == StatusOk && !region_map_time_page(vm))
		st = StatusNoMemory;
	if (st != StatusOk)
		vm_destroy(vm);
	return st;
}

/* Swaps the complete new vm in for p's program: nothing fails here. */
static void exec_commit(struct proc *p, struct vm *vm, uintptr_t entry,
			uintptr_t sp, const char *name)
{
	struct vm old;

	/*
	 * The events go first: the new program knows none of the old one's
	 * EventIds.  Releasing a child's exit event detaches it; the children
	 * stay p's (p may still kill them), but their ends are no longer
	 * reported to it.
	 */
	event_table_destroy(p);
	callback_exec(p);
	old = p->vm;
	p->vm = *vm;
	as_switch(&p->vm.as);
	vm_destroy(&old);
	arch_user_frame_init(p->frame, entry, sp);
	sched_fpu_reset(p);
	program_name(p->name, name);
}

enum status proc_exec(struct proc *p, const char *path,
		      const struct arg_block *args)
{
	struct cpio_file file;
	struct vm vm;
	uintptr_t entry, sp;
	enum status st;

	ASSERT(p == current && p->wait == NULL);
	if ((st = program_find(path, &file)) != StatusOk)
		return st;
	if ((st = program_build(&vm, &file, args, &entry, &sp)) != StatusOk)
		return st;
	exec_commit(p, &vm, entry, sp, path);
	return StatusOk;
}

/*
 * The image is read from p's memory while p's address space is still the
 * current one (as_switch comes only in exec_commit), so copyin sees the
 * caller's pages; the new vm's pages are written through the kernel's
 * mapping of them.
 */
enum status proc_exec_image(struct proc *p, uintptr_t uimage, uint64_t size,
			    const char *name, const struct arg_block *args)
{
	struct vm vm;
	uintptr_t entry, sp;
	enum status st;

	ASSERT(p == current && p->wait == NULL);
	if (!vm_create(&vm))
		return StatusNoMemory;
	st = exec_load_user(&vm, uimage, size, &entry);
	if (st == StatusOk)
		st = map_stack(&vm, args, &sp);
	if (st == StatusOk && !region_map_time_page(&vm))
		st = StatusNoMemory;
	if (st != StatusOk) {
		vm_destroy(&vm);
		return st;
	}
	exec_commit(p, &vm, entry, sp, name);
	return StatusOk;
}
