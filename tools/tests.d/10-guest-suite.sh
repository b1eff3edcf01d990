# The in-guest suite through the dom0 fast loop: kernel self-tests, then
# init runs every test program.  Sourced by tools/run-tests.
guest_suite "dom0" tools/run-dom0 --timeout 240 --input "ethos-input-test" \
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
