# The shell (/bin/sh, user/sh.c) driven by typed input: it boots as init
# and a session is typed on the console one line a second (Xen's serial
# input drops a burst); each answer must show.  Sourced by tools/run-tests.
shell_session='echo hello   shell
/bin/echo one two three
echo abc def | upper
echo one two three | upper | wc
upper
typed to upper
'$'\x04''
nosuchprog arg
crash
echo after the crash
echo a | | upper
sleep 4000 &
jobs
sleep 8000
echo fg done
sleep 100000 &
kill %2
wait
ls
exit'
ETHOS_INPUT_LINE_DELAY=1 boot_expect "shell session" "guest: exit 0" \
	--timeout 120 --input "$shell_session" \
	--args "ethos.init=/bin/sh ethos.arg=-q"
shell_log=$logdir/boot-shell_session.log
shell_has() { file_has "$shell_log" "shell/$1" "$2"; }
shell_has "builtin echo with arguments" '^\$ hello shell$'
shell_has "a program with arguments" '^\$ one two three$'
shell_has "a pipeline over connections" '^\$ ABC DEF$'
shell_has "a three-stage pipeline" '^\$ 1 3 14$'
shell_has "a program reading the console (newlib's fd 0)" '^\$ TYPED TO UPPER$'
# Only if Ctrl-D was its end of file: else upper would take this line too.
# (The newline typed after the Ctrl-D may reach the shell: an empty line,
# one more prompt.)
shell_has "Ctrl-D ends it, the shell reads again" '^(\$ )+sh: nosuchprog: not found$'
shell_has "a missing program" 'sh: nosuchprog: not found'
shell_has "a crashing child" '^sh: crash: crashed \(trap 14\)$'
shell_has "goes on after the crash" '^\$ after the crash$'
shell_has "a bad pipeline" 'sh: bad pipeline: an empty command'
shell_has "a background job" '^\$ \[1\] [0-9]+$'
shell_has "jobs lists it" '\[1\] running: sleep 4000'
shell_has "kill through a process handle" '\[2\] done: sleep 100000 \(killed\)'
shell_has "ls says there are no files yet" 'ls: there are no files yet'
shell_has "exit" '^sh: bye$'
# Reported as it ends, while the foreground sleep still runs.
if awk '/\[1\] done: sleep 4000 \(exit 0\)/ { d = NR } /fg done/ { f = NR }
	END { exit !(d && f && d < f) }' "$shell_log"; then
	pass "shell/a background job reported as soon as it ends"
else
	fail "shell/a background job reported as soon as it ends (see $shell_log)"
fi
