# The shell on the user's path: Xen + Linux dom0 + our kernel as a domU,
# typed on QEMU's serial, which dom0's /init hands to the domain's
# console (xenconsole, as `make run-domu` does on a terminal).  Each
# answer below exists only if the typed line reached the domU, and the
# boot ends with exit 0 only once `exit` got there.  Sourced by
# tools/run-tests.
domu_session='echo hello   domu
/bin/echo one two three
echo abc def | upper
echo one two three | upper | wc
nosuchprog arg
exit'
RUNNER=tools/run-domu ETHOS_INPUT_LINE_DELAY=1 boot_expect "domU shell session" \
	"guest: exit 0" --timeout 120 --input "$domu_session" \
	--args "ethos.init=/bin/sh ethos.arg=-q"
domu_shell_log=$logdir/boot-dom__shell_session.log
domu_shell_has() { file_has "$domu_shell_log" "domU shell/$1" "$2"; }
domu_shell_has "builtin echo with arguments" '^\$ hello domu$'
domu_shell_has "a program with arguments" '^\$ one two three$'
domu_shell_has "a pipeline over connections" '^\$ ABC DEF$'
domu_shell_has "a three-stage pipeline" '^\$ 1 3 14$'
domu_shell_has "a missing program" 'sh: nosuchprog: not found'
domu_shell_has "exit" '^sh: bye$'
