/*
 * shadowdaemon --domain NAME --root DIR [--die-on NAME] [--quit-on NAME]
 *              [--stall-on NAME] [--hang-on NAME]
 *
 * Serves the files of one Ethos domain from DIR (serve.c), over the ring
 * the domain's kernel announces in xenstore (protocol:
 * kernel/include/uapi/ethos/shadow.h).  It may start before the domain:
 * it waits for a domain called NAME, announces itself in the domain's
 * data/shadowdaemon (the kernel then waits for it at boot, and watches
 * it), maps the ring and binds the event channel.  When the kernel resets
 * the ring, it re-syncs; when the domain goes away it waits a few seconds
 * for a domain of the same name (a reboot) and otherwise exits 0.  It
 * does not poll for either: xenstore watches on /local/domain (a domain
 * appears) and on the domain's name (it goes) wake it, with a slow poll
 * (FALLBACK_MS) behind them only in case the store drops a watch.  When
 * it stops on purpose (SIGTERM, --quit-on) it removes data/shadowdaemon,
 * so the kernel knows at once (a crash cannot: the kernel's fallback is
 * to check its event channel).
 *
 * --die-on NAME is for tests: a request whose last element is NAME makes
 * the daemon exit (status 3) without answering, as a crash would.
 * --quit-on NAME: such a request is answered, then the daemon leaves in
 * order (its node removed) and exits with status 4.
 * --stall-on NAME: such a request is answered (NotFound) only STALL_MS
 * later, while the others are served: longer than the kernel waits for a
 * stat (5 s), so the kernel must fail it TimedOut and then drop the late
 * reply.  One at a time.
 * --hang-on NAME: such a request makes the daemon stop serving anything
 * for HANG_MS while it stays alive (its port bound, its node there), as a
 * daemon stuck in a system call would: every call in the ring times out,
 * and the kernel, owed a reply for every slot, resets the ring.  Then it
 * serves again, and re-syncs on the reset as usual.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include "serve.h"

#define GONE_GRACE_MS 3000
#define FALLBACK_MS 5000
#define STALL_MS 7000
#define HANG_MS 8000

static const char *domain_name, *die_on, *quit_on, *stall_on, *hang_on;
static int quitting;
static uint64_t xs_watch_seen;     /* watch events drained so far */
static int rootfd = -1;
static struct xs_handle *xs;
static xengnttab_handle *xgt;
static xenevtchn_handle *xce;
static volatile sig_atomic_t stop;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The id of the domain called domain_name, or -1. */
static int find_domain(void)
{
	unsigned int n;
	char **ids = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	int found = -1;

	for (unsigned int i = 0; ids != NULL && i < n && found < 0; i++) {
		char path[64];
		unsigned int len;
		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		char *name = xs_read(xs, XBT_NULL, path, &len);
		if (name != NULL && strcmp(name, domain_name) == 0)
			found = atoi(ids[i]);
		free(name);
	}
	free(ids);
	return found;
}

/* Waits up to ms for a xenstore watch to fire (draining its events: the
 * caller looks at the store itself) or for fd (-1: none) to be readable.
 * 1 if fd is readable. */
