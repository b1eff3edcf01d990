# The in-guest suite through the dom0 fast loop: kernel self-tests, then
# init runs every test program.  Sourced by tools/run-tests.
# The typed lines: one each time a program asks ("...: waiting for
# input"): tests/guest/console.c's, then tests/guest/stdin.c's (its
# typed[], in order; $'...' for the CR and the Ctrl-D).
suite_input=$'ethos-input-test
partial reads 0123456789
a read of 4096 bytes
carriage\rreturn
before ctrl-d\x04after ctrl-d
a callback while spinning
a callback while blocked
one line for fgets
a line longer than the fgets buffer of 16 bytes
getchar'
ETHOS_INPUT_ON='^(console|stdin): waiting for input$' \
	guest_suite "dom0" tools/run-dom0 --timeout 240 --input "$suite_input" \
	--args "ethos.selftest=1 ethos.arg=suite-input" "$kernel" "$archive"
# The kill line of "int $N" without a user gate names the #GP error code
# the hardware gives, (N << 3) | 2, whatever route it took (softint.c).
for want in "error 0x412 (int \$0x82" "error 0x40a (int \$0x81" "error 0x12 (int \$0x2"; do
	if grep -aqF "(softint) killed: trap 13 (general protection) $want" "$logdir/suite-dom0.log"; then
		pass "dom0/softint kill line: $want"
	else
		fail "dom0/softint kill line: $want (see $logdir/suite-dom0.log)"
	fi
done
