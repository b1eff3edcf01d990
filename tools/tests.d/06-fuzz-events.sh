# A short libFuzzer run over events, waits and trees against the model in
# tests/unit/event_world.c (make fuzz-events for longer).
fuzz_log=$logdir/fuzz-events.log
if "$build/fuzz/events" -runs=30000 -max_len=4096 -seed=1 \
	-artifact_prefix="$logdir/" > "$fuzz_log" 2>&1; then
	pass "fuzz/events: 30000 libFuzzer runs ($(grep -o 'cov: [0-9]*' "$fuzz_log" | tail -1))"
else
	fail "fuzz/events: a check failed or crashed (see $fuzz_log)"
	tail -20 "$fuzz_log"
fi
