# The PV console ring with its backend gone (ethos.test=deadconsole in
# xen/console.c): one 3 s timeout, then writes are dropped at once; a
# backend that consumes again revives it.  Sourced by tools/run-tests.
boot_expect "dead console backend" "guest: exit 0" --timeout 60 \
	--args "ethos.test=deadconsole"
collect "$logdir/boot-dead_console_backend.log"
