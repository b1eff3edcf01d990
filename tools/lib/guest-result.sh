# guest_result LOG QEMU_STATUS: the runners' one verdict on a boot, from
# the guest's own last words (sourced by tools/run-dom0 and tools/run-domu).
# Prints exactly one line and returns its exit code:
#   guest: exit N   0 if N is 0, else 1
#   guest: panic    2 (a PANIC line, or an end without ETHOS-EXIT)
#   guest: timeout  3 (QEMU killed by timeout)
#
# grep -a: the log is text even when a guest printed a NUL or other raw
# byte; without it grep calls the file binary, -o prints nothing and the
# ETHOS-EXIT line is missed (a clean exit would read as a panic).
guest_result() {
	local log=$1 qemu_status=$2 exit_line n
	if grep -aq '^PANIC: ' "$log"; then
		echo "guest: panic"; return 2
	fi
	exit_line=$(grep -a -m1 -o '^ETHOS-EXIT: -\?[0-9]\+' "$log" || true)
	if [ -n "$exit_line" ]; then
		n=${exit_line#ETHOS-EXIT: }
		echo "guest: exit $n"
		[ "$n" = 0 ] && return 0 || return 1
	fi
	if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
		echo "guest: timeout"; return 3
	fi
	echo "guest: panic"      # it ended without saying why: it was killed
	return 2
}
