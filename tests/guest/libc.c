/*
 * The rest of the C library as user programs see it: qsort and bsearch,
 * strtol and strtod, <string.h>, <ctype.h>, libm, the clocks, and errno on
 * the calls Ethos does not offer (they fail, never succeed silently).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sorting(void)
{
	int v[1000];
	unsigned int seed = 12345;

	for (int i = 0; i < 1000; i++) {
		seed = seed * 1103515245 + 12345;
		v[i] = (int)(seed >> 8) % 10000 - 5000;
	}
	qsort(v, 1000, sizeof(v[0]), cmp_int);
	int sorted = 1;
	for (int i = 1; i < 1000; i++)
		if (v[i - 1] > v[i])
			sorted = 0;
	CHECK("qsort of 1000 ints", sorted);
	int key = v[500];
	int *found = bsearch(&key, v, 1000, sizeof(v[0]), cmp_int);
	CHECK("bsearch finds an element", found && *found == key);
	const char *w[] = { "pear", "apple", "fig", "banana", "cherry" };
	qsort(w, 5, sizeof(w[0]), cmp_str);
	CHECK("qsort of strings",
	      strcmp(w[0], "apple") == 0 && strcmp(w[4], "pear") == 0);
}

static void conversions(void)
{
	char *end;

	CHECK("strtol decimal", strtol("  -1234xyz", &end, 10) == -1234 &&
	      strcmp(end, "xyz") == 0);
	CHECK("strtol base 16 and 0x", strtol("0x1fZ", &end, 16) == 31 && *end == 'Z');
	CHECK("strtol base 0 octal", strtol("0755", NULL, 0) == 0755);
	CHECK("strtol base 2", strtol("101101", NULL, 2) == 45);
	errno = 0;
	CHECK("strtol overflow: LONG_MAX and ERANGE",
	      strtol("99999999999999999999", NULL, 10) == LONG_MAX && errno == ERANGE);
	CHECK("strtol with no digits", strtol("xyz", &end, 10) == 0 && strcmp(end, "xyz") == 0);
	CHECK("strtoul", strtoul("4294967296", NULL, 10) == 4294967296UL);
	CHECK("atoi", atoi("  42abc") == 42);
	CHECK("strtod", strtod("3.25", &end) == 3.25 && *end == '\0');
	CHECK("strtod exponent", fabs(strtod("-1.5e-3", NULL) + 0.0015) < 1e-15);
	CHECK("strtod inf", isinf(strtod("inf", NULL)));
	CHECK("atof", atof("2.5") == 2.5);
	CHECK("labs and div", labs(-5L) == 5 && div(17, 5).quot == 3 && div(17, 5).rem == 2);
}

static void strings(void)
{
	char b[64];

	CHECK("strlen", strlen("hello") == 5 && strlen("") == 0);
	strcpy(b, "foo");
	strcat(b, "bar");
	CHECK("strcpy and strcat", strcmp(b, "foobar") == 0);
	CHECK("strncmp", strncmp("abcdef", "abcxyz", 3) == 0 && strncmp("abd", "abc", 3) > 0);
	CHECK("strchr and strrchr", strchr(b, 'o') == b + 1 && strrchr(b, 'o') == b + 2);
	CHECK("strstr", strstr(b, "bar") == b + 3 && strstr(b, "baz") == NULL);
	CHECK("strspn and strcspn", strspn("aaab", "a") == 3 && strcspn("abc;d", ";") == 3);
	memset(b, 0, sizeof(b));
	const char *volatile src = "abcdef";  /* not a constant gcc can judge */
	strncpy(b, src, 3);
	CHECK("strncpy copies at most n", strcmp(b, "abc") == 0);
	strcpy(b, "0123456789");
	memmove(b + 2, b, 5);
	CHECK("memmove with overlap", strcmp(b, "0101234789") == 0);
	CHECK("memcmp", memcmp("abc", "abd", 3) < 0 && memcmp("abc", "abc", 3) == 0);
	CHECK("memchr", memchr("abcdef", 'd', 6) != NULL && memchr("abc", 'z', 3) == NULL);
	char *d = strdup("duplicate");
	CHECK("strdup", d && strcmp(d, "duplicate") == 0);
	free(d);
	char s[] = "a,b,,c";
	int tokens = 0;
	for (char *t = strtok(s, ","); t; t = strtok(NULL, ","))
		tokens++;
	CHECK("strtok", tokens == 3);
	CHECK("strerror", strcmp(strerror(ENOSYS), "Function not implemented") == 0 ||
	      strstr(strerror(ENOSYS), "implemented") != NULL);
}

static void ctypes(void)
{
	CHECK("isdigit", isdigit('7') && !isdigit('a'));
	CHECK("isalpha", isalpha('q') && isalpha('Q') && !isalpha('1'));
	CHECK("isspace", isspace(' ') && isspace('\n') && !isspace('x'));
	CHECK("isxdigit", isxdigit('f') && isxdigit('A') && !isxdigit('g'));
	CHECK("toupper and tolower", toupper('a') == 'A' && tolower('Z') == 'z' &&
	      toupper('1') == '1');
	CHECK("ispunct and isalnum", ispunct('!') && isalnum('z') && !isalnum('-'));
}

