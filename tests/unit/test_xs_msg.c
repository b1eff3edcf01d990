/*
 * The xenstore client's checks (xen/xs_msg.c) with ASan + UBSan: which
 * message is a reply, an error, an event or junk; watch events matched by
 * token (unknown, malformed and truncated ones mark nothing); directory
 * replies (missing NULs, empty names, slashes, oxenstored's empty form).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <xen/xs_msg.h>

static void test_kinds(void)
{
	struct xsd_sockmsg m = { .type = XS_READ, .req_id = 7, .len = 3 };

	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsReply);
	CHECK_EQ(xs_msg_kind(&m, 8, XS_READ), XsStray);      /* someone else's id */
	CHECK_EQ(xs_msg_kind(&m, 7, XS_WRITE), XsStray);     /* wrong type */
	CHECK_EQ(xs_msg_kind(&m, 0, XS_READ), XsStray);      /* waiting for none */
	m.type = XS_ERROR;
	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsErrorReply);
	CHECK_EQ(xs_msg_kind(&m, 6, XS_READ), XsStray);
	m.type = XS_WATCH_EVENT;
	m.req_id = 0;
	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsWatchEvent); /* amid a wait */
	CHECK_EQ(xs_msg_kind(&m, 0, 0), XsWatchEvent);
	m.req_id = 7;                                        /* any id */
	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsWatchEvent);
	m.len = XENSTORE_PAYLOAD_MAX;
	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsWatchEvent);
	m.len = XENSTORE_PAYLOAD_MAX + 1;
	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsBroken);
	m.type = XS_READ;
	m.len = UINT32_MAX;
	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsBroken);
	m.type = 9999;
	m.len = 0;
	CHECK_EQ(xs_msg_kind(&m, 7, XS_READ), XsStray);
}

static int fired_count;

static void fired(void *arg)
{
	(void)arg;
	fired_count++;
}

#define EV(s) s, sizeof(s) - 1

static void test_watch_events(void)
{
	struct xs_watch w[3] = {
		{ "data/shadowdaemon", "sd", fired, NULL, false },
		{ "/local/domain/0", "sdx", fired, NULL, false },
		{ NULL, NULL, NULL, NULL, false },           /* a free slot */
	};

	CHECK(xs_watch_event(w, 3, EV("data/shadowdaemon\0sd\0")));
	CHECK(w[0].pending && !w[1].pending);
	w[0].pending = false;
	/* Below the watched path, and the token is what counts. */
	CHECK(xs_watch_event(w, 3, EV("/local/domain/0/x\0sdx\0")));
	CHECK(!w[0].pending && w[1].pending);
	w[1].pending = false;
	/* Extra fields after the token are tolerated. */
	CHECK(xs_watch_event(w, 3, EV("p\0sd\0extra\0")));
	CHECK(w[0].pending);
	w[0].pending = false;

	/* Hostile or foreign: nothing marked. */
	static const struct { const char *p; uint32_t len; } bad[] = {
		{ EV("p\0unknown\0") },      /* a token we never registered */
		{ EV("p\0s\0") },            /* a prefix of one */
		{ EV("p\0sdxx\0") },         /* longer than one */
		{ EV("p\0sd") },             /* no final NUL */
		{ EV("p\0") },               /* no token */
		{ EV("\0sd\0") },            /* empty path */
		{ EV("p\0\0") },             /* empty token */
		{ EV("") },                  /* empty */
		{ EV("\0") },
		{ "p\0sd\0", 2 },            /* cut inside: "p\0" */
		{ "p\0sd\0", 4 },            /* cut inside the token */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (xs_watch_event(w, 3, bad[i].p, bad[i].len))
			printf("FAIL: accepted bad event %u\n", i), unit_failures++;
	}
	CHECK(!w[0].pending && !w[1].pending && !w[2].pending);
	static char big[XENSTORE_PAYLOAD_MAX + 8];
	memcpy(big, "p\0sd\0", 6);
	CHECK(!xs_watch_event(w, 3, big, XENSTORE_PAYLOAD_MAX + 1));
	CHECK(!w[0].pending);
	/* No watches at all. */
	CHECK(!xs_watch_event(w, 0, EV("data/shadowdaemon\0sd\0")));
	CHECK(fired_count == 0);      /* marking never runs a handler */
}

static void test_directory(void)
{
	const char *names[4];

	CHECK_EQ(xs_directory_parse(EV("a\0bb\0ccc\0"), names, 4), 3);
	CHECK(strcmp(names[0], "a") == 0 && strcmp(names[1], "bb") == 0 &&
	      strcmp(names[2], "ccc") == 0);
	CHECK_EQ(xs_directory_parse("", 0, names, 4), 0);
	CHECK_EQ(xs_directory_parse(EV("\0"), names, 4), 0);   /* oxenstored */
	/* More names than room: the count, the first max stored. */
	names[1] = NULL;
	CHECK_EQ(xs_directory_parse(EV("1\0" "2\0" "3\0" "4\0" "5\0"), names, 1), 5);
	CHECK(strcmp(names[0], "1") == 0 && names[1] == NULL);
	CHECK_EQ(xs_directory_parse(EV("a\0b"), names, 4), -1);    /* no final NUL */
	CHECK_EQ(xs_directory_parse(EV("a"), names, 4), -1);
	CHECK_EQ(xs_directory_parse(EV("a\0\0b\0"), names, 4), -1);/* empty name */
	CHECK_EQ(xs_directory_parse(EV("\0\0"), names, 4), -1);
	CHECK_EQ(xs_directory_parse(EV("a/b\0"), names, 4), -1);   /* a path */
	static char big[XENSTORE_PAYLOAD_MAX + 2];
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ(xs_directory_parse(big, sizeof(big), names, 4), -1);
	CHECK_EQ(xs_directory_parse(big + 2, XENSTORE_PAYLOAD_MAX, names, 4), 1);
}

int main(void)
{
	RUN(test_kinds);
	RUN(test_watch_events);
	RUN(test_directory);
	return unit_tests_failed != 0;
}
