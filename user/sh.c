/*
 * sh: the interactive shell.  It reads console input through events and
 * blocks on one or-tree of the console read and every child's exit event,
 * so a background job's end is reported as soon as it happens, even at an
 * idle prompt.  While a foreground job runs the console leaf is left out
 * (the job may read the console itself); what is typed meanwhile waits in
 * the console's buffer.
 *
 * A command line: words separated by blanks ('...' and "..." quote),
 * stages separated by '|', an optional '&' at the end for the background.
 * A program name without '/' is looked up as /bin/NAME.  Each stage is
 * fork + exec; in a pipeline the stages are joined by connections
 * (ethos_pipe), passed as ETHOS_STDIN / ETHOS_STDOUT (libethos/newlib.c).
 * Builtins (alone on a line): help, echo, ls, cat, jobs, wait, kill, exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ethos/ethos.h>

#define LINE_MAX_ 1024
#define ARGS_MAX 32
#define STAGES_MAX 8
#define JOBS_MAX 16

struct job {
	int used;
	int id;
	int background;
	char text[128];
	int nprocs, running;
	uint64_t pid[STAGES_MAX];
	EventId exit_event[STAGES_MAX];  /* 0 once retired */
	int64_t status[STAGES_MAX];
};

static struct job jobs[JOBS_MAX];
static int next_job_id = 1;
static char line[LINE_MAX_];
static size_t line_len;
static EventId console_event;
static int interactive_echo = 1;
static int reported;             /* a background job's end was printed */

static void prompt(void)
{
	printf("$ ");
	fflush(stdout);
}

static const char *describe(int64_t status, char *buf, size_t size)
{
	if (status == ETHOS_KILLED_BY_PARENT)
		snprintf(buf, size, "killed");
	else if (status <= ETHOS_KILLED_BASE)
		snprintf(buf, size, "crashed (trap %ld)",
			 (long)(ETHOS_KILLED_BASE - status));
	else
		snprintf(buf, size, "exit %ld", (long)status);
	return buf;
}

/* ---- children ------------------------------------------------------------ */

static int foreground_running(void)
{
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].used && !jobs[i].background && jobs[i].running)
			return 1;
	return 0;
}

static void job_finished(struct job *j)
{
	char d[48];
	int64_t last = j->status[j->nprocs - 1];

	if (j->background) {
		printf("%s[%d] done: %s (%s)\n", reported ? "" : "\n", j->id,
		       j->text, describe(last, d, sizeof(d)));
		reported = 1;
	} else {
		for (int i = 0; i < j->nprocs; i++)
			if (j->status[i] <= ETHOS_KILLED_BASE ||
			    (i == j->nprocs - 1 && last != 0 && last != 127))
				printf("sh: %s: %s\n", j->text,
				       describe(j->status[i], d, sizeof(d)));
	}
	j->used = 0;
}

/* Retires the completed exit event e if it is one of ours. */
static void child_exit(EventId e)
{
	for (int i = 0; i < JOBS_MAX; i++) {
		struct job *j = &jobs[i];
		if (!j->used)
			continue;
		for (int k = 0; k < j->nprocs; k++) {
			if (j->exit_event[k] != e)
				continue;
			struct ethos_exit_result r = { .status = -1 };
			ethos_retire(e, &r, sizeof(r), 0);
			j->exit_event[k] = 0;
			j->status[k] = r.status;
			if (--j->running == 0)
				job_finished(j);
			return;
		}
	}
}

/*
 * Blocks until something happens: console input (if want_console and no
 * foreground job runs) or a child's end.  Children's ends are handled
 * here; returns 1 if console input was retired into buf (n bytes).
 */
