/* Every bad pointer, length and number the syscall layer must refuse. */
#include "check.h"

static enum status print_raw(const void *buf, uint64_t len)
{
	struct sys_print_in in = { .buf = buf, .len = len };

	return ethos_syscall(SysPrint, &in, 0);
}

int main(void)
{
	check_program = "syscalls";
	CHECK_STATUS("print from a kernel address",
		     print_raw((void *)0xffffffff80000000UL, 8), StatusBadAddress);
	CHECK_STATUS("print from the direct map",
		     print_raw((void *)0xffff888000000000UL, 8), StatusBadAddress);
	CHECK_STATUS("print from an unmapped address",
		     print_raw((void *)0x30000000UL, 8), StatusBadAddress);
	CHECK_STATUS("print from page 0", print_raw((void *)8, 8), StatusBadAddress);
	CHECK_STATUS("print from a non-canonical address",
		     print_raw((void *)0x0000900000000000UL, 8), StatusBadAddress);
	CHECK_STATUS("print crossing into the kernel half",
		     print_raw((void *)(0x0000008000000000UL - 4), 16), StatusBadAddress);
	CHECK_STATUS("print wrapping around",
		     print_raw((void *)0x400000, ~0UL - 0x100), StatusInvalidArgument);
	CHECK_STATUS("print with an absurd length",
		     print_raw("x", 1UL << 40), StatusInvalidArgument);
	CHECK_STATUS("print of length 0", print_raw("", 0), StatusOk);
	CHECK_STATUS("input struct at a kernel address",
		     ethos_syscall(SysPrint, (void *)0xffffffff80001000UL, 0),
		     StatusBadAddress);
	CHECK_STATUS("input struct at null", ethos_syscall(SysPrint, 0, 0),
		     StatusBadAddress);
	CHECK_STATUS("input struct crossing into the kernel half",
		     ethos_syscall(SysPrint, (void *)(0x0000008000000000UL - 8), 0),
		     StatusBadAddress);
	CHECK_STATUS("output struct crossing into the kernel half",
		     ethos_syscall(SysGetTime, 0, (void *)(0x0000008000000000UL - 4)),
		     StatusBadAddress);
	CHECK_STATUS("output struct in read-only text",
		     ethos_syscall(SysGetPid, 0, (void *)in_text), StatusBadAddress);
	CHECK_STATUS("output struct at a kernel address",
		     ethos_syscall(SysGetTime, 0, (void *)0xffff888000001000UL),
		     StatusBadAddress);
	CHECK_STATUS("invalid syscall number", ethos_syscall(9999, 0, 0),
		     StatusInvalidSyscall);
	CHECK_STATUS("syscall number SysCount", ethos_syscall(SysCount, 0, 0),
		     StatusInvalidSyscall);
	CHECK_STATUS("negative syscall number", ethos_syscall(~0UL, 0, 0),
		     StatusInvalidSyscall);
	CHECK_STATUS("shutdown from a non-init process", ethos_shutdown(0),
		     StatusNotPermitted);
	CHECK_STATUS("spawn with a bad path pointer",
		     ({ struct sys_spawn_in in = { (const char *)0xffffffff80000000UL, 5, 0, 0 };
			struct sys_spawn_out out;
			ethos_syscall(SysSpawn, &in, &out); }), StatusBadAddress);
	CHECK_STATUS("spawn with an overlong path",
		     ({ struct sys_spawn_in in = { "/tests/hello", 1 << 20, 0, 0 };
			struct sys_spawn_out out;
			ethos_syscall(SysSpawn, &in, &out); }), StatusInvalidArgument);
	CHECK_STATUS("yield", ethos_yield(), StatusOk);
	return check_failures;
}
