/* The process table: spawn, fork, exit, kill, and adoption by init. */
#include <stddef.h>
#include <arch/asm_defs.h>
#include <arch/cpu.h>
#include <kernel/proc.h>
#include <kernel/kernel.h>
#include <kernel/cpio.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <xen/time.h>
#include <kernel/kstat.h>
#include <kernel/ipc.h>
#include <kernel/fs.h>

extern char boot_stack_top[];

static struct proc procs[NPROC];
static uint64_t next_pid = 1;
static unsigned int nprocs;

unsigned int proc_count(void)
{
	return nprocs;
}

#ifdef ETHOS_DEBUG
unsigned int proc_count_in_state(enum proc_state s)
{
	unsigned int n = 0;

	for (int i = 0; i < NPROC; i++)
		if (procs[i].state == s)
			n++;
	return n;
}

/* The stack is the upper half of a block twice its size; the lower half
 * is the guard, so that a big frame cannot jump over it. */
void *kstack_alloc(void)
{
	char *block = page_alloc(KSTACK_ORDER + 1);

	if (block == NULL)
		return NULL;
	directmap_set_present(block, KSTACK_SIZE / PAGE_SIZE, false);
	kstat_add(KStatKstackPages, 2 * KSTACK_SIZE / PAGE_SIZE);
	return block + KSTACK_SIZE;
}

void kstack_free(void *kstack)
{
	char *block = (char *)kstack - KSTACK_SIZE;

	directmap_set_present(block, KSTACK_SIZE / PAGE_SIZE, true);
	page_free(block, KSTACK_ORDER + 1);
	kstat_sub(KStatKstackPages, 2 * KSTACK_SIZE / PAGE_SIZE);
}
#else
void *kstack_alloc(void)
{
	void *stack = page_alloc(KSTACK_ORDER);

	if (stack != NULL)
		kstat_add(KStatKstackPages, KSTACK_SIZE / PAGE_SIZE);
	return stack;
}

void kstack_free(void *kstack)
{
	page_free(kstack, KSTACK_ORDER);
	kstat_sub(KStatKstackPages, KSTACK_SIZE / PAGE_SIZE);
}
#endif

static struct proc *proc_alloc(void)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state == ProcUnused && procs[i].kstack == NULL)
			return &procs[i];
	return NULL;
}

static void proc_free_memory(struct proc *p)
{
	kfree(p->fpu);
	p->fpu = NULL;
	vm_destroy(&p->vm);
	kstack_free(p->kstack);
	p->kstack = NULL;
}

/* A free slot with a kernel stack and an FPU area (no vm yet); NULL with
 * *st set if the table is full or memory is out. */
static struct proc *proc_new(enum status *st)
{
	struct proc *p = proc_alloc();

	if (p == NULL) {
		*st = StatusNoSpace;
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	callback_init(p);
	handle_table_init(&p->handles);
	*st = StatusNoMemory;
	if ((p->kstack = kstack_alloc()) == NULL)
		return NULL;
	if ((p->fpu = kmalloc(sizeof(*p->fpu))) == NULL) {
		kstack_free(p->kstack);
		p->kstack = NULL;
		return NULL;
	}
	return p;
}

/* Undoes proc_new (the slot is free again). */
static void proc_new_undo(struct proc *p)
{
	kfree(p->fpu);
	p->fpu = NULL;
	kstack_free(p->kstack);
	p->kstack = NULL;
}

/* p, complete, joins the world: a pid, a parent, the run queue. */
static void proc_publish(struct proc *p, struct proc *parent)
{
	event_table_init(&p->events);
	p->pid = next_pid++;
	p->parent = parent;
	nprocs++;
	kstat_inc(KStatProcesses);
	sched_make_runnable(p);
}

enum status proc_spawn(const char *path, const struct arg_block *args,
		       struct proc *parent, struct proc **out)
{
	struct cpio_file file;
	struct proc *p;
	uintptr_t entry, sp;
	enum status st;

	if ((st = program_find(path, &file)) != StatusOk)
		return st;
	if ((p = proc_new(&st)) == NULL)
		return st;
	/* Every process starts with its root directory (DESIGN, Handles). */
	if ((st = fs_root_handle(&p->handles)) != StatusOk) {
		proc_new_undo(p);
		return st;
	}
	if ((st = program_build(&p->vm, &file, args, &entry, &sp)) != StatusOk) {
		handle_table_destroy(&p->handles);
		proc_new_undo(p);
		return st;
	}
	fpu_init_state(p->fpu);
	/* The start the ABI promises: every register 0 but rip and rsp. */
	p->frame = (struct trap_frame *)
		((char *)p->kstack + KSTACK_SIZE - sizeof(*p->frame));
	arch_user_frame_init(p->frame, entry, sp);
	program_name(p->name, path);
	proc_publish(p, parent);
	*out = p;
	return StatusOk;
}

enum status proc_fork(struct proc *parent, struct proc **out)
{
	enum status st;
	struct proc *p = proc_new(&st);

