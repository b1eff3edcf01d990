/* Callbacks: the registration wrappers and the trampoline the kernel
 * enters them through (see <ethos/abi.h>, SysCallback). */
#include <ethos/ethos.h>

/*
 * Entered with rsp = rbx = the frame (16-byte aligned, so the call below
 * gives the function the ABI's alignment), rdi and rsi its arguments and
 * rdx the function.  rbx survives the call (callee-saved), and is the
 * frame callbackReturn restores from; it does not return here.
 */
__asm__(
	".text\n"
	".globl ethos_callback_trampoline\n"
	".type ethos_callback_trampoline, @function\n"
	"ethos_callback_trampoline:\n"
	"	call *%rdx\n"
	"	movq %rbx, %rdi\n"
	"	xorl %esi, %esi\n"
	"	movl $21, %eax\n"          /* SysCallbackReturn */
	"	int $0x80\n"
	"	ud2\n"
	".size ethos_callback_trampoline, . - ethos_callback_trampoline\n");

_Static_assert(SysCallbackReturn == 21, "the trampoline's syscall number");

enum status ethos_callback(EventId event, ethos_callback_fn fn, void *arg)
{
	struct sys_callback_in in = {
		.event = event, .function = (uint64_t)fn,
		.argument = (uint64_t)arg,
		.trampoline = (uint64_t)ethos_callback_trampoline,
	};

	return ethos_syscall(SysCallback, &in, 0);
}

enum status ethos_callback_stack(void *stack, size_t size)
{
	struct sys_callback_config_in in = {
		.op = ETHOS_CB_SET_STACK, .stack = (uint64_t)stack,
		.stack_size = size,
	};

	return ethos_syscall(SysCallbackConfig, &in, 0);
}

enum status ethos_exception_handler(unsigned int vector, ethos_exception_fn fn,
				    void *arg)
{
	struct sys_callback_config_in in = {
		.op = ETHOS_CB_SET_EXCEPTION, .vector = vector,
		.function = (uint64_t)fn, .argument = (uint64_t)arg,
		.trampoline = (uint64_t)ethos_callback_trampoline,
	};

	return ethos_syscall(SysCallbackConfig, &in, 0);
}
