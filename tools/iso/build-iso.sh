#!/usr/bin/env bash
# build-iso.sh OUT.iso KERNEL.elf ARCHIVE.cpio [KERNEL ARGS]: a bootable
# ISO for real hardware (or QEMU -cdrom): GRUB loads Xen with multiboot2,
# our kernel as dom0 and the boot archive as modules, serial console on.
set -euo pipefail
out=$1 kernel=$2 archive=$3 args=${4:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp /boot/xen-4.17-amd64.gz "$root/boot/xen.gz"
cp "$kernel" "$root/boot/kernel.elf"
cp "$archive" "$root/boot/initrd.cpio"
cat > "$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
menuentry "Ethos on Xen 4.17" {
	multiboot2 /boot/xen.gz console=com1,vga com1=115200 dom0_mem=256M,max:256M guest_loglvl=all
	module2 /boot/kernel.elf $args
	module2 /boot/initrd.cpio
}
CFG
grub-mkrescue -o "$out" "$root" > /dev/null 2>&1 || {
	echo "grub-mkrescue failed (packages grub-pc-bin grub-common xorriso mtools)" >&2
	exit 1; }
