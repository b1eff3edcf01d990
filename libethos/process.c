/*
 * Processes the Unix way: fork, exec and wait on top of the Ethos calls.
 *
 * The kernel reports a child's end only as its exit event (spawn and fork
 * return it).  ethos_wait(pid) is the common case on top of that: libethos
 * remembers each child's exit event by pid, so that a program can wait for
 * a pid, or for any child (one block on an or-tree of all the exit events),
 * without keeping EventIds itself.  The rule: a caller that asks for the
 * exit event (a non-NULL exit_event to ethos_spawn or ethos_fork) owns it
 * and retires it itself; one that passes NULL leaves it to ethos_wait.
 */
#include <string.h>
#include <ethos/ethos.h>

#define CHILDREN_MAX 64           /* the kernel's process table holds 64 */

static struct child {
	uint64_t pid;                 /* 0: a free entry */
	EventId exit_event;
} children[CHILDREN_MAX];
static unsigned int recorded;        /* entries ever used: a bound */

void ethos_child_record(uint64_t pid, EventId exit_event)
{
	for (unsigned int i = 0; i < CHILDREN_MAX; i++) {
		if (children[i].pid == 0) {
			children[i] = (struct child){ pid, exit_event };
			if (i >= recorded)
				recorded = i + 1;
			return;
		}
	}
	/* Full: that child can still be waited for through its event. */
}

static void forget_children(void)
{
	/* Only what was used: a write to the table costs a forked child a
	 * copy of the page (and of the page tables above it). */
	if (recorded == 0)
		return;
	for (unsigned int i = 0; i < recorded; i++)
		children[i].pid = 0;
	recorded = 0;
}

enum status ethos_fork(uint64_t *pid, EventId *exit_event)
{
	struct sys_fork_out out = { 0 };
	enum status st = ethos_syscall(SysFork, 0, &out);

	if (st == StatusOk && out.pid == 0)
		forget_children();    /* the child: its event table is empty */
	else if (st == StatusOk && exit_event == NULL)
		ethos_child_record(out.pid, out.exit_event);
	if (pid)
		*pid = out.pid;
	if (exit_event)
		*exit_event = out.exit_event;
	return st;
}

enum status ethos_exec(const char *path, char *const argv[], char *const envp[])
{
	struct sys_exec_in in = {
		.path = path, .path_len = strlen(path),
		.argv = (const char *const *)argv,
		.envp = (const char *const *)envp,
	};

	return ethos_syscall(SysExec, &in, 0);
}

/* Blocks until the child in entry i ends (or, i < 0, any recorded child);
 * retires its exit event and frees the entry. */
static enum status wait_entry(int i, uint64_t *pid, int64_t *status)
{
	struct ethos_tree_node nodes[1 + CHILDREN_MAX];
	int slot[CHILDREN_MAX];
	uint8_t done[1 + CHILDREN_MAX];
	uint32_t n = 0;

	for (int c = 0; c < CHILDREN_MAX; c++) {
		if (children[c].pid == 0 || (i >= 0 && c != i))
			continue;
		nodes[1 + n] = (struct ethos_tree_node){
			.kind = TreeLeaf, .event = children[c].exit_event };
		slot[n++] = c;
	}
	if (n == 0)
		return StatusNotFound;
	nodes[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
					     .first_child = 1, .nchildren = n };
	enum status st = ethos_block(nodes, 1 + n, done, 0);
	if (st != StatusOk && st != StatusCancelled)
		return st;
	for (uint32_t l = 0; l < n; l++) {
		if (!done[1 + l])
			continue;
		struct child *c = &children[slot[l]];
		struct ethos_exit_result r = { 0 };
		uint64_t size;
		st = ethos_retire(c->exit_event, &r, sizeof(r), &size);
		c->pid = 0;
		if (st != StatusOk)
			return st;
		if (pid)
			*pid = r.pid;
		if (status)
			*status = r.status;
		return StatusOk;
	}
	return StatusCancelled;
}

enum status ethos_wait(uint64_t pid, int64_t *status)
{
	for (int i = 0; i < CHILDREN_MAX; i++)
		if (pid != ETHOS_WAIT_ANY && children[i].pid == pid)
			return wait_entry(i, 0, status);
	if (pid != ETHOS_WAIT_ANY)
		return StatusNotFound;
	return wait_entry(-1, 0, status);
}

enum status ethos_wait_any(uint64_t *pid, int64_t *status)
{
	return wait_entry(-1, pid, status);
}
