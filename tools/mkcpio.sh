#!/usr/bin/env bash
# mkcpio.sh OUT ROOT: packs the directory ROOT into a cpio newc archive
# (the boot archive), with stable order and timestamps.
set -euo pipefail
out=$1 root=$2
mkdir -p "$root"
out_abs=$(realpath -m "$out")
cd "$root"
find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible -R 0:0 > "$out_abs.tmp"
mv "$out_abs.tmp" "$out_abs"