static int wait_something(char *buf, uint64_t *n, int want_console)
{
	struct ethos_tree_node t[1 + 1 + JOBS_MAX * STAGES_MAX];
	uint32_t leaves = 0;
	int console = want_console && !foreground_running();

	if (console && console_event == 0 &&
	    ethos_read_console(ETHOS_CONSOLE_READ_MAX, &console_event) != StatusOk)
		console_event = 0;
	if (console && console_event != 0)
		t[1 + leaves++] = (struct ethos_tree_node){ .kind = TreeLeaf,
							    .event = console_event };
	for (int i = 0; i < JOBS_MAX; i++)
		for (int k = 0; jobs[i].used && k < jobs[i].nprocs; k++)
			if (jobs[i].exit_event[k] != 0)
				t[1 + leaves++] = (struct ethos_tree_node){
					.kind = TreeLeaf,
					.event = jobs[i].exit_event[k] };
	if (leaves == 0)
		return 0;
	t[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
		.first_child = 1, .nchildren = leaves };
	uint8_t done[1 + 1 + JOBS_MAX * STAGES_MAX] = { 0 };
	ethos_block(t, 1 + leaves, done, 0);
	int got = 0;
	for (uint32_t i = 1; i <= leaves; i++) {
		if (!done[i])
			continue;
		if (t[i].event == console_event) {
			if (ethos_retire(console_event, buf, ETHOS_CONSOLE_READ_MAX,
					 n) == StatusOk)
				got = 1;
			console_event = 0;
		} else {
			child_exit(t[i].event);
		}
	}
	return got;
}

/* ---- running commands ---------------------------------------------------- */

static void program_path(const char *name, char *path, size_t size)
{
	if (strchr(name, '/'))
		snprintf(path, size, "%s", name);
	else
		snprintf(path, size, "/bin/%s", name);
}

static int run(char **stages[], int nstages, int background, const char *text)
{
	Handle ends[STAGES_MAX][2];     /* [i][0]: stage i writes, [i][1]: i+1 reads */
	struct job *j = NULL;
	int made = 0;

	for (int i = 0; i < JOBS_MAX; i++)
		if (!jobs[i].used) {
			j = &jobs[i];
			break;
		}
	if (j == NULL) {
		printf("sh: too many jobs\n");
		return -1;
	}
	for (int i = 0; i + 1 < nstages; i++, made++) {
		enum status st = ethos_pipe(&ends[i][0], &ends[i][1]);
		if (st != StatusOk) {
			printf("sh: pipe: %s\n", ethos_status_name(st));
			for (int k = 0; k < made; k++) {
				ethos_close(ends[k][0]);
				ethos_close(ends[k][1]);
			}
			return -1;
		}
	}
	memset(j, 0, sizeof(*j));
	j->used = 1;
	j->id = background ? next_job_id++ : 0;
	j->background = background;
	snprintf(j->text, sizeof(j->text), "%s", text);
	for (int i = 0; i < nstages; i++) {
		uint64_t pid;
		EventId e;
		enum status st = ethos_fork(&pid, &e);

		if (st != StatusOk) {
			printf("sh: fork: %s\n", ethos_status_name(st));
			break;
		}
		if (pid == 0) {
			char env_in[40], env_out[40], path[ETHOS_PATH_MAX];
			char *envp[3];
			int ne = 0;

			for (int k = 0; k < made; k++) {
				if (k == i - 1) {
					snprintf(env_in, sizeof(env_in),
						 "ETHOS_STDIN=%lx",
						 (unsigned long)ends[k][1]);
					envp[ne++] = env_in;
				} else {
					ethos_close(ends[k][1]);
				}
				if (k == i) {
					snprintf(env_out, sizeof(env_out),
						 "ETHOS_STDOUT=%lx",
						 (unsigned long)ends[k][0]);
					envp[ne++] = env_out;
				} else {
					ethos_close(ends[k][0]);
				}
			}
			envp[ne] = 0;
			program_path(stages[i][0], path, sizeof(path));
			st = ethos_exec(path, stages[i], envp);
			printf("sh: %s: %s\n", stages[i][0],
			       st == StatusNotFound ? "not found" :
			       ethos_status_name(st));
			ethos_exit(127);
		}
		j->pid[j->nprocs] = pid;
		j->exit_event[j->nprocs] = e;
		j->nprocs++;
		j->running++;
	}
	for (int k = 0; k < made; k++) {
		ethos_close(ends[k][0]);
		ethos_close(ends[k][1]);
	}
	if (j->nprocs == 0) {
		j->used = 0;
		return -1;
	}
	if (background)
		printf("[%d] %lu\n", j->id, (unsigned long)j->pid[j->nprocs - 1]);
	return 0;
}

