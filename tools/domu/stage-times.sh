#!/usr/bin/env bash
# stage-times.sh [RUNS]: times the stages of the user's path (make
# run-domu) over several boots and prints a Markdown table of medians.
set -euo pipefail
runs=${1:-3}
build=${BUILD:-build}
stages=("Xen banner:(XEN) Xen version" "dom0 kernel started:Serial input to DOM0"
	"dom0 /init:ETHOS-DOM0: init" "xl create:ETHOS-DOM0: xl create"
	"first guest output:Ethos kernel booting" "guest done:ETHOS-EXIT:"
	"dom0 powered off:ETHOS-DOM0: xl exited" "QEMU gone:guest: ")
tmp=$(mktemp -d)
for r in $(seq 1 "$runs"); do
	start=$EPOCHREALTIME
	# Each line stamped with the time it arrived (bash's own clock).
	{ tools/run-domu --all --timeout 120 "$build/kernel.elf" "$build/initrd.cpio" || true; } |
		while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done > "$tmp/run$r"
	for s in "${stages[@]}"; do
		t=$(grep -m1 -F "${s#*:}" "$tmp/run$r" | awk -v s="$start" '{ printf "%.2f", $1 - s }' || true)
		echo "${s%%:*}|${t:-?}" >> "$tmp/stages$r"
	done
done
echo "| stage | median seconds after QEMU starts | runs |"
echo "| --- | ---: | --- |"
paste -d'|' "$tmp"/stages* | awk -F'|' '{
	n = 0; for (i = 2; i <= NF; i += 2) v[++n] = $i
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	all = v[1]; for (i = 2; i <= n; i++) all = all ", " v[i]
	printf "| %s | %s | %s |\n", $1, v[int((n + 1) / 2)], all }'
rm -rf "$tmp"
