/*
 * Events: the kernel object behind an EventId.
 *
 *   Pending --complete--> Completed (failure == StatusOk) --retire--> (freed)
 *      |                                                 retire: Ok, outcome
 *      +----fail(why)---> Completed (failure == why) ------> why, frees it
 *      |                      |
 *      +------cancel----------+-----> (freed)
 *
 * A failed event is Completed with no result and a failure status: it is
 * listed with the completed events, a waiting tree sees it as a failed
 * leaf (so a tree that can no longer be satisfied wakes its owner with
 * StatusCancelled), and retire frees it and returns Ok with the failure
 * status as the `outcome` of its output, instead of copying out a result
 * (a non-Ok status from a syscall always means no effect).  Fail is the
 * source's verdict, cancel the owner's: cancel frees at once and wakes
 * nobody.
 *
 * An EventId is (generation << 32) | (slot + 1) in the owner's table, so a
 * stale, retired, foreign or made-up id never finds a live event.  A slot
 * whose generation would wrap is retired for good rather than reused, so
 * an old id can never match a later event.  Results stay in the kernel
 * until the owner retires the event.  A source (beep, child exit, ...)
 * supplies only what differs: how to detach a pending event when it is
 * cancelled or its owner exits.  A source ends a pending event the same
 * way, whether it succeeded or failed: it takes the event off its own
 * queue and calls event_complete or event_fail.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/queue.h>
#include <kernel/panic.h>
#include <uapi/ethos/abi.h>

#define EVENTS_PER_PROC 16384

/* Internal status of a syscall whose caller now sleeps (never returned). */
#define StatusBlocked ((enum status)-1)
#define EVENT_INLINE_RESULT 32
#define EVENT_CHUNK_BYTES (1u << 20)

struct proc;
struct event;
struct wait;

struct event_source {
	const char *name;
	/* Detaches a pending event from its source (may be NULL).  Called by
	 * event_release only: it must not complete or fail the event. */
	void (*detach)(struct event *ev);
};

enum event_state {
	EventFree = 0,
	EventPending,
	EventCompleted,
};

struct event {
	enum event_state state;
	/* 0: result is the bytes.  n: result is an array of n blocks of
	 * EVENT_CHUNK_BYTES (the last holds the rest), all kmalloc'd: a
	 * result larger than one kmalloc block (files).  Here, in the gap
	 * before the pointers: the event must stay at 128 bytes. */
	uint32_t result_chunks;
	const struct event_source *source;
	struct proc *owner;
	uint32_t slot;
	uint32_t leaf;                /* its leaf in `wait`'s tree */
	/*
	 * The wait this event is a leaf of, holding one of its refs.  Set
	 * only in wait_block (the owner's syscall, owner running), which
	 * first lets go of an older, decided wait the event may still hold.
	 * Cleared only in wait.c (drop): when the event completes or fails
	 * (the source's context: a syscall or deferred work, never an
	 * upcall), when it is released (retire, cancel, or the owner's
	 * exit/kill: wait_detach), or by wait_abandon (exit/kill).
	 * Invariants: ev->wait != NULL only while ev is Pending; an
	 * undecided ev->wait is ev->owner->wait.
	 */
	struct wait *wait;
	enum status failure;          /* Completed: StatusOk, or why it failed */
	uint32_t result_size;
	uint64_t stamp;               /* duplicate detection in block */
	/* Its callback, while one is registered (kernel/event/callback.c).
	 * Out of line: the event stays at 128 bytes (a slob class). */
	struct callback_reg *cb;
	uint8_t *result;              /* inline_result or kmalloc'd */
	uint8_t inline_result[EVENT_INLINE_RESULT];
	union {
		struct {
			uint64_t deadline;
			uint32_t index;       /* in the beep heap (beepheap.h) */
		} beep;
		struct {
			struct proc *child;
		} child;
		struct {
			uint32_t max;
			TAILQ_ENTRY(event) link;
		} console;
		struct {
			void *call;           /* struct shadow_call (kernel/fs) */
			uint32_t tries;       /* readVar: ReturnSpace rounds */
		} file;
		struct {
			void *obj;            /* what it waits on (ipc.c) */
			union {               /* (keeps an event in slob 128) */
				TAILQ_ENTRY(event) link;   /* readers */
				void *msg;    /* write, fdSend: its message */
			};
		} ipc;
	} u;
};

/* A registered callback: owned by its event (ev->cb) until delivered or
 * released.  Due (on ev->owner->cb.due) from the event's completion. */
struct callback_reg {
	struct event *ev;
	uint64_t function, argument, trampoline;
	bool due;
	TAILQ_ENTRY(callback_reg) link;
};

struct event_slot {
	struct event *ev;
	uint32_t generation;
	uint32_t next_free;
};

struct event_table {
	struct event_slot *slots;
	uint32_t capacity;
	uint32_t live;
	uint32_t retired;             /* slots whose generations ran out */
	uint32_t free_head;           /* UINT32_MAX: none */
};

void event_table_init(struct event_table *t);
/* Detaches and frees every event of p (at exit). */
void event_table_destroy(struct proc *p);

/* A new pending event of p; NULL with *st = NoSpace or NoMemory. */
struct event *event_new(struct proc *p, const struct event_source *src,
			EventId *id, enum status *st);
