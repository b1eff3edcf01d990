# newlib under libethos.  Sourced by tools/run-tests after the dom0 suite.
#
# 1. What only exit() delivers (tests/guest/stdio.c "exit"): the program
#    cannot see its own console, so its output is checked here, in the
#    suite's log: a fully buffered line, the atexit handlers' lines in
#    reverse order of registration, and a last line without a newline
#    (init ends it).  Without the flush at exit none of it arrives.
suite_log=$logdir/suite-dom0.log
want='stdio-exit: buffered line
stdio-exit: atexit handler 2 ran
stdio-exit: atexit handler 1 ran
stdio-exit: tail without a newline'
got=$(grep -a -A3 '^stdio-exit: buffered line$' "$suite_log" 2>/dev/null | head -4)
if [ "$got" = "$want" ]; then
	pass "newlib/stdio flushed at exit, atexit handlers run, unterminated line arrives"
else
	fail "newlib/stdio at exit: wanted the 4 stdio-exit lines in $suite_log, got: ${got:-nothing}"
fi

# 2. tools/ethos-cc from a folder outside the tree, finding the SDK by
#    itself (tools/ -> build/sdk, and sdk/bin/ethos-cc -> its own sdk).
tmp=$(mktemp -d /tmp/ethos-cc-test.XXXXXX)
cat > "$tmp/hello.c" <<'EOC'
#include <math.h>
#include <stdio.h>
int main(void) { printf("%.3f\n", sqrt(2.0)); return 0; }
EOC
root=$PWD
for cc in "$root/tools/ethos-cc" "$root/$build/sdk/bin/ethos-cc"; do
	name="newlib/ethos-cc ${cc#"$root"/}"
	rm -f "$tmp/hello" "$tmp/hello.o"
	if ! (cd "$tmp" && env -u ETHOS_SDK "$cc" -O2 -c hello.c && \
	      env -u ETHOS_SDK "$cc" hello.o -o hello -lm) > "$tmp/log" 2>&1; then
		fail "$name: build failed: $(tail -3 "$tmp/log")"
	elif ! readelf -h "$tmp/hello" > "$tmp/elf" || ! grep -q 'EXEC (Executable file)' "$tmp/elf" || \
	     [ $((16#$(nm "$tmp/hello" | awk '$3 == "_start" {print $1}'))) != \
	       $(($(awk '/Entry point/ {print $4}' "$tmp/elf"))) ]; then
		fail "$name: not a static executable entered at _start"
	elif ! nm "$tmp/hello" > "$tmp/nm" || ! grep -q ' T _write_r$' "$tmp/nm"; then
		fail "$name: not linked against the SDK's newlib"
	else
		pass "$name: builds outside the tree"
	fi
done
rm -rf "$tmp"
