/*
 * A host world for kernel/event/{event,wait,evtree}.c: one owner process,
 * a test event source, host stand-ins for kmalloc, copyin/copyout, the
 * scheduler, and a small reference model of what the events and waits
 * must do.  Every operation is checked against the model, and after every
 * step: live events, live waits, kmalloc'd blocks, wakes, detaches, ids.
 * Driven by test_events.c (seeded random sequences) and fuzz_events.c
 * (libFuzzer); both choose through world.pick.
 */
#ifndef EVENT_WORLD_H
#define EVENT_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/kstat.h>

struct world;

/* Returns a number below n (n >= 1). */
typedef uint32_t (*world_pick_fn)(void *ctx, uint32_t n);
/* A check failed: what, and the line in event_world.c. */
typedef void (*world_fail_fn)(struct world *w, const char *what, int line);

struct world_stats {
	unsigned long steps, blocks, slept, immediate, invalid, reattached;
	unsigned long wakes, cancelled_wakes, completes, fails, retires;
	unsigned long cancels, kills, finishes;
};

/* Starts a fresh world (one per process: it uses globals). */
struct world *world_new(world_pick_fn pick, void *ctx, world_fail_fn fail);
/* One random step, then the full check.  False once a check failed. */
bool world_step(struct world *w);
/* Ends the owner (as at exit) and checks that everything was freed. */
void world_end(struct world *w);
void world_free(struct world *w);
const struct world_stats *world_stats(const struct world *w);
bool world_failed(const struct world *w);

/*
 * User memory: a fixed window at a low address that no host heap, stack
 * or image uses, so copyin/copyout see real "user" pointers below
 * USER_TOP.  Anything else is a fault.  user_ptr: its host address, or
 * NULL if [a, a + n) is not all inside.
 */
#define UBASE 0x10000000UL
#define USIZE 0x4000UL
#define U_IN     (UBASE + 0x000)
#define U_OUT    (UBASE + 0x100)
#define U_DONE   (UBASE + 0x200)
#define U_NODES  (UBASE + 0x1000)
void *user_ptr(uintptr_t a, uint64_t n);

/* Wakes of processes other than a world's owner (directed tests). */
extern unsigned long host_wakes;
/* kmalloc'd blocks live now (the host kmalloc counts them). */
extern unsigned long host_live_allocs;
/* While true, kmalloc and kzalloc return NULL (directed tests). */
extern bool host_kmalloc_fails;

#endif
