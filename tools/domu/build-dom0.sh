#!/usr/bin/env bash
# build-dom0.sh OUTDIR: builds, once, what the user's path boots besides
# Xen: Debian's Linux kernel as dom0 (OUTDIR/vmlinuz) and a base
# initramfs (OUTDIR/base.cpio.gz) with busybox, the xl toolstack, the Xen
# daemons, their libraries and the Xen kernel modules.  Everything comes
# from Debian packages (downloaded with apt-get, unpacked under OUTDIR).
# A second run downloads nothing and, unless the inputs of the initramfs
# changed (see the stamp below), rebuilds nothing.
set -euo pipefail
out=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

# Debian's current kernel package, through the linux-image-amd64 metapackage.
# Once unpacked it is kept, even if apt later offers a newer one.
find_kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ && !found { print $2; found = 1 }'
}
if ! ls "$out"/linux/boot/vmlinuz-* > /dev/null 2>&1; then
	pkg=$(find_kernel_package)
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq          # a new machine may have no package lists yet
		pkg=$(find_kernel_package)
	fi
	[ -n "$pkg" ] || { echo "build-dom0: no linux-image package found (run apt-get update)" >&2; exit 1; }
	echo "  DEB     $pkg"
	rm -rf "$out/linux.tmp" "$out"/linux-image-*.deb
	# (apt warns that root downloads unsandboxed into a folder _apt cannot
	# enter; that is expected here.)
	(cd "$out" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' || true)
	ls "$out"/"$pkg"_*.deb > /dev/null
	dpkg-deb -x "$out"/"$pkg"_*.deb "$out/linux.tmp"
	rm -rf "$out/linux"
	mv "$out/linux.tmp" "$out/linux"
	rm -f "$out"/"$pkg"_*.deb
fi
vmlinuz=$(ls "$out"/linux/boot/vmlinuz-* | head -n 1)
kver=${vmlinuz##*/vmlinuz-}

# The initramfs is rebuilt only when what goes into it changed: these
# scripts, the kernel, or the Debian packages it is assembled from.
stamp=$( (cat "$here/build-dom0.sh" "$here/dom0-init" "$here/ethos-block"
	echo "$kver"
	dpkg-query -W xen-utils-4.17 xenstore-utils busybox-static libc6 grub-xen-host 2>&1
	) | sha256sum | cut -d' ' -f1)
if [ -s "$out/vmlinuz" ] && [ -s "$out/base.cpio.gz" ] &&
   [ "$(cat "$out/base.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
cp "$vmlinuz" "$out/vmlinuz"

root=$out/base-root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,etc/xen,proc,sys,dev,run,tmp,var/lib,var/log,ethos}
ln -s /run "$root/var/run"          # libxl locks /var/run/xen/...: must be /run
mkdir -p "$root/usr/bin" "$root/usr/sbin"

# busybox and its applets.
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# The toolstack and daemons, with every library they load (glibc loads
# libgcc_s at run time for pthread_cancel, so it is added by hand: without
# it xl aborts when the console closes).
xenbin=/usr/lib/xen-4.17/bin
mkdir -p "$root$xenbin"
bins="$xenbin/xl $xenbin/xenstored $xenbin/xenconsoled $xenbin/xen-init-dom0
	$xenbin/libxl-save-helper $xenbin/xenconsole /usr/bin/xenstore"
for b in $bins; do
	mkdir -p "$root$(dirname "$b")"
	cp -a "$b" "$root$b"
done
for name in xenstore-read xenstore-write xenstore-ls xenstore-list xenstore-rm; do
	ln -sf xenstore "$root/usr/bin/$name"
done
libs=$( (for b in $bins; do ldd "$b"; done; ldd /usr/bin/xenstore) |
	awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | sort -u)
# (awk reads to the end: an early exit would kill ldconfig with SIGPIPE,
# and pipefail would end this script without a word.)
libgcc=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !found { print $NF; found = 1 }')
for lib in $libs $libgcc; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
mkdir -p "$root/lib64"
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

# Xen's configuration and hotplug scripts.
cp /etc/xen/xl.conf "$root/etc/xen/"
cp -a /etc/xen/scripts "$root/etc/xen/"

# The Xen drivers are modules in Debian's kernel; load them with their
# dependencies first, in an order resolved here from modules.dep (which
# depmod writes at install time: the package does not carry it).
moddir=$out/linux/lib/modules/$kver
[ -s "$moddir/modules.dep" ] || depmod -b "$out/linux" "$kver"
: > "$root/etc/modules.order"
add_module() {
	local rel=$1 dep
	grep -qx "$rel" "$root/etc/modules.order" && return 0
	for dep in $(awk -F': ' -v m="$rel" '$1 == m { print $2 }' "$moddir/modules.dep"); do
		add_module "$dep"
	done
	mkdir -p "$root/lib/modules/$(dirname "$rel")"
	cp "$moddir/$rel" "$root/lib/modules/$rel"
	echo "$rel" >> "$root/etc/modules.order"
}
# (loop and xen-blkback: the PV-GRUB2 disk image.)
for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc loop xen-blkback; do
	rel=$(awk -F: -v m="/$m.ko" 'index($1, m) == length($1) - length(m) + 1 { print $1; exit }' "$moddir/modules.dep")
	[ -n "$rel" ] || { echo "build-dom0: module $m not found" >&2; exit 1; }
	add_module "$rel"
done

install -m 755 "$here/dom0-init" "$root/init"
install -m 755 "$here/ethos-block" "$root/etc/xen/scripts/ethos-block"
mkdir -p "$root/usr/lib/grub-xen"
cp /usr/lib/grub-xen/grub-x86_64-xen.bin "$root/usr/lib/grub-xen/"
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -1) > "$out/base.cpio.gz.tmp"
mv "$out/base.cpio.gz.tmp" "$out/base.cpio.gz"
echo "$stamp" > "$out/base.stamp"
echo "  INITRD  $out/base.cpio.gz ($(du -h "$out/base.cpio.gz" | cut -f1))"
