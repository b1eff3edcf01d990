# make debug's pieces: QEMU's gdb stub (run-dom0 --gdb) and
# tools/gdb/ethos.gdb, driven by gdb in batch mode: a hardware breakpoint
# in init's main (user symbols), then in the kernel's getpid handler, with
# a backtrace through the syscall gate (getpid is a light syscall: the
# handler, light_getpid, trap_syscall in entry.S).  Sourced by tools/run-tests.
if command -v gdb > /dev/null; then
	gdb_port=$((20000 + $$ % 10000))
	gdb_log=$logdir/gdb.log
	tools/run-dom0 --timeout 120 --gdb "$gdb_port" "$kernel" "$archive" \
		> "$logdir/gdb-qemu.log" 2>&1 &
	gdb_qemu=$!
	# Wait until the stub listens (a probe connection would let QEMU run).
	for _ in $(seq 1 100); do
		ss -ltn 2>/dev/null | grep -q ":$gdb_port " && break
		sleep 0.1
	done
	timeout 110 gdb -batch -ex "set \$ethos_port = $gdb_port" \
		-x tools/gdb/ethos.gdb -ex "hbreak main" -ex continue \
		-ex "hbreak sys_getpid" -ex continue -ex bt -ex "delete" \
		-ex continue > "$gdb_log" 2>&1 || true
	wait "$gdb_qemu" || true
	if grep -aq '^Breakpoint 1, main (argc=1' "$gdb_log" &&
	   grep -aqE '^Breakpoint 2(\.[0-9]+)?, sys_getpid \(' "$gdb_log" &&
	   grep -aqE '^#1 .*light_getpid ' "$gdb_log" &&
	   grep -aqE '^#2 .* in trap_syscall ' "$gdb_log" &&
	   [ "$(tail -n 1 "$logdir/gdb-qemu.log")" = "guest: exit 0" ]; then
		pass "gdb: breakpoints in init's main and sys_getpid, backtrace, run to exit"
	else
		fail "gdb: session did not go as expected (see $gdb_log)"
		tail -15 "$gdb_log"
	fi
else
	fail "gdb: not installed (tools/deps.d/debug.list)"
fi
