/*
 * The shadowdaemon's file operations (tools/shadowdaemon/serve.c) on a
 * real temporary tree, with ASan + UBSan: what a guest asks for stays
 * inside the root whatever the path says (symlinks out, `..`, absolute
 * names, NUL), FIFOs do not stall it, and the operations do what the
 * protocol says (ReturnSpace, listing order, removal).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "serve.h"

static char top[64];
static int rootfd;

/* Request data in plain memory. */
struct mem_data {
	struct serve_data ops;
	char *buf;
	int maps;
};

static void *mem_map(struct serve_data *d, int writable)
{
	(void)writable;
	((struct mem_data *)d)->maps++;
	return ((struct mem_data *)d)->buf;
}

static void mem_unmap(struct serve_data *d, void *p)
{
	(void)d;
	(void)p;
}

static struct shadow_rsp ask(uint32_t op, const char *path, size_t len,
			     char *buf, uint64_t data_len)
{
	struct shadow_req req = { .id = 42, .op = op, .path_len = (uint32_t)len,
				  .data_len = data_len };
	struct mem_data d = { { mem_map, mem_unmap }, buf, 0 };
	struct shadow_rsp rsp;

	memcpy(req.path, path, len);
	serve(rootfd, &req, &d.ops, &rsp);
	CHECK_EQ(rsp.id, 42);
	return rsp;
}

#define ASK(op, path, buf, n) ask(op, path, strlen(path), buf, n)

static void setup(void)
{
	char p[256];

	strcpy(top, "/tmp/ethos-shadow.XXXXXX");
	if (mkdtemp(top) == NULL)
		abort();
	snprintf(p, sizeof(p), "%s/root", top);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/secret", top);     /* outside the root */
	FILE *f = fopen(p, "w");
	fputs("secret", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/root", top);
	rootfd = open(p, O_RDONLY | O_DIRECTORY);
	mkdirat(rootfd, "sub", 0755);
	f = fdopen(openat(rootfd, "sub/file", O_WRONLY | O_CREAT, 0644), "w");
	fputs("hello", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/secret", top);
	symlinkat(p, rootfd, "tosecret");             /* a symlink out */
	symlinkat("/etc", rootfd, "etc");             /* a directory out */
	symlinkat("..", rootfd, "up");                /* `..` through a link */
	symlinkat("sub", rootfd, "insub");            /* even one that stays in */
	mkfifoat(rootfd, "fifo", 0644);
}

static void teardown(void)
{
	char cmd[128];

	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		printf("could not remove %s\n", top);
}

static void test_confinement(void)
{
	char buf[4096];

	CHECK_EQ(ASK(ShadowRead, "sub/file", buf, sizeof(buf)).status, StatusOk);
	CHECK_EQ(ASK(ShadowRead, "tosecret", buf, sizeof(buf)).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowRead, "etc/passwd", buf, sizeof(buf)).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowRead, "up/secret", buf, sizeof(buf)).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowRead, "insub/file", buf, sizeof(buf)).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowRead, "../secret", buf, sizeof(buf)).status, StatusInvalidArgument);
	CHECK_EQ(ASK(ShadowRead, "sub/../../secret", buf, sizeof(buf)).status,
		 StatusInvalidArgument);
	CHECK_EQ(ASK(ShadowRead, "/etc/passwd", buf, sizeof(buf)).status, StatusInvalidArgument);
	CHECK_EQ(ask(ShadowRead, "sub/file\0x", 10, buf, sizeof(buf)).status,
		 StatusInvalidArgument);
	CHECK_EQ(ASK(ShadowRead, "", buf, sizeof(buf)).status, StatusInvalidArgument);
	/* Writing through a symlink must not reach its target. */
	memcpy(buf, "owned", 5);
	CHECK_EQ(ASK(ShadowWrite, "tosecret", buf, 5).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowWrite, "etc/evil", buf, 5).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowMkdir, "up/evil", buf, 0).status, StatusNotPermitted);
	char p[256], got[16] = "";
	snprintf(p, sizeof(p), "%s/secret", top);
	FILE *f = fopen(p, "r");
	CHECK(f != NULL && fgets(got, sizeof(got), f) != NULL);
	if (f)
		fclose(f);
	CHECK(strcmp(got, "secret") == 0);
	/* A removal through a link removes at most the link itself. */
	CHECK_EQ(ASK(ShadowRemove, "etc/passwd", buf, 0).status, StatusNotPermitted);
	/* A FIFO is not a file, and reading it must not block. */
	CHECK_EQ(ASK(ShadowRead, "fifo", buf, sizeof(buf)).status, StatusInvalidArgument);
	CHECK_EQ(ASK(ShadowWrite, "fifo", buf, 1).status, StatusInvalidArgument);
	/* A listing of a symlinked directory is refused too. */
	struct shadow_req req = { .id = 42, .op = ShadowNextName, .path_len = 3 };
	memcpy(req.path, "etc", 3);
	struct shadow_rsp rsp;
	serve(rootfd, &req, NULL, &rsp);
	CHECK_EQ(rsp.status, StatusNotPermitted);
}

