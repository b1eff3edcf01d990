# The user's path: Xen + Linux dom0 + `xl create -c` of our kernel as a
# domU (tools/run-domu).  Sourced by tools/run-tests.
guest_suite "domU" tools/run-domu --timeout 300 \
	--args "ethos.selftest=1 ethos.arg=suite" "$kernel" "$archive"

RUNNER=tools/run-domu boot_expect "domU: exit status" "guest: exit -1000" \
	--timeout 120 --args "ethos.init=/tests/divzero"
RUNNER=tools/run-domu boot_expect "domU: panic" "guest: panic" \
	--timeout 120 --args "ethos.test=panic"
RUNNER=tools/run-domu boot_expect "domU: hang" "guest: timeout" \
	--timeout 40 --args "ethos.test=hang"

# The console ring loses nothing: 3000 lines, then shutdown at once.
flood_log=$logdir/domu-flood.log
tools/run-domu --timeout 120 --args "ethos.test=flood" "$kernel" "$archive" > "$flood_log" 2>&1
flood_lines=$(grep -aE '^flood line [0-9]+ of 3000$' "$flood_log" | sort -u | wc -l)
if [ "$flood_lines" = 3000 ] && [ "$(tail -n 1 "$flood_log")" = "guest: exit 0" ]; then
	pass "domU: console ring kept all 3000 lines of a flood"
else
	fail "domU: console ring kept $flood_lines of 3000 lines ($(tail -n 1 "$flood_log"))"
fi

# PV-GRUB2: grub-x86_64-xen.bin as the xl kernel, our kernel and archive
# on an ext2 disk; the suite must pass that way too.
# guest_suite, not boot_expect: a failure names the guest test that failed.
guest_suite "pvgrub" tools/run-domu --pvgrub --timeout 300 \
	--args "ethos.arg=suite" "$kernel" "$archive"

# Files: on this path a shadowdaemon serves the domain (dom0's /init
# starts it), so the suite's file test must have run against it, not
# taken the no-daemon branch the dom0 fast loop takes.
if grep -aq '^PASS: files/daemon: connected' "$logdir/suite-domU.log" &&
   grep -aq '^PASS: files/a restarted daemon serves again' "$logdir/suite-domU.log"; then
	pass "domU: files served by the shadowdaemon (and after it was killed)"
else
	fail "domU: the file test did not run against a shadowdaemon (see $logdir/suite-domU.log)"
fi