/* ---- builtins ------------------------------------------------------------ */

static struct job *job_of(const char *arg)
{
	int id = arg && arg[0] == '%' ? atoi(arg + 1) : 0;
	uint64_t pid = arg && arg[0] != '%' ? strtoull(arg, 0, 10) : 0;

	for (int i = 0; i < JOBS_MAX; i++) {
		struct job *j = &jobs[i];
		if (!j->used || !j->background)
			continue;
		if (arg == NULL || j->id == id)
			return j;
		for (int k = 0; k < j->nprocs; k++)
			if (j->pid[k] == pid)
				return j;
	}
	return NULL;
}

static int background_running(void)
{
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].used && jobs[i].background)
			return 1;
	return 0;
}

static void builtin_kill(char **argv)
{
	if (argv[1] == NULL) {
		printf("kill: usage: kill %%JOB | PID\n");
		return;
	}
	struct job *j = job_of(argv[1]);
	if (j == NULL) {
		printf("kill: %s: no such job\n", argv[1]);
		return;
	}
	/* Through process handles: the kernel's kill for whoever holds one. */
	for (int k = 0; k < j->nprocs; k++) {
		Handle h;
		if (j->exit_event[k] == 0 ||
		    ethos_process_handle(j->pid[k], &h) != StatusOk)
			continue;
		enum status st = ethos_process_kill(h);
		if (st != StatusOk)
			printf("kill: %lu: %s\n", (unsigned long)j->pid[k],
			       ethos_status_name(st));
		ethos_close(h);
	}
}

static void builtin_wait(char **argv)
{
	char buf[ETHOS_CONSOLE_READ_MAX];
	uint64_t n;

	if (argv[1] != NULL) {
		struct job *j = job_of(argv[1]);
		if (j == NULL) {
			printf("wait: %s: no such job\n", argv[1]);
			return;
		}
		int id = j->id;
		while (j->used && j->id == id)
			wait_something(buf, &n, 0);
		return;
	}
	while (background_running())
		wait_something(buf, &n, 0);
}

static void help(void)
{
	printf("Ethos shell.  A line is a command with arguments, a pipeline\n"
	       "a | b | ..., and & at the end runs it in the background.\n"
	       "Programs are /bin/NAME (or a path).  Builtins:\n"
	       "  help           this text\n"
	       "  echo ARGS      print ARGS\n"
	       "  ls, cat FILE   files (not there yet)\n"
	       "  jobs           background jobs\n"
	       "  wait [%%N]      wait for background jobs (or job N)\n"
	       "  kill %%N | PID  end a background job\n"
	       "  exit           leave (Ctrl-D too)\n");
}

/* 1 if argv was a builtin (run here). */
static int builtin(char **argv, int *quit)
{
	const char *c = argv[0];

	if (strcmp(c, "help") == 0) {
		help();
	} else if (strcmp(c, "echo") == 0) {
		for (int i = 1; argv[i]; i++)
			printf("%s%s", i > 1 ? " " : "", argv[i]);
		printf("\n");
	} else if (strcmp(c, "ls") == 0 || strcmp(c, "cat") == 0) {
		printf("%s: there are no files yet (the files issue)\n", c);
	} else if (strcmp(c, "jobs") == 0) {
		for (int i = 0; i < JOBS_MAX; i++)
			if (jobs[i].used && jobs[i].background)
				printf("[%d] running: %s\n", jobs[i].id,
				       jobs[i].text);
	} else if (strcmp(c, "wait") == 0) {
		builtin_wait(argv);
	} else if (strcmp(c, "kill") == 0) {
		builtin_kill(argv);
	} else if (strcmp(c, "exit") == 0) {
		*quit = 1;
	} else {
		return 0;
	}
	return 1;
}

/* ---- parsing -------------------------------------------------------------- */

/* Splits s in place into words; '|' and '&' are words of their own.
 * Returns the count, or -1 on an unterminated quote or too many. */
