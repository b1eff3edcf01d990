#!/usr/bin/env bash
# deps.sh: installs the Debian packages the build and the tests need, when
# they are missing.  As root it runs apt-get; otherwise it prints the one
# command to run.  Fragments in tools/deps.d/*.list add package names.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc make binutils cpio gzip qemu-system-x86 xen-hypervisor-4.17-amd64
	libxen-dev)
for list in tools/deps.d/*.list; do
	[ -f "$list" ] || continue
	while read -r pkg _; do
		case $pkg in ''|\#*) continue ;; esac
		packages+=("$pkg")
	done < "$list"
done

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages; run:"
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /tmp/ethos-apt.log 2>&1 || {
	tail -30 /tmp/ethos-apt.log; exit 1; }
