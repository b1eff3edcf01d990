# The GRUB ISO boots as on hardware: GRUB -> Xen -> our kernel -> init.
iso_log=$logdir/iso.log
if tools/iso/build-iso.sh "$build/test.iso" "$kernel" "$archive" "ethos.arg=suite" > "$iso_log" 2>&1 &&
   tools/run-dom0 --timeout 240 --iso "$build/test.iso" >> "$iso_log" 2>&1 &&
   grep -aq '^suite: [0-9]* passed, 0 failed' "$iso_log"; then
	pass "iso: GRUB boots Xen and the kernel; the suite passes ($(tail -n 1 "$iso_log"))"
else
	fail "iso: $(tail -n 1 "$iso_log") (see $iso_log)"
	tail -15 "$iso_log"
fi
