# A short libFuzzer run over the allocators (make fuzz-alloc for longer).
fuzz_log=$logdir/fuzz-alloc.log
if "$build/fuzz/alloc" -runs=30000 -max_len=3000 -seed=1 > "$fuzz_log" 2>&1; then
	pass "fuzz/alloc: 30000 libFuzzer runs ($(grep -o 'cov: [0-9]*' "$fuzz_log" | tail -1))"
else
	fail "fuzz/alloc: crashed (see $fuzz_log)"
	tail -20 "$fuzz_log"
fi
