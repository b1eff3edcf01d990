/*
 * IPC: services, connections and messages as events, handles passed over
 * connections, and process handles.  Each object is a handle kind
 * (handle.h) and lives while some handle entry, in-flight message or
 * pending event holds it.
 *
 * A connection (struct chan) has two ends; each process's handle names
 * one end.  Every end has two incoming queues, for messages (read/write)
 * and for handle bundles (fdReceive/fdSend), each a FIFO of struct msg.
 * Its head part is "admitted" (within ETHOS_IPC_QUEUE_MSGS/BYTES: those
 * writes have completed), the rest "held" (their write events pending,
 * within the same bounds again), so kernel memory per connection is
 * bounded and no data is lost: a reader takes the head (admitted or held)
 * and the next held messages are admitted in order.
 *
 * Counts: end->handles is how many handle entries (in any process) and
 * in-flight bundles name the end; when it drops to 0 the end is closed.
 * chan->refs is both ends' handles plus every pending event that points
 * into the chan; at 0 the chan is freed.  A service and a process handle
 * object are counted the same way (handles, refs).
 *
 * An end closes (its last handle goes: close, or its process ended):
 * its own pending readers fail with Closed, the messages queued to it are
 * dropped (their writers fail with Closed), and the peer's readers fail
 * with Closed once nothing is left for them to read.  A bundle sent over
 * its own connection could keep that connection alive for ever, so
 * fdSend refuses an end of the connection it goes over; and, in general,
 * an end from which the receiving end is reachable through queued bundles
 * (a cycle of queues holding each other's ends, which no process could
 * ever read or close): see reaches().
 */
#include <stddef.h>
#include <kernel/ipc.h>
#include <kernel/event.h>
#include <kernel/proc.h>
#include <kernel/handle.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>

TAILQ_HEAD(eventq, event);

/* u.ipc must not push an event past the slob 128 class. */
_Static_assert(sizeof(struct event) <= 128, "struct event grew past 128 bytes");

struct held_handle {
	const struct handle_ops *ops;
	void *obj;
};

struct msg {
	TAILQ_ENTRY(msg) link;
	struct event *writer;       /* pending write/fdSend; NULL: admitted */
	uint64_t size;              /* bytes, or handles in a bundle */
	/* Bytes, or struct held_handle[size]; or, when nchunks != 0, the
	 * bytes as uint8_t *[nchunks] of EVENT_CHUNK_BYTES each (the last
	 * holds the rest), the array and each chunk kmalloc'd. */
	void *data;
	uint32_t nchunks;
};

struct queue {
	TAILQ_HEAD(, msg) msgs;
	uint32_t admitted_msgs, held_msgs;
	uint64_t admitted_bytes, held_bytes;
	struct eventq readers;
};

enum { QData = 0, QHandles = 1 };

struct chan;
struct end {
	struct chan *chan;
	uint32_t handles;
	bool closed;
	struct queue in[2];
	uint64_t walk;              /* the last cycle walk that visited it */
	struct end *walk_next;      /* that walk's stack */
};

struct chan {
	uint32_t refs;
	struct end end[2];
};

struct service {
	LIST_ENTRY(service) link;
	uint32_t handles;
	uint32_t refs;
	struct eventq importers;
	struct eventq clients;
	uint32_t nclients;
	char name[ETHOS_PATH_MAX];
};

struct proc_ref {
	uint32_t refs;              /* entries + waiters + 1 while it lives */
	struct proc *proc;          /* NULL once ended */
	struct ethos_exit_result result;
	struct eventq waiters;
};

static LIST_HEAD(, service) services = { NULL };

static void end_get(void *obj);
static void end_put(void *obj);
static void service_get(void *obj);
static void service_put(void *obj);
static void ref_get(void *obj);
static void ref_put(void *obj);

static const struct event_source fd_send_source;

static const struct handle_ops end_ops = {
	.name = "connection", .get = end_get, .put = end_put,
};
static const struct handle_ops service_ops = {
	.name = "service", .get = service_get, .put = service_put,
};
static const struct handle_ops ref_ops = {
	.name = "process", .get = ref_get, .put = ref_put,
};

static struct end *peer_of(struct end *e)
{
	return &e->chan->end[e == &e->chan->end[0] ? 1 : 0];
}

