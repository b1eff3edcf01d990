#!/usr/bin/env bash
# check-flood.sh [RUNNER...]: the console ring loses nothing.  Boots the
# kernel with ethos.test=flood (3000 numbered lines, then an exit at
# once) through the runner (default: tools/run-domu with build/'s kernel
# and archive) and checks that every line came through, each once and in
# order, and that the run ended with "guest: exit 0".
# With --log FILE it checks a runner's saved output instead.
set -euo pipefail
build=${BUILD:-build}
out=$(mktemp /tmp/ethos-flood.XXXXXX)
trap 'rm -f "$out"' EXIT
if [ "${1:-}" = --log ]; then
	cp "$2" "$out"
else
	[ $# -gt 0 ] || set -- tools/run-domu --timeout 120
	"$@" --args "ethos.test=flood" "$build/kernel.elf" "$build/initrd.cpio" > "$out" 2>&1 || true
fi
want=$(seq 1 3000 | sed 's/.*/flood line & of 3000/')
got=$(grep -E '^flood line [0-9]+ of 3000$' "$out" || true)
n=$(printf '%s' "$got" | grep -c . || true)
last=$(tail -n 1 "$out")
if [ "$got" = "$want" ] && [ "$last" = "guest: exit 0" ]; then
	echo "PASS: console flood: all 3000 lines, in order ($last)"
else
	missing=$(seq 1 3000 | grep -vxF -f <(echo "$got" | awk '{ print $3 }') | head -n 3 | paste -sd ',' || true)
	echo "FAIL: console flood: $n of 3000 lines; first missing: ${missing:-none}; $last"
	exit 1
fi
