# A short libFuzzer run over the kernel's checks of a shadowdaemon's reply
# (<uapi/ethos/shadow.h>; make fuzz-shadow-reply for longer).
fuzz_log=$logdir/fuzz-shadow-reply.log
if "$build/fuzz/shadow-reply" -runs=100000 -max_len=2048 -seed=1 \
	-artifact_prefix="$logdir/" > "$fuzz_log" 2>&1; then
	pass "fuzz/shadow-reply: 100000 libFuzzer runs ($(grep -o 'cov: [0-9]*' "$fuzz_log" | tail -1))"
else
	fail "fuzz/shadow-reply: a check failed or crashed (see $fuzz_log)"
	tail -20 "$fuzz_log"
fi