static void test_operations(void)
{
	char buf[64];
	struct mem_data unused;
	(void)unused;

	/* ReturnSpace with the size needed, and no mapping for it. */
	struct shadow_rsp r = ASK(ShadowRead, "sub/file", buf, 3);
	CHECK_EQ(r.status, StatusReturnSpace);
	CHECK_EQ(r.size, 5);
	r = ASK(ShadowRead, "sub/file", buf, sizeof(buf));
	CHECK(r.status == StatusOk && r.size == 5 && memcmp(buf, "hello", 5) == 0);
	memcpy(buf, "new contents", 12);
	CHECK_EQ(ASK(ShadowWrite, "sub/new", buf, 12).status, StatusOk);
	memset(buf, 0, sizeof(buf));
	r = ASK(ShadowRead, "sub/new", buf, sizeof(buf));
	CHECK(r.status == StatusOk && r.size == 12 && memcmp(buf, "new contents", 12) == 0);
	CHECK_EQ(ASK(ShadowWrite, "sub/new", buf, 0).status, StatusOk);   /* truncates */
	r = ASK(ShadowStat, "sub/new", buf, 0);
	CHECK(r.status == StatusOk && r.size == 0 && r.kind == ShadowKindFile);
	CHECK_EQ(ASK(ShadowStat, "tosecret", buf, 0).kind, ShadowKindOther);
	CHECK_EQ(ASK(ShadowOpenDir, "sub", buf, 0).status, StatusOk);
	CHECK_EQ(ASK(ShadowOpenDir, "sub/file", buf, 0).status, StatusInvalidArgument);
	CHECK_EQ(ASK(ShadowOpenDir, "nothere", buf, 0).status, StatusNotFound);
	CHECK_EQ(ASK(ShadowMkdir, "sub/d", buf, 0).status, StatusOk);
	CHECK_EQ(ASK(ShadowMkdir, "sub/d", buf, 0).status, StatusNotPermitted);
	/* Listing "sub": d, file, new, in byte order, then NotFound. */
	const char *want[] = { "d", "file", "new" };
	char after[SHADOW_NAME_MAX + 1] = "";
	for (int i = 0; i <= 3; i++) {
		struct shadow_req req = { .id = 42, .op = ShadowNextName, .path_len = 3,
					  .after_len = (uint32_t)strlen(after) };
		memcpy(req.path, "sub", 3);
		memcpy(req.after, after, strlen(after));
		serve(rootfd, &req, NULL, &r);
		if (i == 3) {
			CHECK_EQ(r.status, StatusNotFound);
			break;
		}
		CHECK(r.status == StatusOk && r.name_len == strlen(want[i]) &&
		      memcmp(r.name, want[i], r.name_len) == 0);
		memcpy(after, r.name, r.name_len);
		after[r.name_len] = '\0';
	}
	/* The root's listing skips . and .. */
	struct shadow_req root = { .id = 42, .op = ShadowNextName };
	serve(rootfd, &root, NULL, &r);
	CHECK(r.status == StatusOk && r.name_len > 0 && r.name[0] != '.');
	CHECK_EQ(ASK(ShadowRemove, "sub", buf, 0).status, StatusNotPermitted);  /* not empty */
	CHECK_EQ(ASK(ShadowRemove, "sub/d", buf, 0).status, StatusOk);
	CHECK_EQ(ASK(ShadowRemove, "sub/d", buf, 0).status, StatusNotFound);
	CHECK_EQ(ASK(ShadowRemove, "sub/new", buf, 0).status, StatusOk);
	/* A request the daemon does not know. */
	CHECK_EQ(ASK(99, "sub/file", buf, 0).status, StatusNotImplemented);
	/* Sizes the daemon refuses. */
	CHECK_EQ(ASK(ShadowWrite, "big", buf, (uint64_t)SHADOW_DATA_MAX + 1).status,
		 StatusTooBig);
}