/* ---- messages ---------------------------------------------------------- */

static void msg_free(struct msg *m, int kind)
{
	if (kind == QHandles) {
		struct held_handle *hh = m->data;
		for (uint64_t i = 0; i < m->size; i++)
			hh[i].ops->put(hh[i].obj);
	}
	if (m->nchunks != 0)
		kfree_chunks(m->data, m->nchunks);
	else
		kfree(m->data);
	kfree(m);
}

static uint64_t msg_bytes(const struct msg *m, int kind)
{
	return kind == QHandles ? m->size * sizeof(struct held_handle) : m->size;
}

static bool fits(uint32_t msgs, uint64_t bytes, uint64_t size)
{
	return msgs < ETHOS_IPC_QUEUE_MSGS &&
	       (bytes == 0 || bytes + size <= ETHOS_IPC_QUEUE_BYTES);
}

static void chan_put(struct chan *c)
{
	ASSERT(c->refs > 0);
	if (--c->refs == 0) {
		for (int i = 0; i < 2; i++)
			for (int k = 0; k < 2; k++)
				ASSERT(TAILQ_EMPTY(&c->end[i].in[k].msgs) &&
				       TAILQ_EMPTY(&c->end[i].in[k].readers));
		kfree(c);
	}
}

/* A held message reached the peer's queue: its writer completes. */
static void writer_done(struct msg *m)
{
	struct event *ev = m->writer;
	struct chan *c = ((struct end *)ev->u.ipc.obj)->chan;

	m->writer = NULL;
	event_complete(ev, NULL, 0);
	chan_put(c);
}

/* Admits held messages at the front of the held part while they fit. */
static void admit(struct queue *q, int kind)
{
	struct msg *m;

	TAILQ_FOREACH(m, &q->msgs, link) {
		if (m->writer == NULL)
			continue;
		uint64_t b = msg_bytes(m, kind);
		if (!fits(q->admitted_msgs, q->admitted_bytes, b))
			return;
		q->held_msgs--;
		q->held_bytes -= b;
		q->admitted_msgs++;
		q->admitted_bytes += b;
		writer_done(m);
	}
}

static void take(struct queue *q, struct msg *m, int kind)
{
	uint64_t b = msg_bytes(m, kind);

	TAILQ_REMOVE(&q->msgs, m, link);
	if (m->writer != NULL) {
		q->held_msgs--;
		q->held_bytes -= b;
		writer_done(m);
	} else {
		q->admitted_msgs--;
		q->admitted_bytes -= b;
	}
}

/* Installs a bundle's handles in ev's owner's table and completes ev with
 * their values; false (ev failed, the bundle untouched) if they do not
 * all fit. */
static bool deliver_bundle(struct event *ev, struct msg *m)
{
	struct handle_table *t = &ev->owner->handles;
	struct held_handle *hh = m->data;
	Handle hs[ETHOS_FDSEND_MAX];
	enum status st = StatusOk;
	uint64_t i;

	for (i = 0; i < m->size; i++) {
		hs[i] = handle_new(t, hh[i].ops, hh[i].obj, &st);
		if (hs[i] == HANDLE_NONE)
			break;
	}
	if (i < m->size) {
		/* Take the entries back: get, then close, leaves the bundle's
		 * reference where it was. */
		while (i-- > 0) {
			hh[i].ops->get(hh[i].obj);
			handle_close(t, hs[i]);
		}
		event_fail(ev, st);
		return false;
	}
	event_complete(ev, hs, (uint32_t)(i * sizeof(Handle)));
	return true;
}

/*
 * Gives queued messages to waiting readers of e's queue kind, admits what
 * now fits, and fails the readers that can never get anything (the peer
 * is closed and the queue is empty).
 */
