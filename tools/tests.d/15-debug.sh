# The debug build (make DEBUG=1; make test builds it into $DEBUG_BUILD):
# the guest suite again, now with poisoned free memory, guarded kernel
# stacks, the stack protector and the extra invariant checks, and with
# init late to each block on a test (suite-lateparent, user/init.c); then two
# boots proving that the guard page and the stack protector catch what
# they are there for.  Sourced by tools/run-tests.
dbg=${DEBUG_BUILD:-$build/debug}
if [ ! -f "$dbg/kernel.elf" ] || [ ! -f "$dbg/initrd.cpio" ]; then
	fail "debug: $dbg/kernel.elf or initrd.cpio not built (make DEBUG=1)"
else
	guest_suite "dom0-debug" tools/run-dom0 --timeout 240 \
		--args "ethos.selftest=1 ethos.arg=suite-lateparent" "$dbg/kernel.elf" "$dbg/initrd.cpio"

	saved_kernel=$kernel saved_archive=$archive
	kernel=$dbg/kernel.elf archive=$dbg/initrd.cpio
	boot_expect "debug stack protector" "guest: panic" --timeout 60 \
		--args "ethos.test=stack-smash"
	if grep -aq '^PANIC: stack protector' "$logdir/boot-debug_stack_protector.log"; then
		pass "boot/debug stack protector names the overwritten frame"
	else
		fail "boot/debug stack protector: no 'PANIC: stack protector' line"
	fi
	# Xen cannot push the fault's frame onto the guard page either, so it
	# crashes the domain and prints the registers: cr2 must lie in the
	# guard, the KSTACK_SIZE bytes under the stack.
	boot_expect "debug kernel stack overflow" "guest: panic" --timeout 60 \
		--args "ethos.test=kstack-overflow"
	full=$logdir/boot-debug_kernel_stack_overflow.log.full
	stack=$(grep -ao 'guarded kernel stack at 0x[0-9a-f]*' "$full" | grep -o '0x[0-9a-f]*$' || true)
	cr2=$(grep -ao 'cr2: [0-9a-f]*' "$full" | tail -n 1 | grep -o '[0-9a-f]*$' || true)
	if [ -n "$stack" ] && [ -n "$cr2" ] &&
	   (( 0x$cr2 < stack && 0x$cr2 >= stack - 16384 )); then
		pass "boot/debug kernel stack overflow faults in the guard page (cr2 $cr2)"
	else
		fail "boot/debug kernel stack overflow: fault address '${cr2:-none}' not in the guard under '${stack:-?}' (see $full)"
	fi
	kernel=$saved_kernel archive=$saved_archive
fi