/* The names in the root's directory "sub" that start with prefix. */
static int count_names(const char *prefix)
{
	int fd = openat(rootfd, "sub", O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d != NULL)
		closedir(d);
	return n;
}

/* writeVar is atomic: a reader that has the old file open keeps reading
 * the old contents whole, a write that fails half-way (the file size
 * limit, EFBIG) leaves the old contents, no temporary is left behind,
 * permission bits are kept, and what the name is decides first (a
 * directory or a symlink is not replaced). */
static void test_atomic_write(void)
{
	char buf[8192];
	struct shadow_rsp r;

	memcpy(buf, "old contents", 12);
	CHECK_EQ(ASK(ShadowWrite, "sub/atom", buf, 12).status, StatusOk);
	fchmodat(rootfd, "sub/atom", 0600, 0);
	int reader = openat(rootfd, "sub/atom", O_RDONLY);
	CHECK(reader >= 0);
	memset(buf, 'N', sizeof(buf));
	CHECK_EQ(ASK(ShadowWrite, "sub/atom", buf, 5000).status, StatusOk);
	char old[32] = "";
	CHECK(pread(reader, old, sizeof(old), 0) == 12 &&
	      memcmp(old, "old contents", 12) == 0);
	close(reader);
	r = ASK(ShadowRead, "sub/atom", buf, sizeof(buf));
	CHECK(r.status == StatusOk && r.size == 5000 && buf[0] == 'N' && buf[4999] == 'N');
	struct stat sb;
	CHECK(fstatat(rootfd, "sub/atom", &sb, 0) == 0 && (sb.st_mode & 07777) == 0600);

	/* A write that fails after 4 KiB: the old 5000 N's stay. */
	struct rlimit was, small = { 4096, 4096 };
	getrlimit(RLIMIT_FSIZE, &was);
	small.rlim_max = was.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &small);
	memset(buf, 'F', sizeof(buf));
	r = ASK(ShadowWrite, "sub/atom", buf, 8000);
	setrlimit(RLIMIT_FSIZE, &was);
	CHECK_EQ(r.status, StatusTooBig);
	memset(buf, 0, sizeof(buf));
	r = ASK(ShadowRead, "sub/atom", buf, sizeof(buf));
	CHECK(r.status == StatusOk && r.size == 5000 && buf[0] == 'N' && buf[4999] == 'N');
	CHECK_EQ(count_names(".shadowdaemon-tmp."), 0);

	/* Unmappable data: NoMemory, the old contents, no temporary. */
	struct shadow_req req = { .id = 42, .op = ShadowWrite, .path_len = 8,
				  .data_len = 10 };
	memcpy(req.path, "sub/atom", 8);
	struct mem_data none = { { mem_map, mem_unmap }, NULL, 0 };
	serve(rootfd, &req, &none.ops, &r);
	CHECK_EQ(r.status, StatusNoMemory);
	CHECK(ASK(ShadowStat, "sub/atom", buf, 0).size == 5000);
	CHECK_EQ(count_names(".shadowdaemon-tmp."), 0);

	/* Not replaced: a directory, a symlink (even one that stays in). */
	CHECK_EQ(ASK(ShadowMkdir, "sub/d2", buf, 0).status, StatusOk);
	CHECK_EQ(ASK(ShadowWrite, "sub/d2", buf, 3).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowStat, "sub/d2", buf, 0).kind, ShadowKindDirectory);
	symlinkat("atom", rootfd, "sub/link");
	CHECK_EQ(ASK(ShadowWrite, "sub/link", buf, 3).status, StatusNotPermitted);
	CHECK_EQ(ASK(ShadowStat, "sub/link", buf, 0).kind, ShadowKindOther);
	CHECK(ASK(ShadowStat, "sub/atom", buf, 0).size == 5000);
	CHECK_EQ(count_names(".shadowdaemon-tmp."), 0);
	unlinkat(rootfd, "sub/link", 0);
	ASK(ShadowRemove, "sub/d2", buf, 0);
	ASK(ShadowRemove, "sub/atom", buf, 0);
}

int main(void)
{
	setup();
	RUN(test_confinement);
	RUN(test_operations);
	RUN(test_atomic_write);
	teardown();
	return unit_tests_failed != 0;
}