struct event *event_lookup(struct proc *p, EventId id);
EventId event_id(const struct event *ev);
/* Pending -> Completed with a copy of the result; updates a waiting tree.
 * The source has already taken ev off its own queue. */
void event_complete(struct event *ev, const void *result, uint32_t size);
/* As event_complete, but the result is buf (kmalloc'd, size bytes), which
 * the event now owns: a big message is not copied twice. */
void event_complete_owned(struct event *ev, void *buf, uint32_t size);
/* Pending -> Completed as failed (why != StatusOk): no result; a waiting
 * tree counts ev as a failed leaf; retire frees it and reports why as its
 * outcome.  The source has already taken ev off its own queue. */
void event_fail(struct event *ev, enum status why);
/* Detaches (if pending) and frees. */
void event_release(struct event *ev);

/* Sources. */
/* SysBeep's handler (uin: struct sys_beep_in, uout: struct sys_event_out). */
enum status beep_syscall(struct proc *p, uintptr_t uin, uintptr_t uout);
/* Around a batch (sys_batch): its beeps share one clock read (beep.c),
 * beep_batch_now, 0 until the first beep reads it. */
extern bool beep_in_batch;
extern uint64_t beep_batch_now;

static inline void beep_batch_begin(void)
{
	ASSERT(!beep_in_batch);
	beep_in_batch = true;
	beep_batch_now = 0;
}

static inline void beep_batch_end(void)
{
	beep_in_batch = false;
	beep_batch_now = 0;
}
/* Completes every beep due by now; returns the next deadline or 0. */
uint64_t beep_expire(uint64_t now);
uint64_t beep_next_deadline(void);
extern const struct event_source child_exit_source;
void console_input_events_init(void);
enum status console_read_create(struct proc *p, uint32_t max, EventId *id);
/* Completes waiting console reads with the input that has arrived. */
void console_input_deliver(void);

/* Files (kernel/fs/files.c): an RPC to the shadowdaemon per call. */
void files_init(void);
void files_deliver(void);
uint64_t files_next_deadline(void);
/* Completes ev with a kmalloc'd result it now owns (no copy). */
void event_complete_take(struct event *ev, void *result, uint32_t size);
/* The same with n blocks of EVENT_CHUNK_BYTES (kmalloc'd, as is the
 * array): size bytes in all. */
void event_complete_chunks(struct event *ev, uint8_t **chunks, uint32_t n,
			   uint32_t size);
/* retire: copies the result to user memory (all or nothing is promised
 * only for BadAddress: the buffer is probed first). */
enum status event_result_copyout(const struct event *ev, uintptr_t ubuf);

/* retire: in->event of p, its result copied to in->buf, the outcome to
 * uout (struct sys_retire_out), the event freed (SysRetire's rules). */
enum status event_retire(struct proc *p, const struct sys_retire_in *in,
			 uintptr_t uout);
/* SysRetire's handler (uin: struct sys_retire_in). */
enum status retire_syscall(struct proc *p, uintptr_t uin, uintptr_t uout);
/* A batch's run of beeps or retires from entry (kernel/batchrun.h). */
uint64_t beep_batch_run(struct proc *p, uintptr_t entry, uintptr_t end, bool stop);
uint64_t retire_batch_run(struct proc *p, uintptr_t entry, uintptr_t end, bool stop);

/* Waiting (block) -- kernel/event/wait.c */
enum status wait_block(struct proc *p, uintptr_t uin, uintptr_t uout);
/* SysBlockRetire: block on one event, then retire it (uapi/ethos/abi.h). */
enum status wait_block_retire(struct proc *p, uintptr_t uin, uintptr_t uout);
/* p's wait (from blockRetire, the last call of a batch) also finishes the
 * batch: its status goes to ustatus, {done} to ubatch_out. */
void wait_in_batch(struct proc *p, uintptr_t ustatus, uintptr_t ubatch_out,
		   uint32_t done);
/* ev (a leaf of its wait) completed or failed (ev->failure): update the
 * tree, wake the owner if this decided it, and let go of the wait.
 * O(depth). */
void wait_leaf_completed(struct event *ev);
/* ev lets go of its (decided) wait: when released after the owner woke. */
void wait_detach(struct event *ev);
/* Called as p resumes in its own address space: writes block's results. */
void wait_finish(struct proc *p);
/* p exits while blocked. */
void wait_abandon(struct proc *p);
/* p's wait is decided (it resumes from block with results). */
bool wait_decided(const struct proc *p);
/* p, blocked on an undecided wait, was diverted for a callback: it lets go
 * of the wait and its block syscall will run again after the callback. */
void wait_restart(struct proc *p);

/* Callbacks -- kernel/event/callback.c */
/* Internal status of callbackReturn: the frame it restored holds rax. */
#define StatusFrameRestored ((enum status)-2)
enum status callback_register(struct proc *p, uintptr_t uin);
enum status callback_return(struct proc *p, uintptr_t uframe);
enum status callback_config(struct proc *p, uintptr_t uin);
/* ev, with a callback registered, completed or failed: queue its delivery
 * (and divert its owner if it is blocked outside a callback). */
void callback_event_due(struct event *ev);
/* ev is being released: its callback goes. */
void callback_event_release(struct event *ev);

#endif
