/*
 * IPC and process handles (kernel/event/ipc.c): services, connections and
 * their messages as events, handles passed over connections, and handles
 * on processes.  Every object here is a handle kind (handle.h); the
 * syscalls in syscall.c check their user pointers and call these.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <stdint.h>
#include <uapi/ethos/abi.h>

struct proc;
struct proc_ref;

/* name: NUL-terminated, already copied in. */
enum status ipc_advertise(struct proc *p, const char *name, Handle *h);
enum status ipc_import(struct proc *p, Handle listening, EventId *id);
enum status ipc_connect(struct proc *p, const char *name, EventId *id);
enum status ipc_read(struct proc *p, Handle conn, EventId *id);
/* buf: kmalloc'd (NULL for 0 bytes), the message, which ipc_write owns
 * from now on whatever it returns. */
enum status ipc_write(struct proc *p, Handle conn, void *buf, uint64_t len,
		      EventId *id);
/* The same for a message of more than one chunk: chunks[n], the array
 * and each block kmalloc'd, EVENT_CHUNK_BYTES each (the last holds the
 * rest, len bytes in all), owned by ipc_write_chunks from now on whatever
 * it returns.  The reader's event gets the chunks (event_complete_chunks):
 * no block of the message's whole length, no second copy. */
enum status ipc_write_chunks(struct proc *p, Handle conn, uint8_t **chunks,
			     uint32_t n, uint64_t len, EventId *id);
/* The same for a message of at most EVENT_INLINE_RESULT bytes in the
 * caller's memory (buf may be the stack): straight into a reader that
 * waits, or copied to the heap and queued as ipc_write does. */
enum status ipc_write_small(struct proc *p, Handle conn, const void *buf,
			    uint64_t len, EventId *id);
/* hs: the handles, copied in, count <= ETHOS_FDSEND_MAX. */
enum status ipc_fd_send(struct proc *p, Handle conn, const Handle *hs,
			uint32_t count, EventId *id);
enum status ipc_fd_receive(struct proc *p, Handle conn, EventId *id);

enum status process_handle_of(struct proc *p, uint64_t pid, Handle *h);
enum status process_wait(struct proc *p, Handle h, EventId *id);
enum status process_kill(struct proc *p, Handle h);
/* proc_end: p ended with status; its handles' waiters complete. */
void process_ref_ended(struct proc *p, int64_t status);

#endif
