#!/usr/bin/env bash
# mkdisk.sh OUT.img KERNEL.elf ARCHIVE.cpio [KERNEL ARGS]: the PV-GRUB2
# disk: an ext2 image with /boot/kernel.elf, /boot/initrd.cpio and the
# /boot/grub/grub.cfg that grub-x86_64-xen.bin (package grub-xen-host)
# reads from (xen/xvda).
set -euo pipefail
out=$1 kernel=$2 archive=$3 args=${4:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/kernel.elf"
cp "$archive" "$dir/boot/initrd.cpio"
cat > "$dir/boot/grub/grub.cfg" <<GRUB
set timeout=0
menuentry "Ethos" {
	linux (xen/xvda)/boot/kernel.elf $args
	initrd (xen/xvda)/boot/initrd.cpio
}
GRUB
rm -f "$out"
truncate -s 16M "$out"          # (so that mke2fs does not announce it)
mke2fs -q -t ext2 -d "$dir" "$out"
