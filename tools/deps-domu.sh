#!/usr/bin/env bash
# deps-domu.sh: installs the Debian packages the user's path needs (the
# list is tools/deps.d/domu.list, which tools/deps.sh reads as well).  As
# root it runs apt-get for what is missing; otherwise it prints the command.
set -euo pipefail
list=$(dirname "$0")/deps.d/domu.list
missing=()
while read -r pkg _; do
	case $pkg in ''|\#*) continue ;; esac
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done < "$list"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages; run:"
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