static void deliver(struct end *e, int kind)
{
	struct queue *q = &e->in[kind];
	struct event *ev;
	struct msg *m;

	while ((ev = TAILQ_FIRST(&q->readers)) != NULL &&
	       (m = TAILQ_FIRST(&q->msgs)) != NULL) {
		TAILQ_REMOVE(&q->readers, ev, u.ipc.link);
		if (kind == QHandles) {
			if (!deliver_bundle(ev, m)) {
				chan_put(e->chan);
				continue;
			}
			take(q, m, kind);
			m->size = 0;        /* the entries hold its references */
			msg_free(m, kind);
		} else {
			take(q, m, kind);
			/* The reader's event takes the bytes as they are (one
			 * block or the chunks): copied out once, at retire. */
			if (m->nchunks != 0) {
				event_complete_chunks(ev, m->data, m->nchunks,
						      (uint32_t)m->size);
				m->data = NULL;
				m->nchunks = 0;
			} else if (m->size > EVENT_INLINE_RESULT) {
				event_complete_owned(ev, m->data, (uint32_t)m->size);
				m->data = NULL;
			} else {
				event_complete(ev, m->data, (uint32_t)m->size);
			}
			msg_free(m, kind);
		}
		chan_put(e->chan);
	}
	admit(q, kind);
	if (peer_of(e)->closed && TAILQ_EMPTY(&q->msgs)) {
		while ((ev = TAILQ_FIRST(&q->readers)) != NULL) {
			TAILQ_REMOVE(&q->readers, ev, u.ipc.link);
			event_fail(ev, StatusClosed);
			chan_put(e->chan);
		}
	}
}

/* ---- connection ends as handles ---------------------------------------- */

static void end_get(void *obj)
{
	struct end *e = obj;

	e->handles++;
	e->chan->refs++;
}

static void end_close(struct end *e)
{
	struct chan *c = e->chan;
	struct event *ev;
	struct msg *m;

	e->closed = true;
	c->refs++;                  /* c lives until the end of this */
	for (int k = 0; k < 2; k++) {
		struct queue *q = &e->in[k];
		while ((ev = TAILQ_FIRST(&q->readers)) != NULL) {
			TAILQ_REMOVE(&q->readers, ev, u.ipc.link);
			event_fail(ev, StatusClosed);
			chan_put(c);
		}
		while ((m = TAILQ_FIRST(&q->msgs)) != NULL) {
			uint64_t b = msg_bytes(m, k);
			TAILQ_REMOVE(&q->msgs, m, link);
			if (m->writer != NULL) {
				q->held_msgs--;
				q->held_bytes -= b;
				ev = m->writer;
				m->writer = NULL;
				event_fail(ev, StatusClosed);
				chan_put(c);
			} else {
				q->admitted_msgs--;
				q->admitted_bytes -= b;
			}
			msg_free(m, k);
		}
		deliver(peer_of(e), k);
	}
	chan_put(c);
}

static void end_put(void *obj)
{
	struct end *e = obj;
	struct chan *c = e->chan;

	ASSERT(e->handles > 0);
	if (--e->handles == 0)
		end_close(e);
	chan_put(c);
}

static const struct event_source fd_receive_source;

static void reader_detach(struct event *ev)
{
	struct end *e = ev->u.ipc.obj;
	int kind = ev->source == &fd_receive_source ? QHandles : QData;

	TAILQ_REMOVE(&e->in[kind].readers, ev, u.ipc.link);
	chan_put(e->chan);
}

/* A write or fdSend given up (cancel, its owner's end): the message is
 * withdrawn, as it never reached the peer. */
static void writer_detach(struct event *ev)
{
	struct end *e = ev->u.ipc.obj;          /* the receiving end */
	struct msg *m = ev->u.ipc.msg;
	int kind = ev->source == &fd_send_source ? QHandles : QData;
	struct queue *q = &e->in[kind];

	ASSERT(m->writer == ev);
	TAILQ_REMOVE(&q->msgs, m, link);
	q->held_msgs--;
	q->held_bytes -= msg_bytes(m, kind);
	msg_free(m, kind);
	chan_put(e->chan);
}

static const struct event_source read_source = {
	.name = "ipc-read", .detach = reader_detach,
};
static const struct event_source fd_receive_source = {
	.name = "fdReceive", .detach = reader_detach,
};
static const struct event_source write_source = {
	.name = "ipc-write", .detach = writer_detach,
};
static const struct event_source fd_send_source = {
	.name = "fdSend", .detach = writer_detach,
};

static enum status lookup_end(struct proc *p, Handle h, struct end **out)
{
	struct end *e = handle_lookup(&p->handles, h, &end_ops);

	if (e == NULL)
		return StatusInvalidHandle;
	*out = e;
	return StatusOk;
}