static int split(char *s, char **w, int max)
{
	static char store[LINE_MAX_ * 2];
	char *o = store;
	int n = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (n == max)
			return -1;
		w[n++] = o;
		if (*s == '|' || *s == '&') {
			*o++ = *s++;
			*o++ = 0;
			continue;
		}
		while (*s && *s != ' ' && *s != '\t' && *s != '|' && *s != '&') {
			if (*s == '\'' || *s == '"') {
				char q = *s++;
				while (*s && *s != q)
					*o++ = *s++;
				if (*s != q)
					return -1;
				s++;
			} else {
				*o++ = *s++;
			}
		}
		*o++ = 0;
	}
	return n;
}

static void command(char *text, int *quit)
{
	char *w[ARGS_MAX + 1];
	char **stages[STAGES_MAX];
	char copy[LINE_MAX_];
	int n, nstages = 0, background = 0;

	snprintf(copy, sizeof(copy), "%s", text);
	n = split(text, w, ARGS_MAX);
	if (n < 0) {
		printf("sh: bad command line (a quote left open, or too many words)\n");
		return;
	}
	if (n == 0)
		return;
	if (strcmp(w[n - 1], "&") == 0) {
		background = 1;
		n--;
		copy[strlen(copy) - 1] = 0;
		while (strlen(copy) && copy[strlen(copy) - 1] == ' ')
			copy[strlen(copy) - 1] = 0;
	}
	w[n] = NULL;
	stages[nstages++] = &w[0];
	for (int i = 0; i < n; i++) {
		if (strcmp(w[i], "&") == 0) {
			printf("sh: '&' only at the end\n");
			return;
		}
		if (strcmp(w[i], "|") == 0) {
			w[i] = NULL;
			if (nstages == STAGES_MAX) {
				printf("sh: bad pipeline: too many stages\n");
				return;
			}
			stages[nstages++] = &w[i + 1];
		}
	}
	for (int i = 0; i < nstages; i++) {
		if (stages[i][0] == NULL) {
			printf("sh: bad pipeline: an empty command\n");
			return;
		}
	}
	if (n == 0)
		return;
	if (nstages == 1 && !background && builtin(stages[0], quit))
		return;
	run(stages, nstages, background, copy);
}

/* Takes typed bytes: echoes them (the console does not), edits the line
 * on backspace, runs it on Enter; Ctrl-D on an empty line quits. */
static void typed(const char *buf, uint64_t n, int *quit)
{
	for (uint64_t i = 0; i < n && !*quit; i++) {
		char c = buf[i];
		if (c == '\r' || c == '\n') {
			if (interactive_echo)
				printf("\n");
			line[line_len] = 0;
			line_len = 0;
			reported = 1;     /* a report starts a line of its own */
			command(line, quit);
			/* A foreground job: wait for it before the next line. */
			char more[ETHOS_CONSOLE_READ_MAX];
			uint64_t m;
			while (foreground_running())
				wait_something(more, &m, 0);
			if (!*quit)
				prompt();
		} else if (c == 4) {
			if (line_len == 0)
				*quit = 1;
		} else if (c == 0x7f || c == '\b') {
			if (line_len > 0) {
				line_len--;
				if (interactive_echo)
					printf("\b \b");
			}
		} else if (line_len + 1 < sizeof(line) && (unsigned char)c >= ' ') {
			line[line_len++] = c;
			if (interactive_echo)
				printf("%c", c);
		}
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char buf[ETHOS_CONSOLE_READ_MAX];
	uint64_t n;
	int quit = 0;

	if (argc > 1 && strcmp(argv[1], "-q") == 0)
		interactive_echo = 0;
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("Ethos shell (help for help; exit or Ctrl-D to leave)\n");
	prompt();
	while (!quit) {
		reported = 0;
		if (wait_something(buf, &n, 1))
			typed(buf, n, &quit);
		else if (reported) {
			/* At an idle prompt: a fresh one, with what was typed. */
			line[line_len] = 0;
			printf("$ %s", interactive_echo ? line : "");
		}
	}
	printf("\nsh: bye\n");
	if (console_event)
		ethos_cancel(console_event);
	return 0;
}