static int wait_store(int fd, int ms)
{
	struct pollfd pfd[2] = {
		{ .fd = xs_fileno(xs), .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	int n = poll(pfd, fd >= 0 ? 2 : 1, ms);

	if (n > 0 && (pfd[0].revents & POLLIN)) {
		char **ev;
		while ((ev = xs_check_watch(xs)) != NULL) {
			xs_watch_seen++;
			free(ev);
		}
	}
	return n > 0 && fd >= 0 && (pfd[1].revents & POLLIN);
}

static char *dom_read(int domid, const char *key)
{
	char path[128];
	unsigned int len;

	snprintf(path, sizeof(path), "/local/domain/%d/%s", domid, key);
	return xs_read(xs, XBT_NULL, path, &len);
}

static int domain_alive(int domid)
{
	char *name = dom_read(domid, "name");
	int ok = name != NULL && strcmp(name, domain_name) == 0;

	free(name);
	return ok;
}

/* A request's data pages: refs from its list pages, mapped on demand. */
struct grant_data {
	struct serve_data ops;
	int domid;
	const struct shadow_req *req;
	uint32_t npages;
};

static void *gd_map(struct serve_data *d, int writable)
{
	struct grant_data *g = (struct grant_data *)d;
	uint32_t n = g->npages, got = 0, ref = g->req->list_ref;
	uint32_t *refs;
	void *p = NULL;

	if (n == 0 || (refs = calloc(n, sizeof(*refs))) == NULL)
		return NULL;
	while (got < n) {
		if (ref == 0)
			goto out;               /* the chain ends too soon */
		uint32_t *list = xengnttab_map_grant_ref(xgt, (uint32_t)g->domid,
							 ref, PROT_READ);
		if (list == NULL)
			goto out;
		uint32_t take = n - got < SHADOW_LIST_REFS ? n - got : SHADOW_LIST_REFS;
		memcpy(refs + got, list, take * sizeof(*refs));
		ref = list[SHADOW_LIST_REFS];
		xengnttab_unmap(xgt, list, 1);
		got += take;
	}
	p = xengnttab_map_domain_grant_refs(xgt, n, (uint32_t)g->domid, refs,
					    PROT_READ | (writable ? PROT_WRITE : 0));
out:
	free(refs);
	return p;
}

static void gd_unmap(struct serve_data *d, void *p)
{
	struct grant_data *g = (struct grant_data *)d;

	xengnttab_unmap(xgt, p, g->npages);
}

static int last_element_is(const struct shadow_req *r, const char *name)
{
	uint32_t start = r->path_len;
	size_t n = strlen(name);

	while (start > 0 && r->path[start - 1] != '/')
		start--;
	return r->path_len - start == n && memcmp(r->path + start, name, n) == 0;
}

/* Serves the connected ring until the domain goes away. */
static void serve_ring(int domid, struct shadow_ring *ring, evtchn_port_t local)
{
	uint32_t gen = 0, req_cons = 0, rsp_prod = 0;
	int fresh = 1;
	uint64_t stalled_id = 0, stalled_due = 0;   /* --stall-on */
	uint64_t last_check = now_ms();
	int fd = xenevtchn_fd(xce);
	char name_path[64];

	/* The domain's end: its directory goes, and the watch fires (once
	 * at once, too, as every new watch does: harmless). */
	snprintf(name_path, sizeof(name_path), "/local/domain/%d/name", domid);
	xs_watch(xs, name_path, "domain-name");
	uint64_t hang_until = 0;                    /* --hang-on */
	while (!stop && !quitting) {
		if (hang_until != 0) {
			uint64_t now = now_ms();
			if (now < hang_until) {
				poll(NULL, 0, (int)(hang_until - now));
				continue;
			}
			hang_until = 0;
			fprintf(stderr, "shadowdaemon: serving again (--hang-on)\n");
		}
		if (__atomic_load_n(&ring->kernel_gen, __ATOMIC_ACQUIRE) != gen ||
		    ring->daemon_gen != gen) {
			/* (Re)connect: take the kernel's indexes as they are.
			 * Requests after rsp_prod were never answered (we
			 * answer in order): they are served again. */
			gen = ring->kernel_gen;
			stalled_id = 0;         /* the kernel forgot it */
			rsp_prod = ring->rsp_prod;
			req_cons = rsp_prod;
			/* A daemon before us died with these unanswered (the
			 * kernel has not noticed yet): they fail, as they would
			 * have had it noticed; serving them again could repeat
			 * whatever killed it. */
			uint32_t prod = __atomic_load_n(&ring->req_prod, __ATOMIC_ACQUIRE);
			while (fresh && req_cons != prod &&
			       prod - req_cons <= SHADOW_RING_SLOTS) {
				struct shadow_rsp rsp = {
					.id = ring->req[req_cons % SHADOW_RING_SLOTS].id,
					.status = StatusUnavailable,
				};
				req_cons++;
				memcpy(&ring->rsp[rsp_prod % SHADOW_RING_SLOTS], &rsp, sizeof(rsp));
				rsp_prod++;
			}
			fresh = 0;
			ring->req_cons = req_cons;
			__atomic_store_n(&ring->rsp_prod, rsp_prod, __ATOMIC_RELEASE);
			__atomic_store_n(&ring->daemon_gen, gen, __ATOMIC_RELEASE);
			xenevtchn_notify(xce, local);
		}
		uint32_t prod = __atomic_load_n(&ring->req_prod, __ATOMIC_ACQUIRE);
		int sent = 0;

		if (prod - req_cons > SHADOW_RING_SLOTS) {
			/* A broken kernel side: wait for a reset. */
			prod = req_cons;
		}
		while (req_cons != prod) {
			struct shadow_req req;
			struct shadow_rsp rsp;

			memcpy(&req, &ring->req[req_cons % SHADOW_RING_SLOTS], sizeof(req));
			req_cons++;
			ring->req_cons = req_cons;
			if (die_on != NULL && req.path_len <= SHADOW_PATH_MAX &&
			    last_element_is(&req, die_on)) {
				fprintf(stderr, "shadowdaemon: dying on request (--die-on)\n");
				_exit(3);
			}
			if (hang_on != NULL && req.path_len <= SHADOW_PATH_MAX &&
			    last_element_is(&req, hang_on)) {
				fprintf(stderr, "shadowdaemon: hanging for %d ms (--hang-on)\n",
					HANG_MS);
				hang_until = now_ms() + HANG_MS;
				break;          /* nothing more is served */
			}
			if (stall_on != NULL && stalled_id == 0 &&
			    req.path_len <= SHADOW_PATH_MAX &&
			    last_element_is(&req, stall_on)) {
				stalled_id = req.id;
				stalled_due = now_ms() + STALL_MS;
				continue;       /* answered later */
			}
			struct grant_data gd = {
				.ops = { gd_map, gd_unmap }, .domid = domid, .req = &req,
				.npages = req.data_len > SHADOW_DATA_MAX ? 0 :
					  (uint32_t)((req.data_len + 4095) / 4096),
			};
			uint64_t t0 = now_ns();
			serve(rootfd, &req, &gd.ops, &rsp);
			if (quit_on != NULL && req.path_len <= SHADOW_PATH_MAX &&
			    last_element_is(&req, quit_on))
				quitting = 1;   /* after this reply */
			uint64_t took = now_ns() - t0;
			rsp.daemon_ns = took > UINT32_MAX ? UINT32_MAX : (uint32_t)took;
			memcpy(&ring->rsp[rsp_prod % SHADOW_RING_SLOTS], &rsp, sizeof(rsp));
			rsp_prod++;
			__atomic_store_n(&ring->rsp_prod, rsp_prod, __ATOMIC_RELEASE);
			sent = 1;
		}
		if (stalled_id != 0 && now_ms() >= stalled_due) {
			struct shadow_rsp rsp = { .id = stalled_id,
						  .status = StatusNotFound };
			memcpy(&ring->rsp[rsp_prod % SHADOW_RING_SLOTS], &rsp, sizeof(rsp));
			rsp_prod++;
			__atomic_store_n(&ring->rsp_prod, rsp_prod, __ATOMIC_RELEASE);
			stalled_id = 0;
			sent = 1;
		}
		if (sent)
			xenevtchn_notify(xce, local);
		if (quitting)
			break;
		uint64_t before = xs_watch_seen;
		int wait = FALLBACK_MS;
		if (stalled_id != 0)
			wait = now_ms() >= stalled_due ? 0 : (int)(stalled_due - now_ms());
		if (wait_store(fd, wait)) {
			xenevtchn_port_or_error_t p = xenevtchn_pending(xce);
			if (p >= 0)
				xenevtchn_unmask(xce, (evtchn_port_t)p);
		}
		if (xs_watch_seen != before || now_ms() - last_check > FALLBACK_MS) {
			last_check = now_ms();
			if (!domain_alive(domid))
				break;
		}
	}
	xs_unwatch(xs, name_path, "domain-name");
}

/* Connects to domain domid once its kernel has announced the ring. */
static void serve_domain(int domid)
{
	char path[128];
	uint32_t refs[SHADOW_RING_PAGES];

	snprintf(path, sizeof(path), "/local/domain/%d/data/shadowdaemon", domid);
	xs_write(xs, XBT_NULL, path, "1", 1);
	fprintf(stderr, "shadowdaemon: domain %s is %d\n", domain_name, domid);
	char *rr = NULL, *ec = NULL;
	while (!stop && domain_alive(domid)) {
		free(rr);
		free(ec);
		rr = dom_read(domid, "data/ethos-files/ring-ref");
		ec = dom_read(domid, "data/ethos-files/event-channel");
		if (rr != NULL && ec != NULL)
			break;
		wait_store(-1, 500);   /* the kernel writes them: a watch fires */
	}
	if (rr == NULL || ec == NULL)
		goto out;
	char *p = rr;
	for (int i = 0; i < SHADOW_RING_PAGES; i++) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || v == 0 || v > UINT32_MAX) {
			fprintf(stderr, "shadowdaemon: bad ring-ref '%s'\n", rr);
			goto out;
		}
		refs[i] = (uint32_t)v;
		p = end;
	}
	struct shadow_ring *ring = xengnttab_map_domain_grant_refs(
		xgt, SHADOW_RING_PAGES, (uint32_t)domid, refs, PROT_READ | PROT_WRITE);
	if (ring == NULL) {
		perror("shadowdaemon: map ring");
		goto out;
	}
	if (ring->magic != SHADOW_MAGIC || ring->version != SHADOW_VERSION) {
		fprintf(stderr, "shadowdaemon: not an Ethos file ring\n");
		xengnttab_unmap(xgt, ring, SHADOW_RING_PAGES);
		goto out;
	}
	xenevtchn_port_or_error_t local =
		xenevtchn_bind_interdomain(xce, (uint32_t)domid,
					   (evtchn_port_t)strtoul(ec, NULL, 10));
	if (local < 0) {
		perror("shadowdaemon: bind event channel");
		xengnttab_unmap(xgt, ring, SHADOW_RING_PAGES);
		goto out;
	}
	fprintf(stderr, "shadowdaemon: connected to domain %d\n", domid);
	serve_ring(domid, ring, (evtchn_port_t)local);
	xenevtchn_unbind(xce, (evtchn_port_t)local);
	xengnttab_unmap(xgt, ring, SHADOW_RING_PAGES);
	/* Leaving on purpose: say so (the kernel watches the node).  Not
	 * before: once it is gone the kernel resets the ring. */
	if ((stop || quitting) && domain_alive(domid))
		xs_rm(xs, XBT_NULL, path);
out:
	free(rr);
	free(ec);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *root = NULL;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--domain") == 0)
			domain_name = argv[i + 1];
		else if (strcmp(argv[i], "--root") == 0)
			root = argv[i + 1];
		else if (strcmp(argv[i], "--die-on") == 0)
			die_on = argv[i + 1];
		else if (strcmp(argv[i], "--quit-on") == 0)
			quit_on = argv[i + 1];
		else if (strcmp(argv[i], "--stall-on") == 0)
			stall_on = argv[i + 1];
		else if (strcmp(argv[i], "--hang-on") == 0)
			hang_on = argv[i + 1];
		else
			break;
	}
	if (domain_name == NULL || root == NULL || argc % 2 == 0) {
		fprintf(stderr, "usage: shadowdaemon --domain NAME --root DIR [--die-on NAME] [--quit-on NAME] [--stall-on NAME] [--hang-on NAME]\n");
		return 64;
	}
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		perror(root);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((xs = xs_open(0)) == NULL || (xgt = xengnttab_open(NULL, 0)) == NULL ||
	    (xce = xenevtchn_open(NULL, 0)) == NULL) {
		perror("shadowdaemon: xenstore, gntdev or evtchn");
		return 1;
	}
	/* Generous for a 16 MiB file plus its lists, several at once. */
	xengnttab_set_max_grants(xgt, 65536);
	/* Any change under /local/domain (a domain being built, named,
	 * destroyed) wakes the loops below; they look for themselves. */
	if (!xs_watch(xs, "/local/domain", "domains"))
		perror("shadowdaemon: watch /local/domain (polling instead)");
	int seen = 0;
	uint64_t gone_since = 0;
	while (!stop && !quitting) {
		int domid = find_domain();
		if (domid < 0) {
			if (seen && gone_since == 0)
				gone_since = now_ms();
			if (seen && now_ms() - gone_since > GONE_GRACE_MS)
				break;          /* destroyed, not rebooted */
			wait_store(-1, seen ? 500 : FALLBACK_MS);
			continue;
		}
		seen = 1;
		gone_since = 0;
		serve_domain(domid);
		/* Gone (or restarting): wait for it to go, then look again. */
		while (!stop && !quitting && domain_alive(domid))
			wait_store(-1, FALLBACK_MS);
	}
	if (quitting) {
		fprintf(stderr, "shadowdaemon: leaving on request (--quit-on)\n");
		return 4;
	}
	fprintf(stderr, "shadowdaemon: domain %s is %s; exiting\n", domain_name,
		stop ? "not ours to serve any more (signal)" : "gone");
	return 0;
}