static enum status reader_new(struct proc *p, Handle conn, int kind,
			      EventId *id)
{
	struct end *e;
	struct event *ev;
	enum status st;

	if ((st = lookup_end(p, conn, &e)) != StatusOk)
		return st;
	if (TAILQ_EMPTY(&e->in[kind].msgs) && peer_of(e)->closed)
		return StatusClosed;
	if ((ev = event_new(p, kind == QHandles ? &fd_receive_source :
			    &read_source, id, &st)) == NULL)
		return st;
	ev->u.ipc.obj = e;
	e->chan->refs++;
	TAILQ_INSERT_TAIL(&e->in[kind].readers, ev, u.ipc.link);
	deliver(e, kind);
	return StatusOk;
}

enum status ipc_read(struct proc *p, Handle conn, EventId *id)
{
	return reader_new(p, conn, QData, id);
}

enum status ipc_fd_receive(struct proc *p, Handle conn, EventId *id)
{
	return reader_new(p, conn, QHandles, id);
}

/* Queues m (owned by the caller until this succeeds) to e's peer. */
static enum status writer_new(struct proc *p, struct end *e, int kind,
			      struct msg *m, EventId *id)
{
	struct end *to = peer_of(e);
	struct queue *q = &to->in[kind];
	uint64_t b = msg_bytes(m, kind);
	struct event *ev;
	enum status st;

	if (to->closed)
		return StatusClosed;
	if (q->held_msgs > 0 && !fits(q->held_msgs, q->held_bytes, b))
		return StatusNoSpace;
	if ((ev = event_new(p, kind == QHandles ? &fd_send_source : &write_source,
			    id, &st)) == NULL)
		return st;
	ev->u.ipc.obj = to;
	ev->u.ipc.msg = m;
	m->writer = ev;
	to->chan->refs++;
	TAILQ_INSERT_TAIL(&q->msgs, m, link);
	q->held_msgs++;
	q->held_bytes += b;
	deliver(to, kind);
	return StatusOk;
}

/* Queues a message of len bytes: data is one block (nchunks 0) or the
 * chunk array (struct msg), owned by this call whatever it returns.  On
 * any failure every block is freed and no event is made. */
static enum status write_msg(struct proc *p, Handle conn, void *data,
			     uint32_t nchunks, uint64_t len, EventId *id)
{
	struct end *e;
	struct msg *m = NULL;
	enum status st;

	if ((st = lookup_end(p, conn, &e)) != StatusOk)
		goto fail;
	st = StatusNoMemory;
	if ((m = kzalloc(sizeof(*m))) == NULL)
		goto fail;
	m->size = len;
	m->data = data;
	m->nchunks = nchunks;
	if ((st = writer_new(p, e, QData, m, id)) != StatusOk)
		goto fail;
	return StatusOk;
fail:
	if (nchunks != 0)
		kfree_chunks(data, nchunks);
	else
		kfree(data);
	kfree(m);
	return st;
}

enum status ipc_write(struct proc *p, Handle conn, void *buf, uint64_t len,
		      EventId *id)
{
	return write_msg(p, conn, buf, 0, len, id);
}

enum status ipc_write_chunks(struct proc *p, Handle conn, uint8_t **chunks,
			     uint32_t n, uint64_t len, EventId *id)
{
	ASSERT(n > 0 && len > (uint64_t)(n - 1) * EVENT_CHUNK_BYTES &&
	       len <= (uint64_t)n * EVENT_CHUNK_BYTES);
	return write_msg(p, conn, chunks, n, len, id);
}

/*
 * The fast path of a round trip: the peer's reader already waits and
 * nothing is queued before this message, so it goes straight into the
 * reader's result, and the write, admitted at once, completes at once: no
 * message record, no heap copy of the bytes.  The order a reader sees is
 * the queue's (it is empty).
 */