	if (p == NULL)
		return st;
	if (!vm_create(&p->vm)) {
		proc_new_undo(p);
		return StatusNoMemory;
	}
	/* Shared before the copy, so that proc_free_memory can put it. */
	p->vm.text = parent->vm.text;
	text_share(p->vm.text);
	if (!as_fork(&p->vm.as, &parent->vm.as, user_page_share)) {
		proc_free_memory(p);
		return StatusNoMemory;
	}
	p->vm.user_pages = parent->vm.user_pages;
	if (!handle_table_copy(&p->handles, &parent->handles)) {
		proc_free_memory(p);
		return StatusNoMemory;
	}
	struct trap_frame *tf = (struct trap_frame *)
		((char *)p->kstack + KSTACK_SIZE - sizeof(*tf));
	*tf = *parent->frame;
	tf->rax = StatusOk;           /* the child's fork returns Ok... */
	p->frame = tf;                /* ...and finds 0s in its output */
	sched_fpu_save(parent, p->fpu);
	callback_fork(p, parent);
	memcpy(p->name, parent->name, sizeof(p->name));
	proc_publish(p, parent);
	*out = p;
	return StatusOk;
}

/* The last of a process that has left the world (proc_end). */
static void proc_reap(struct proc *p)
{
	sched_forget(p);
	proc_free_memory(p);
	p->state = ProcUnused;
	kstat_dec(KStatProcesses);
}

void proc_discard(struct proc *p)
{
	ASSERT(p->state == ProcRunnable && p->exit_event == NULL &&
	       p->events.live == 0 && p != current);
	sched_remove(p);
	handle_table_destroy(&p->handles);   /* fork copied them */
	nprocs--;
	proc_reap(p);
}

/* Runs on the boot stack, so that p's kernel stack can be freed. */
static __attribute__((noreturn)) void reap_current(void *arg)
{
	struct proc *p = arg;

	as_switch(NULL);
	current = NULL;
	proc_reap(p);
	schedule();
}

static struct proc *proc_init(void)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state != ProcUnused && procs[i].pid == 1)
			return &procs[i];
	return NULL;
}

/*
 * An orphan's new parent is init, and init gets an exit event for it in
 * its own table (it finds it with getPendingEvents).  If init's table is
 * full the orphan still runs and is still init's to kill; only its end
 * goes unreported.
 */
static void adopt(struct proc *orphan)
{
	struct proc *init = proc_init();
	struct event *ev;
	EventId id;
	enum status st;

	ASSERT(orphan->exit_event == NULL);   /* went with its parent's table */
	orphan->parent = init;
	if (init == NULL)
		return;                       /* the system is going down */
	if ((ev = event_new(init, &child_exit_source, &id, &st)) == NULL) {
		printk("process %lu (%s): adopted by init without an exit "
		       "event (%s)\n", (unsigned long)orphan->pid, orphan->name,
		       st == StatusNoSpace ? "init's event table is full" :
		       "no memory");
		return;
	}
	ev->u.child.child = orphan;
	orphan->exit_event = ev;
}

/* Ends p's part in the world: its wait, its events, its children (adopted
 * by init), its parent's exit event.  Its memory is freed by the caller. */
static void proc_end(struct proc *p, int64_t status)
{
	if (p->wait != NULL)
		wait_abandon(p);
	event_table_destroy(p);
	handle_table_destroy(&p->handles);
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state != ProcUnused && procs[i].parent == p)
			adopt(&procs[i]);
	if (p->exit_event != NULL) {
		struct event *ev = p->exit_event;
		struct ethos_exit_result r = { .pid = p->pid, .status = status };

		ASSERT(ev->state == EventPending && ev->u.child.child == p &&
		       ev->owner == p->parent);
		ev->u.child.child = NULL;
		p->exit_event = NULL;
		event_complete(ev, &r, sizeof(r));
	}
	if (p->ref != NULL)
		process_ref_ended(p, status);
	/* Nothing points at p any more: no wait, no events, no exit event. */
	ASSERT(p->wait == NULL && p->events.live == 0 && p->exit_event == NULL);
	nprocs--;
}

void proc_exit(int64_t status)
{
	struct proc *p = current;

	if (p->pid == 1)
		kernel_exit(status);     /* init's end is the system's end */
	proc_end(p, status);
	call_on_stack(boot_stack_top, reap_current, p);
}

enum status proc_kill(struct proc *killer, uint64_t pid)
{
	struct proc *p = NULL;

	for (int i = 0; i < NPROC; i++)
		if (procs[i].state != ProcUnused && procs[i].pid == pid)
			p = &procs[i];
	if (p == NULL)
		return StatusNotFound;
	if (p->parent != killer)
		return StatusNotPermitted;      /* only a parent may kill */
	proc_kill_proc(p);
	return StatusOk;
}

void proc_kill_proc(struct proc *p)
{
	ASSERT(p != current && p->state != ProcUnused);
	if (p->state == ProcRunnable)
		sched_remove(p);
	proc_end(p, ETHOS_KILLED_BY_PARENT);
	proc_reap(p);
}

struct proc *proc_child(struct proc *parent, uint64_t pid)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state != ProcUnused && procs[i].pid == pid &&
		    procs[i].parent == parent)
			return &procs[i];
	return NULL;
}

void proc_kill_current(const struct trap_frame *tf, uint64_t address)
{
	struct proc *p = current;
	char hint[64];

	printk("process %lu (%s) killed: trap %lu (%s) error 0x%lx%s at rip %lx, "
	       "address %lx\n", (unsigned long)p->pid, p->name,
	       (unsigned long)tf->vector, trap_name(tf->vector),
	       (unsigned long)tf->error,
	       trap_error_hint(tf, hint, sizeof(hint)), (unsigned long)tf->rip,
	       (unsigned long)address);
	proc_exit(ETHOS_KILLED_BASE - (int64_t)tf->vector);
}
