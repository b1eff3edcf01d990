/*
 * Console input as events.  The test runner types "ethos-input-test" and a
 * newline on the console when this program asks (the first line
 * "...: waiting for input", run-dom0 ETHOS_INPUT_ON); it reads it with
 * readConsole events, each raced against a timeout beep.
 */
#include "check.h"

#define SECONDS 1000000000ULL

/* One readConsole raced against a beep; returns bytes read, -1 on timeout. */
static int read_some(char *buf, int room)
{
	EventId rd, timeout;
	uint8_t done[3] = { 0 };
	uint64_t size = 0;

	ethos_read_console((uint64_t)room, &rd);
	ethos_beep(ethos_time() + 30 * SECONDS, &timeout);
	struct ethos_tree_node t[3] = {
		{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = 2 },
		{ .kind = TreeLeaf, .event = rd },
		{ .kind = TreeLeaf, .event = timeout },
	};
	ethos_block(t, 3, done, 0);
	ethos_cancel(timeout);
	if (!done[1]) {
		ethos_cancel(rd);
		return -1;
	}
	if (ethos_retire(rd, buf, (uint64_t)room, &size) != StatusOk)
		return -1;
	return (int)size;
}

int main(void)
{
	char line[128];
	int len = 0, n;
	EventId rd;

	check_program = "console";
	CHECK_STATUS("readConsole of 0 bytes", ethos_read_console(0, &rd),
		     StatusInvalidArgument);
	CHECK_STATUS("readConsole of too many bytes", ethos_read_console(1 << 20, &rd),
		     StatusInvalidArgument);
	printf("console: waiting for input\n");
	while (len < (int)sizeof(line) - 1 &&
	       (n = read_some(line + len, (int)sizeof(line) - 1 - len)) > 0) {
		len += n;
		line[len] = '\0';
		if (line[len - 1] == '\n' || line[len - 1] == '\r')
			break;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	printf("console: read \"%s\"\n", line);
	CHECK("the typed line arrives whole", strcmp(line, "ethos-input-test") == 0);
	CHECK_STATUS("a pending read can be cancelled",
		     ethos_read_console(16, &rd) == StatusOk ? ethos_cancel(rd) : StatusInvalidEvent,
		     StatusOk);
	return check_failures;
}
