#!/usr/bin/env bash
# mkcpio.sh OUT ROOT: packs the directory ROOT into a cpio newc archive
# (the boot archive), with stable order and timestamps.  x86-64 ELF files
# go in without their DWARF (objcopy --strip-debug: the loaded bytes and
# the symbol table stay): newlib's debug information is some 330 KB a
# program, memory the guest would hold for nothing.  gdb reads the full
# files in ROOT.  Anything else (the deliberately damaged test ELF files
# among them) goes in byte for byte.
set -euo pipefail
out=$1 root=$2
mkdir -p "$root"
out_abs=$(realpath -m "$out")
stage=$(mktemp -d "${TMPDIR:-/tmp}/ethos-cpio.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp -a "$root/." "$stage/"
find "$stage" -type f | while read -r f; do
	# ELF magic, and e_machine (offset 18) EM_X86_64 = 0x3e 0x00.
	[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || continue
	[ "$(od -An -tx1 -j18 -N2 "$f" | tr -d ' ')" = 3e00 ] || continue
	objcopy --strip-debug "$f" "$f.stripped" 2>/dev/null && mv "$f.stripped" "$f" || rm -f "$f.stripped"
done
cd "$stage"
find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible -R 0:0 > "$out_abs.tmp"
mv "$out_abs.tmp" "$out_abs"