static void maths(void)
{
	volatile double two = 2.0;

	CHECK("sqrt", fabs(sqrt(two) - 1.41421356237) < 1e-10);
	CHECK("sin and cos", fabs(sin(0.0)) < 1e-15 && fabs(cos(0.0) - 1.0) < 1e-15);
	CHECK("pow and exp", fabs(pow(two, 10.0) - 1024.0) < 1e-9 &&
	      fabs(exp(1.0) - 2.718281828459045) < 1e-12);
	CHECK("floor and ceil", floor(-1.5) == -2.0 && ceil(1.2) == 2.0);
}

static void clocks(void)
{
	time_t t0 = time(NULL), t1;
	struct timespec a, b;

	CHECK("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	sleep_ms(20);
	clock_gettime(CLOCK_MONOTONIC, &b);
	int64_t ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
	CHECK("clock_gettime advances with the clock", ns >= 20000000 && ns < 5000000000LL);
	CHECK("clock_gettime agrees with ethos_time",
	      (uint64_t)b.tv_sec == ethos_time() / 1000000000 ||
	      (uint64_t)b.tv_sec + 1 == ethos_time() / 1000000000);
	t1 = time(&t1);
	CHECK("time() is monotonic", t0 != (time_t)-1 && t0 <= t1);
	CHECK("time() is Unix time (after 2024-01-01)", t1 >= 1704067200);
	struct timespec real;
	CHECK("CLOCK_REALTIME is the wall clock",
	      clock_gettime(CLOCK_REALTIME, &real) == 0 &&
	      (uint64_t)real.tv_sec + 1 >= ethos_wallclock() / 1000000000 &&
	      (uint64_t)real.tv_sec <= ethos_wallclock() / 1000000000);
	struct timeval tv;
	CHECK("gettimeofday", gettimeofday(&tv, NULL) == 0 && tv.tv_usec < 1000000);
	CHECK("clock() counts", clock() != (clock_t)-1);
	errno = 0;
	CHECK("clock_gettime of an unknown clock: EINVAL",
	      clock_gettime((clockid_t)1234, &a) == -1 && errno == EINVAL);
}

static void unsupported(void)
{
	struct stat st;

	/* Files are the shadowdaemon's (tests/guest/files.c): ENXIO when
	 * there is none (the dom0 loop), ENOENT from an empty tree (domU). */
#define NO_FILE (errno == ENXIO || errno == ENOENT)
	errno = 0;
	CHECK("open of a missing file: ENXIO or ENOENT",
	      open("/etc/passwd", O_RDONLY) == -1 && NO_FILE);
	errno = 0;
	CHECK("fopen of a missing file: ENXIO or ENOENT",
	      fopen("/etc/passwd", "r") == NULL && NO_FILE);
	errno = 0;
	CHECK("stat of a missing file: ENXIO or ENOENT", stat("/bin/init", &st) == -1 && NO_FILE);
	errno = 0;
	CHECK("unlink of a missing file: ENXIO or ENOENT", unlink("/bin/init") == -1 && NO_FILE);
	errno = 0;
	CHECK("write to a closed fd: EBADF", write(7, "x", 1) == -1 && errno == EBADF);
	errno = 0;
	CHECK("lseek on the console: ESPIPE", lseek(1, 0, SEEK_SET) == -1 && errno == ESPIPE);
	errno = 0;
	CHECK("kill probe (signal 0): ENOSYS", kill(getpid(), 0) == -1 && errno == ENOSYS);
	errno = 0;
	CHECK("waitpid WNOHANG: ENOSYS", waitpid(-1, NULL, 1) == -1 && errno == ENOSYS);
	errno = 0;
	CHECK("wait without children: ECHILD", wait(NULL) == -1 && errno == ECHILD);
	CHECK("isatty on the console", isatty(1) && isatty(2) && isatty(0));
	CHECK("fstat on the console: a character device",
	      fstat(1, &st) == 0 && S_ISCHR(st.st_mode));
	CHECK("getpid", (uint64_t)getpid() == ethos_getpid());
	CHECK("write to stderr", write(2, "libc: to stderr\n", 16) == 16);
	CHECK("fputs to stderr", fputs("libc: fputs to stderr\n", stderr) >= 0);
}

/* fork, execve and waitpid ride on ethos_fork, ethos_exec and ethos_wait. */
static void processes(void)
{
	errno = 0;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	CHECK("fork makes a child", pid > 0);
	if (pid > 0) {
		int st = 0;
		CHECK("waitpid gets the forked child's exit status",
		      waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7);
	}
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "/bin/true", NULL };
		execve("/bin/true", argv, NULL);
		_exit(127);
	}
	int st = -1;
	CHECK("fork + execve of /bin/true + waitpid: exit 0",
	      pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
	char *argv[] = { "missing", NULL };
	errno = 0;
	CHECK("execve of a missing file: -1 with ENOENT",
	      execve("/no/such/program", argv, NULL) == -1 && errno == ENOENT);
	CHECK("waitpid with no children left: -1 with ECHILD",
	      waitpid(-1, &st, 0) == -1 && errno == ECHILD);
}

/* Constructors run before main (crt0 -> __libc_init_array): the link's
 * --gc-sections must keep .init_array, which nothing else names. */
static int ctor_order;

__attribute__((constructor(200))) static void ctor_first(void)
{
	if (ctor_order == 0)
		ctor_order = 1;
}

__attribute__((constructor(300))) static void ctor_second(void)
{
	if (ctor_order == 1)
		ctor_order = 2;
}

int main(void)
{
	check_program = "libc";
	CHECK("both constructors ran before main, in priority order",
	      ctor_order == 2);
	sorting();
	conversions();
	strings();
	ctypes();
	maths();
	clocks();
	unsupported();
	processes();
	return check_failures;
}