enum status ipc_write_small(struct proc *p, Handle conn, const void *buf,
			    uint64_t len, EventId *id)
{
	struct end *e, *to;
	struct queue *q;
	struct event *ev, *reader;
	enum status st;
	void *copy = NULL;

	ASSERT(len <= EVENT_INLINE_RESULT);
	if ((st = lookup_end(p, conn, &e)) != StatusOk)
		return st;
	to = peer_of(e);
	q = &to->in[QData];
	if (to->closed || !TAILQ_EMPTY(&q->msgs) ||
	    (reader = TAILQ_FIRST(&q->readers)) == NULL) {
		if (len != 0) {
			if ((copy = kmalloc(len)) == NULL)
				return StatusNoMemory;
			memcpy(copy, buf, len);
		}
		return ipc_write(p, conn, copy, len, id);
	}
	if ((ev = event_new(p, &write_source, id, &st)) == NULL)
		return st;
	TAILQ_REMOVE(&q->readers, reader, u.ipc.link);
	event_complete(reader, buf, (uint32_t)len);
	chan_put(to->chan);         /* the reader's */
	event_complete(ev, NULL, 0);
	return StatusOk;
}

/*
 * Whether the end `to` is reachable from `from` through handle bundles:
 * X reaches Y if a bundle queued to X (admitted or held) holds Y.  Such a
 * queued handle keeps Y open for as long as X is open, so a bundle to
 * `to` that holds `from` would close a cycle: ends kept open only by each
 * other's queues once the processes' own handles are gone, which nothing
 * could read or close.  fdSend refuses it instead (a garbage collector
 * over in-flight handles, as Unix has for SCM_RIGHTS, would be the other
 * way).  An iterative walk (no recursion on the kernel stack), each end
 * visited once: marked with the walk's number, which never wraps.
 */
static bool reaches(struct end *from, struct end *to)
{
	static uint64_t walks;
	struct end *stack = from, *x;
	struct msg *m;

	walks++;
	from->walk = walks;
	from->walk_next = NULL;
	while ((x = stack) != NULL) {
		stack = x->walk_next;
		if (x == to)
			return true;
		TAILQ_FOREACH(m, &x->in[QHandles].msgs, link) {
			struct held_handle *hh = m->data;
			for (uint64_t i = 0; i < m->size; i++) {
				struct end *y = hh[i].obj;
				if (hh[i].ops != &end_ops || y->walk == walks)
					continue;
				y->walk = walks;
				y->walk_next = stack;
				stack = y;
			}
		}
	}
	return false;
}

enum status ipc_fd_send(struct proc *p, Handle conn, const Handle *hs,
			uint32_t count, EventId *id)
{
	struct held_handle *hh;
	struct end *e;
	struct msg *m;
	enum status st;

	ASSERT(count <= ETHOS_FDSEND_MAX);
	if ((st = lookup_end(p, conn, &e)) != StatusOk)
		return st;
	if ((hh = kmalloc(count ? count * sizeof(*hh) : 1)) == NULL)
		return StatusNoMemory;
	for (uint32_t i = 0; i < count; i++) {
		hh[i].ops = handle_kind(&p->handles, hs[i]);
		if (hh[i].ops == NULL) {
			kfree(hh);
			return StatusInvalidHandle;
		}
		hh[i].obj = handle_lookup(&p->handles, hs[i], hh[i].ops);
		if (hh[i].ops == &end_ops &&
		    (((struct end *)hh[i].obj)->chan == e->chan ||
		     reaches(hh[i].obj, peer_of(e)))) {
			kfree(hh);
			return StatusInvalidArgument;
		}
	}
	if ((m = kzalloc(sizeof(*m))) == NULL) {
		kfree(hh);
		return StatusNoMemory;
	}
	m->size = count;
	m->data = hh;
	for (uint32_t i = 0; i < count; i++)
		hh[i].ops->get(hh[i].obj);
	if ((st = writer_new(p, e, QHandles, m, id)) != StatusOk)
		msg_free(m, QHandles);        /* puts what it got */
	return st;
}

/* ---- services ---------------------------------------------------------- */

static void service_get(void *obj)
{
	struct service *s = obj;

	s->handles++;
	s->refs++;
}

static void service_unref(struct service *s)
{
	ASSERT(s->refs > 0);
	if (--s->refs == 0) {
		ASSERT(TAILQ_EMPTY(&s->importers) && TAILQ_EMPTY(&s->clients));
		kfree(s);
	}
}

/* The last handle went: the name is free again, and everyone waiting on
 * the service is told. */
