/*
 * Standard input on the console: read(0), fgets and getchar through
 * newlib's system layer (libethos/newlib.c), and a callback on a
 * readConsole event.  init runs it in "suite-input" right after
 * /tests/console.  The runner (tools/tests.d/10-guest-suite.sh, the same
 * lines as `typed` below) types one line each time the console shows a
 * line "...: waiting for input" (run-dom0 ETHOS_INPUT_ON), console.c's
 * being the first: so every part here reads exactly the line it asked
 * for, and each check compares the bytes exactly.
 */
#include <unistd.h>
#include "check.h"

#define MS 1000000ULL

/* In the order asked for; the runner adds the newline. */
static const char *const typed[] = {
	"partial reads 0123456789",
	"a read of 4096 bytes",
	"carriage\rreturn",
	"before ctrl-d\x04" "after ctrl-d",
	"a callback while spinning",
	"a callback while blocked",
	"one line for fgets",
	"a line longer than the fgets buffer of 16 bytes",
	"getchar",
};
static unsigned int next_line;

/* If a line never comes whole (the runner stopped typing, or a byte was
 * lost), a read would wait for ever: this ends the program instead. */
#define LINE_WAIT_MS 20000
static EventId dog;
static int dog_set;

static void watchdog(EventId e, void *arg)
{
	(void)e;
	(void)arg;
	printf("FAIL: stdin/line %u (\"%s\") not read whole in %u ms\n",
	       next_line, typed[next_line - 1], LINE_WAIT_MS);
	fflush(stdout);
	ethos_exit(1);
}

/* Asks the runner for the next line of typed[]. */
static const char *ask(void)
{
	if (dog_set)
		ethos_cancel(dog);
	dog_set = 1;
	ethos_beep(ethos_time() + LINE_WAIT_MS * MS, &dog);
	ethos_callback(dog, watchdog, 0);
	printf("stdin: waiting for input\n");
	fflush(stdout);
	return typed[next_line++];
}

/* ---- read(0) ------------------------------------------------------------- */

/*
 * Reads want bytes with reads of at most chunk bytes each; 0 if they are
 * exactly the bytes of expect, which must each read between 1 and chunk
 * bytes (as console input arrives, a read may be short).
 */
static int read_exact(const char *expect, size_t want, size_t chunk)
{
	static char got[2048];
	size_t len = 0;

	while (len < want) {
		ssize_t n = read(0, got + len, chunk);
		if (n <= 0 || (size_t)n > chunk || len + (size_t)n > want) {
			printf("stdin: read of %lu returned %ld after %lu of %lu bytes\n",
			       (unsigned long)chunk, (long)n, (unsigned long)len,
			       (unsigned long)want);
			return -1;
		}
		len += (size_t)n;
		/* At once: with a byte lost, the rest would never come. */
		if (memcmp(got, expect, len) != 0) {
			printf("stdin: read \"%.*s\", typed \"%.*s\"\n", (int)len,
			       got, (int)want, expect);
			return -1;
		}
	}
	return 0;
}

/* The first read is issued before anything is typed: a beep's callback
 * asks for the line 100 ms later, while read blocks. */
static volatile uint64_t asked_at;

static void ask_later(EventId e, void *arg)
{
	struct ethos_beep_result r;

	(void)arg;
	ethos_retire(e, &r, sizeof(r), 0);
	asked_at = ethos_time();
	ask();
}

static void test_read(void)
{
	char line[64], first[4];
	EventId e;
	uint64_t t0 = ethos_time();

	ethos_beep(t0 + 100 * MS, &e);
	ethos_callback(e, ask_later, 0);
	ssize_t n = read(0, first, sizeof(first));
	uint64_t back = ethos_time();
	CHECK("read(0) waits while nothing is typed",
	      asked_at >= t0 + 100 * MS && back >= asked_at);
	const char *l = typed[0];
	snprintf(line, sizeof(line), "%s\n", l);
	CHECK("read(0) of 4 bytes gets 1 to 4 of the typed bytes",
	      n >= 1 && n <= 4 && memcmp(first, line, (size_t)n) == 0);
	CHECK("reads of 4 bytes give the rest of the line exactly",
	      n >= 1 && n <= 4 &&
	      read_exact(line + n, strlen(line) - (size_t)n, 4) == 0);

	/* More than a readConsole may ask (ETHOS_CONSOLE_READ_MAX): a
	 * short read, not EINVAL. */
	l = ask();
	snprintf(line, sizeof(line), "%s\n", l);
	CHECK("read(0) of 4096 bytes gets the line",
	      read_exact(line, strlen(line), 4096) == 0);

	/* Enter on a raw terminal sends CR: it reads as a newline. */
	ask();
	CHECK("a typed CR reads as a newline",
	      read_exact("carriage\nreturn\n", 16, 64) == 0);

	/* Ctrl-D: end of file once, then the bytes after it. */
	ask();
	CHECK("read(0) returns the bytes before a Ctrl-D",
	      read_exact("before ctrl-d", 13, 64) == 0);
	CHECK("then 0: end of file", read(0, line, sizeof(line)) == 0);
	CHECK("then the bytes after the Ctrl-D",
	      read_exact("after ctrl-d\n", 13, 64) == 0);
}

/* ---- a callback on console input ----------------------------------------- */

