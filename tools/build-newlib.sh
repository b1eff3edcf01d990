#!/usr/bin/env bash
# build-newlib.sh DIR TARBALL CFLAGS: builds newlib (the C library of user
# programs) for x86_64-elf with the host gcc, from Debian's newlib-source
# tarball, and installs it under DIR/install/x86_64-elf/{include,lib}.
# Called by make (libethos/newlib.mk) only when its inputs change; nothing
# of newlib's source enters the tree.  The log is DIR/build.log.
set -euo pipefail
dir=$1 tarball=$2 cflags=$3
if [ ! -f "$tarball" ]; then
	echo "missing $tarball: run tools/deps.sh (package newlib-source)" >&2
	exit 1
fi
rm -rf "$dir/src" "$dir/obj" "$dir/install" "$dir/stamp"
mkdir -p "$dir/src" "$dir/obj"
dir=$(cd "$dir" && pwd)
log=$dir/build.log
tar -xJf "$tarball" -C "$dir/src" --strip-components=1
# The outer make's jobserver does not reach through this script.
unset MAKEFLAGS MFLAGS MAKELEVEL
start=$(date +%s)
cd "$dir/obj"
{
	# No newlib-supplied syscalls: libethos provides them (newlib.c).
	# Single-threaded processes: no locks.  C99 and long long formats.
	"$dir/src/configure" --target=x86_64-elf --prefix="$dir/install" \
		--disable-multilib --disable-nls \
		--disable-newlib-supplied-syscalls \
		--disable-newlib-multithread \
		--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
		CC_FOR_TARGET=gcc AR_FOR_TARGET=ar AS_FOR_TARGET=as \
		LD_FOR_TARGET=ld NM_FOR_TARGET=nm RANLIB_FOR_TARGET=ranlib \
		OBJDUMP_FOR_TARGET=objdump STRIP_FOR_TARGET=strip \
		CFLAGS_FOR_TARGET="$cflags"
	make -j"$(nproc)" all-target-newlib
	make install-target-newlib
} > "$log" 2>&1 || { tail -30 "$log"; echo "newlib build failed (see $log)" >&2; exit 1; }
echo "  NEWLIB  built in $(( $(date +%s) - start )) s ($log)"