static void service_put(void *obj)
{
	struct service *s = obj;
	struct event *ev;

	ASSERT(s->handles > 0);
	if (--s->handles == 0) {
		LIST_REMOVE(s, link);
		s->refs++;
		while ((ev = TAILQ_FIRST(&s->importers)) != NULL) {
			TAILQ_REMOVE(&s->importers, ev, u.ipc.link);
			event_fail(ev, StatusClosed);
			service_unref(s);
		}
		while ((ev = TAILQ_FIRST(&s->clients)) != NULL) {
			TAILQ_REMOVE(&s->clients, ev, u.ipc.link);
			s->nclients--;
			event_fail(ev, StatusClosed);
			service_unref(s);
		}
		service_unref(s);
	}
	service_unref(s);
}

static void importer_detach(struct event *ev)
{
	struct service *s = ev->u.ipc.obj;

	TAILQ_REMOVE(&s->importers, ev, u.ipc.link);
	service_unref(s);
}

static void client_detach(struct event *ev)
{
	struct service *s = ev->u.ipc.obj;

	TAILQ_REMOVE(&s->clients, ev, u.ipc.link);
	s->nclients--;
	service_unref(s);
}

static const struct event_source import_source = {
	.name = "import", .detach = importer_detach,
};
static const struct event_source client_source = {
	.name = "ipc", .detach = client_detach,
};

static struct service *service_find(const char *name)
{
	struct service *s;

	LIST_FOREACH(s, &services, link)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* A file name's rules: one path element. */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/')
			return false;
	return true;
}

enum status ipc_advertise(struct proc *p, const char *name, Handle *h)
{
	struct service *s;
	enum status st;

	if (!name_ok(name))
		return StatusInvalidArgument;
	if (service_find(name) != NULL)
		return StatusNotPermitted;
	if ((s = kzalloc(sizeof(*s))) == NULL)
		return StatusNoMemory;
	TAILQ_INIT(&s->importers);
	TAILQ_INIT(&s->clients);
	memcpy(s->name, name, strlen(name) + 1);
	s->handles = 1;
	s->refs = 1;
	if ((*h = handle_new(&p->handles, &service_ops, s, &st)) == HANDLE_NONE) {
		kfree(s);
		return st;
	}
	LIST_INSERT_HEAD(&services, s, link);
	return StatusOk;
}

/* Pairs waiting importers with waiting clients: a new connection, one end
 * in each one's table. */
static void service_match(struct service *s)
{
	struct event *imp, *cli;

	while ((imp = TAILQ_FIRST(&s->importers)) != NULL &&
	       (cli = TAILQ_FIRST(&s->clients)) != NULL) {
		struct chan *c = kzalloc(sizeof(*c));
		enum status st;
		Handle h0, h1;

		if (c == NULL) {
			TAILQ_REMOVE(&s->clients, cli, u.ipc.link);
			s->nclients--;
			event_fail(cli, StatusNoMemory);
			service_unref(s);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			c->end[i].chan = c;
			for (int k = 0; k < 2; k++) {
				TAILQ_INIT(&c->end[i].in[k].msgs);
				TAILQ_INIT(&c->end[i].in[k].readers);
			}
		}
		end_get(&c->end[0]);
		h0 = handle_new(&imp->owner->handles, &end_ops, &c->end[0], &st);
		if (h0 == HANDLE_NONE) {
			end_put(&c->end[0]);            /* frees c */
			TAILQ_REMOVE(&s->importers, imp, u.ipc.link);
			event_fail(imp, st);
			service_unref(s);
			continue;
		}
		end_get(&c->end[1]);
		h1 = handle_new(&cli->owner->handles, &end_ops, &c->end[1], &st);
		if (h1 == HANDLE_NONE) {
			c->end[1].handles--;            /* never had an entry */
			c->refs--;
			handle_close(&imp->owner->handles, h0);   /* frees c */
			TAILQ_REMOVE(&s->clients, cli, u.ipc.link);
			s->nclients--;
			event_fail(cli, st);
			service_unref(s);
			continue;
		}
		TAILQ_REMOVE(&s->importers, imp, u.ipc.link);
		TAILQ_REMOVE(&s->clients, cli, u.ipc.link);
		s->nclients--;
		struct ethos_handle_result r0 = { h0 }, r1 = { h1 };
		event_complete(imp, &r0, sizeof(r0));
		event_complete(cli, &r1, sizeof(r1));
		service_unref(s);
		service_unref(s);
	}
}

enum status ipc_import(struct proc *p, Handle listening, EventId *id)
{
	struct service *s = handle_lookup(&p->handles, listening, &service_ops);
	struct event *ev;
	enum status st;

