# In the fast loop our kernel is dom0: there is no shadowdaemon, and every
# file call must fail at once with Unavailable (tests/guest/files takes
# that branch there; it must have, and not silently skipped).
if grep -aq '^PASS: files/no daemon: at once' "$logdir/suite-dom0.log"; then
	pass "dom0: file calls fail at once with Unavailable (no daemon)"
else
	fail "dom0: the file test did not check the no-daemon case (see $logdir/suite-dom0.log)"
fi
