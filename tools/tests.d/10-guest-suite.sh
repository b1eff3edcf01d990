# The in-guest suite through the dom0 fast loop: kernel self-tests, then
# init runs every test program.  Sourced by tools/run-tests.
guest_suite "dom0" tools/run-dom0 --timeout 240 --input "ethos-input-test" \
	--args "ethos.selftest=1 ethos.arg=suite-input" "$kernel" "$archive"
