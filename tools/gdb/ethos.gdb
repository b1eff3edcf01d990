# gdb script for the kernel under QEMU's gdb stub (make debug).
#
#   gdb -x tools/gdb/ethos.gdb                    # kernel + /bin/init
#   gdb -ex 'set $ethos_user = "build/root/tests/hello"' -x tools/gdb/ethos.gdb
#   gdb -ex 'set $ethos_port = 1235' -x tools/gdb/ethos.gdb
#
# Run it from the top of the tree.  QEMU runs Xen as the multiboot
# kernel; our kernel is a PV guest linked at 0xffffffff80000000, user
# programs are static ELFs at 0x400000 (libethos/user.ld), so the
# symbols of one user program at a time can sit beside the kernel's.
# Under TCG, QEMU keeps gdb's breakpoints itself (break and hbreak both
# match a virtual address before it executes, even one set before Xen has
# loaded the kernel); hbreak also works under KVM, so prefer it.  Xen
# code shows up as "??" frames; stepping over int $0x80 lands there, so
# break on the kernel's handler instead.

set pagination off
set confirm off
set architecture i386:x86-64
file build/kernel.elf

if $_isvoid($ethos_user)
	set $ethos_user = "build/root/bin/init"
end
eval "add-symbol-file %s", $ethos_user

# ethos-user PATH: swap the user program whose symbols are loaded.
define ethos-user
	eval "remove-symbol-file -a 0x400000"
	add-symbol-file $arg0
end
document ethos-user
Loads the symbols of another user program, e.g. ethos-user build/root/tests/hello
end

if $_isvoid($ethos_port)
	set $ethos_port = 1234
end
eval "target remote localhost:%d", $ethos_port
