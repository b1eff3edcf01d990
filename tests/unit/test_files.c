/*
 * The pure parts of files, with ASan + UBSan: name and path validation
 * (kernel/fs/names.c, <uapi/ethos/shadow.h>), the check the kernel makes
 * of every reply before it believes it (shadow_rsp_valid), and the ring's
 * layout.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include <kernel/fs.h>
#include <uapi/ethos/shadow.h>

static void test_names(void)
{
	char longname[SHADOW_NAME_MAX + 2];

	CHECK(fs_name_ok("a", 1));
	CHECK(fs_name_ok("...", 3));
	CHECK(fs_name_ok(".hidden", 7));
	CHECK(!fs_name_ok("", 0));
	CHECK(!fs_name_ok(".", 1));
	CHECK(!fs_name_ok("..", 2));
	CHECK(!fs_name_ok("a/b", 3));
	CHECK(!fs_name_ok("/", 1));
	CHECK(!fs_name_ok("a\0b", 3));
	memset(longname, 'x', sizeof(longname));
	CHECK(fs_name_ok(longname, SHADOW_NAME_MAX));
	CHECK(!fs_name_ok(longname, SHADOW_NAME_MAX + 1));
}

static void test_paths(void)
{
	CHECK(shadow_path_ok("", 0));
	CHECK(shadow_path_ok("a/b/c", 5));
	CHECK(!shadow_path_ok("/a", 2));          /* absolute */
	CHECK(!shadow_path_ok("a/", 2));          /* empty last element */
	CHECK(!shadow_path_ok("a//b", 4));
	CHECK(!shadow_path_ok("a/../b", 6));
	CHECK(!shadow_path_ok("a/./b", 5));
	CHECK(!shadow_path_ok("..", 2));
	CHECK(!shadow_path_ok("a\0/b", 4));
}

static void test_join(void)
{
	char out[SHADOW_PATH_MAX], big[SHADOW_PATH_MAX];
	uint32_t len = 0;

	CHECK_EQ(fs_join(out, &len, "", 0, "f", 1), StatusOk);
	CHECK(len == 1 && memcmp(out, "f", 1) == 0);
	CHECK_EQ(fs_join(out, &len, "d/e", 3, "f", 1), StatusOk);
	CHECK(len == 5 && memcmp(out, "d/e/f", 5) == 0);
	memset(big, 'd', sizeof(big));
	/* Exactly full fits; one byte more does not. */
	CHECK_EQ(fs_join(out, &len, big, SHADOW_PATH_MAX - 2, "f", 1), StatusOk);
	CHECK_EQ(len, SHADOW_PATH_MAX);
	CHECK_EQ(fs_join(out, &len, big, SHADOW_PATH_MAX - 1, "f", 1),
		 StatusInvalidArgument);
}

static void test_reply_checks(void)
{
	struct shadow_req rq = { .id = 7, .op = ShadowRead, .data_len = 100 };
	struct shadow_rsp rs = { .id = 7, .status = StatusOk, .size = 100 };

	CHECK(shadow_rsp_valid(&rq, &rs));
	rs.size = 101;                     /* more than the buffer holds */
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.status = StatusReturnSpace;     /* ... unless it asks for more */
	CHECK(shadow_rsp_valid(&rq, &rs));
	rs.size = 100;                     /* "too small" for what fitted */
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.size = (uint64_t)SHADOW_DATA_MAX + 1;
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.status = StatusCount + 5;       /* no such status */
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.status = StatusInvalidEvent;    /* a status no daemon may give */
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.status = StatusUnavailable;
	CHECK(shadow_rsp_valid(&rq, &rs));

	rq.op = ShadowWrite;               /* ReturnSpace only for reads */
	rs.status = StatusReturnSpace;
	rs.size = 1000;
	CHECK(!shadow_rsp_valid(&rq, &rs));

	rq.op = ShadowStat;
	rs = (struct shadow_rsp){ .status = StatusOk, .kind = ShadowKindFile };
	CHECK(shadow_rsp_valid(&rq, &rs));
	rs.kind = 0;
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.kind = 99;
	CHECK(!shadow_rsp_valid(&rq, &rs));

	rq.op = ShadowOpenDir;
	rs.kind = ShadowKindFile;          /* Ok, but not a directory */
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.kind = ShadowKindDirectory;
	CHECK(shadow_rsp_valid(&rq, &rs));

	rq.op = ShadowNextName;
	rs = (struct shadow_rsp){ .status = StatusOk, .name_len = 3 };
	memcpy(rs.name, "abc", 3);
	CHECK(shadow_rsp_valid(&rq, &rs));
	rs.name_len = 0;
	CHECK(!shadow_rsp_valid(&rq, &rs));
	rs.name_len = SHADOW_NAME_MAX + 1;
	CHECK(!shadow_rsp_valid(&rq, &rs));
	memcpy(rs.name, "../", 3);
	rs.name_len = 3;
	CHECK(!shadow_rsp_valid(&rq, &rs));
	memcpy(rs.name, "..", 2);
	rs.name_len = 2;
	CHECK(!shadow_rsp_valid(&rq, &rs));

	rq.op = ShadowOpCount;             /* a request we never make */
	rs.status = StatusOk;
	CHECK(!shadow_rsp_valid(&rq, &rs));
}

static void test_layout(void)
{
	/* Both sides compile this header: the layout must not depend on
	 * anything but it. */
	CHECK(sizeof(struct shadow_ring) <= SHADOW_RING_PAGES * 4096);
	CHECK((SHADOW_RING_SLOTS & (SHADOW_RING_SLOTS - 1)) == 0);
	CHECK_EQ(offsetof(struct shadow_ring, req), 64);
	CHECK_EQ(sizeof(struct shadow_req) % 8, 0);
	CHECK_EQ(sizeof(struct shadow_rsp) % 8, 0);
	/* A list page: SHADOW_LIST_REFS refs and the next page's ref. */
	CHECK_EQ((SHADOW_LIST_REFS + 1) * sizeof(uint32_t), 4096);
}

int main(void)
{
	RUN(test_names);
	RUN(test_paths);
	RUN(test_join);
	RUN(test_reply_checks);
	RUN(test_layout);
	return unit_tests_failed != 0;
}