static char cb_got[128];
static size_t cb_asked;                 /* bytes the pending read asked for */
static volatile size_t cb_len;
static volatile int cb_runs, cb_bad;
static Handle wake_out;                 /* the handler's end of a pipe */
static EventId wake_write;

static void on_input(EventId e, void *blocked)
{
	uint64_t size = 0;

	if (ethos_retire(e, cb_got + cb_len, sizeof(cb_got) - cb_len, &size) !=
	    StatusOk || size == 0 || size > cb_asked)
		cb_bad = 1;
	else
		cb_len += size;
	cb_runs++;
	/* The main program blocks on the pipe's other end: this write is
	 * what ends its block. */
	if (blocked && ethos_write(wake_out, "x", 1, &wake_write) != StatusOk)
		cb_bad = 1;
}

/*
 * Reads one typed line through callbacks: readConsole for what is still
 * missing, a callback on it, and meanwhile the main program spins (or,
 * blocked, waits on an unrelated tree: a read on a pipe that only the
 * handler writes, or a timeout).  Returns 0 if the line came whole.
 */
static int callback_line(int blocked)
{
	char want[64];
	Handle wake_in = HANDLE_NONE;
	int asked = 0, bad = 0;

	cb_len = 0;
	cb_runs = 0;
	cb_bad = 0;
	snprintf(want, sizeof(want), "%s\n", typed[next_line]);
	if (blocked && ethos_pipe(&wake_out, &wake_in) != StatusOk)
		return -1;
	while (cb_len < strlen(want) && !cb_bad && !bad &&
	       memcmp(cb_got, want, cb_len) == 0) {
		EventId e, rd, timeout;
		int runs = cb_runs;

		cb_asked = strlen(want) - cb_len;
		if (ethos_read_console(cb_asked, &e) != StatusOk ||
		    ethos_callback(e, on_input, blocked ? &wake_out : 0) != StatusOk)
			return -1;
		if (blocked)
			ethos_read(wake_in, &rd);
		if (!asked)
			ask();
		asked = 1;
		if (!blocked) {
			/* A backstop: the line's watchdog ends it first. */
			uint64_t deadline = ethos_time() + 2 * LINE_WAIT_MS * MS;
			while (cb_runs == runs && ethos_time() < deadline)
				;
			bad = cb_runs == runs;
			continue;
		}
		ethos_beep(ethos_time() + 2 * LINE_WAIT_MS * MS, &timeout);
		struct ethos_tree_node t[3] = {
			{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = 2 },
			{ .kind = TreeLeaf, .event = rd },
			{ .kind = TreeLeaf, .event = timeout },
		};
		uint8_t done[3] = { 0 };
		char x;
		uint64_t size = 0;
		bad = ethos_block(t, 3, done, 0) != StatusOk || !done[1] ||
		      cb_runs != runs + 1 ||
		      ethos_retire(rd, &x, 1, &size) != StatusOk || x != 'x' ||
		      ethos_retire(wake_write, 0, 0, 0) != StatusOk;
		ethos_cancel(timeout);
		if (!done[1])
			ethos_cancel(rd);
	}
	if (blocked) {
		ethos_close(wake_in);
		ethos_close(wake_out);
	}
	if (bad || cb_bad || cb_len != strlen(want) ||
	    memcmp(cb_got, want, cb_len) != 0) {
		printf("stdin: callback got \"%.*s\" in %d runs%s\n", (int)cb_len,
		       cb_got, cb_runs, bad || cb_bad ? " (a bad run)" : "");
		return -1;
	}
	return 0;
}

static void test_callback(void)
{
	CHECK("a callback on console input runs while the program spins, "
	      "its result the typed bytes", callback_line(0) == 0);
	CHECK("a callback on console input runs during a block on an unrelated "
	      "tree, its result the typed bytes", callback_line(1) == 0);
}

/* ---- stdio --------------------------------------------------------------- */

static void test_stdio(void)
{
	char buf[64], want[64];
	int c, len = 0;

	snprintf(want, sizeof(want), "%s\n", ask());
	CHECK("fgets(stdin) gets the typed line",
	      fgets(buf, sizeof(buf), stdin) && strcmp(buf, want) == 0);

	snprintf(want, sizeof(want), "%s\n", ask());
	CHECK("fgets(16) of a longer line gets its first 15 bytes",
	      fgets(buf, 16, stdin) && strlen(buf) == 15 &&
	      memcmp(buf, want, 15) == 0);
	CHECK("the next fgets gets the rest of the line",
	      fgets(buf, sizeof(buf), stdin) && strcmp(buf, want + 15) == 0);

	snprintf(want, sizeof(want), "%s\n", ask());
	while (len < (int)sizeof(buf) - 1 && (c = getchar()) != EOF) {
		buf[len++] = (char)c;
		if (c == '\n')
			break;
	}
	buf[len] = '\0';
	CHECK("getchar gets the typed line byte by byte", strcmp(buf, want) == 0);
}

int main(void)
{
	uint64_t t0 = ethos_time();

	check_program = "stdin";
	test_read();
	test_callback();
	test_stdio();
	CHECK("every line asked for was typed and read",
	      next_line == sizeof(typed) / sizeof(typed[0]));
	ethos_cancel(dog);
	printf("stdin: %u lines asked for and read in %lu ms\n", next_line,
	       (unsigned long)((ethos_time() - t0) / MS));
	return check_failures;
}
