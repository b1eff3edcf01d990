# The runners' verdict (tools/lib/guest-result.sh) on crafted logs: no
# QEMU, so it is cheap.  Above all, raw bytes in the console (a NUL, 0xff)
# must not hide the exit line.  Sourced by tools/run-tests.
harness_case() {
	local name=$1 content=$2 status=$3 want=$4 f got
	f=$(mktemp /tmp/ethos-harness.XXXXXX)
	printf '%b' "$content" > "$f"
	got=$(guest_result "$f" "$status" 2>&1) || true
	rm -f "$f"
	if [ "$got" = "$want" ]; then
		pass "harness/$name ($got)"
	else
		fail "harness/$name: wanted '$want', got '$got'"
	fi
}
# shellcheck source=tools/lib/guest-result.sh
. tools/lib/guest-result.sh
harness_case "clean exit" 'boot\nETHOS-EXIT: 0\n' 0 "guest: exit 0"
harness_case "NUL before exit" 'raw [\0\001\177\377]\nETHOS-EXIT: 0\n' 0 "guest: exit 0"
harness_case "binary, exit 3" '\377\376\0\nETHOS-EXIT: 3\n' 0 "guest: exit 3"
harness_case "binary, negative exit" '\0\nETHOS-EXIT: -2\n' 0 "guest: exit -2"
harness_case "binary, panic" '\0\377\nPANIC: at x.c:1\n' 0 "guest: panic"
harness_case "binary, timeout" 'spin \0\n' 124 "guest: timeout"
harness_case "binary, killed" 'died \0\n' 1 "guest: panic"
