/*
 * Handles: a process's names for what it holds that is not memory
 * (directories, connections, listening services, children), one table per
 * process (kernel/handle.c).  A Handle is (generation << 32) | (slot + 1),
 * as an EventId is: a stale, closed, foreign or made-up handle never finds
 * an object.  Handles are capabilities: the only way to name an object,
 * and passed to another process only by the kernel (fork copies the table,
 * fdSend/fdReceive copy entries), never forged.
 *
 * The table knows nothing of the objects: each kind supplies a struct
 * handle_ops, and the table calls get() when a second entry comes to
 * refer to an object (fork, handle passing) and put() when an entry goes
 * (close, the process's end).  An object lives while some entry, or its
 * own kind, holds it.
 *
 * Entry states: Free --handle_new--> Live --handle_close--> Free (the
 * generation moves on; a slot whose generation would wrap is retired).
 */
#ifndef KERNEL_HANDLE_H
#define KERNEL_HANDLE_H

#include <stdbool.h>
#include <stdint.h>
#include <uapi/ethos/abi.h>

#define HANDLES_PER_PROC 4096

struct proc;

struct handle_ops {
	const char *name;               /* "directory", "connection", ... */
	void (*get)(void *obj);         /* one more entry refers to obj */
	void (*put)(void *obj);         /* an entry that referred to obj went */
};

struct handle_slot {
	const struct handle_ops *ops;   /* NULL: free */
	void *obj;
	uint32_t generation;
	uint32_t next_free;
};

struct handle_table {
	struct handle_slot *slots;
	uint32_t capacity;
	uint32_t live;
	uint32_t free_head;
};

void handle_table_init(struct handle_table *t);
/* Closes every entry (put for each) and frees the table. */
void handle_table_destroy(struct handle_table *t);
/* fork: dst (empty) gets an entry for every entry of src, with the same
 * Handle values (get for each).  False if memory ran out (dst then holds
 * nothing). */
bool handle_table_copy(struct handle_table *dst, const struct handle_table *src);

/* A new entry for obj (which the caller's reference now belongs to);
 * HANDLE_NONE with *st NoSpace or NoMemory. */
Handle handle_new(struct handle_table *t, const struct handle_ops *ops,
		  void *obj, enum status *st);
/* The object behind h if it is live and of kind ops, else NULL. */
void *handle_lookup(const struct handle_table *t, Handle h,
		    const struct handle_ops *ops);
/* The kind of a live handle, or NULL. */
const struct handle_ops *handle_kind(const struct handle_table *t, Handle h);
/* Frees the entry (put); StatusInvalidHandle if h is not live. */
enum status handle_close(struct handle_table *t, Handle h);

#endif