	if (s == NULL)
		return StatusInvalidHandle;
	if ((ev = event_new(p, &import_source, id, &st)) == NULL)
		return st;
	ev->u.ipc.obj = s;
	s->refs++;
	TAILQ_INSERT_TAIL(&s->importers, ev, u.ipc.link);
	service_match(s);
	return StatusOk;
}

enum status ipc_connect(struct proc *p, const char *name, EventId *id)
{
	struct service *s;
	struct event *ev;
	enum status st;

	if (!name_ok(name))
		return StatusInvalidArgument;
	if ((s = service_find(name)) == NULL)
		return StatusNotFound;
	if (s->nclients >= ETHOS_IPC_BACKLOG)
		return StatusNoSpace;
	if ((ev = event_new(p, &client_source, id, &st)) == NULL)
		return st;
	ev->u.ipc.obj = s;
	s->refs++;
	s->nclients++;
	TAILQ_INSERT_TAIL(&s->clients, ev, u.ipc.link);
	service_match(s);
	return StatusOk;
}

/* ---- process handles --------------------------------------------------- */

static void ref_unref(struct proc_ref *r)
{
	ASSERT(r->refs > 0);
	if (--r->refs == 0) {
		ASSERT(r->proc == NULL && TAILQ_EMPTY(&r->waiters));
		kfree(r);
	}
}

static void ref_get(void *obj)
{
	((struct proc_ref *)obj)->refs++;
}

static void ref_put(void *obj)
{
	ref_unref(obj);
}

static void waiter_detach(struct event *ev)
{
	struct proc_ref *r = ev->u.ipc.obj;

	TAILQ_REMOVE(&r->waiters, ev, u.ipc.link);
	ref_unref(r);
}

static const struct event_source process_wait_source = {
	.name = "process-wait", .detach = waiter_detach,
};

enum status process_handle_of(struct proc *p, uint64_t pid, Handle *h)
{
	struct proc *child = proc_child(p, pid);
	struct proc_ref *r;
	enum status st;

	if (child == NULL)
		return StatusNotFound;
	if ((r = child->ref) == NULL) {
		if ((r = kzalloc(sizeof(*r))) == NULL)
			return StatusNoMemory;
		r->refs = 1;                /* the process's own */
		r->proc = child;
		r->result.pid = child->pid;
		TAILQ_INIT(&r->waiters);
		child->ref = r;
	}
	r->refs++;
	if ((*h = handle_new(&p->handles, &ref_ops, r, &st)) == HANDLE_NONE) {
		r->refs--;          /* a new r stays with the child, unused */
		return st;
	}
	return StatusOk;
}

enum status process_wait(struct proc *p, Handle h, EventId *id)
{
	struct proc_ref *r = handle_lookup(&p->handles, h, &ref_ops);
	struct event *ev;
	enum status st;

	if (r == NULL)
		return StatusInvalidHandle;
	if ((ev = event_new(p, &process_wait_source, id, &st)) == NULL)
		return st;
	if (r->proc == NULL) {
		event_complete(ev, &r->result, sizeof(r->result));
		return StatusOk;
	}
	ev->u.ipc.obj = r;
	r->refs++;
	TAILQ_INSERT_TAIL(&r->waiters, ev, u.ipc.link);
	return StatusOk;
}

enum status process_kill(struct proc *p, Handle h)
{
	struct proc_ref *r = handle_lookup(&p->handles, h, &ref_ops);

	if (r == NULL)
		return StatusInvalidHandle;
	if (r->proc == NULL)
		return StatusNotFound;
	if (r->proc == p)
		return StatusInvalidArgument;     /* exit is the way to go */
	proc_kill_proc(r->proc);
	return StatusOk;
}

void process_ref_ended(struct proc *p, int64_t status)
{
	struct proc_ref *r = p->ref;
	struct event *ev;

	p->ref = NULL;
	r->proc = NULL;
	r->result.status = status;
	while ((ev = TAILQ_FIRST(&r->waiters)) != NULL) {
		TAILQ_REMOVE(&r->waiters, ev, u.ipc.link);
		event_complete(ev, &r->result, sizeof(r->result));
		r->refs--;              /* not the last: the process's own */
	}
	ref_unref(r);
}
