/*
 * The handle table from user mode: close of handles that are not the
 * caller's (none, made up, huge index, stale generation) is InvalidHandle
 * and changes nothing; a bad input pointer is BadAddress.  The kinds of
 * handle (connections, directories, children) have their own tests.
 */
#include "check.h"

int main(void)
{
	uint64_t before[KStatCount], after[KStatCount];
	static const Handle bogus[] = {
		HANDLE_NONE, 1, 0xffffffffULL, (7ULL << 32) | 1, ~0ULL,
	};

	check_program = "handles";
	ethos_kernel_stats(before, 0);
	for (unsigned i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++)
		CHECK_STATUS("close of a handle that is not ours",
			     ethos_close(bogus[i]), StatusInvalidHandle);
	CHECK_STATUS("close with its input unmapped",
		     ethos_syscall(SysClose, (void *)0x80000000UL, 0),
		     StatusBadAddress);
	ethos_kernel_stats(after, 0);
	CHECK("no handle made or lost",
	      before[KStatHandles] == after[KStatHandles]);
	return check_failures;
}
