#!/usr/bin/env bash
# Installs what building and booting the image needs on a fresh Debian
# machine (as root), through apt-get and only for what is missing:
# dpkg-deb and xz (kernel package), mke2fs and mkfs.vfat (test disks), QEMU,
# nfdump, and the clients make qemu's demo is used with (ssh, snmpwalk).
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || need+=(qemu-system-x86)
have nfcapd || need+=(nfdump)
have mke2fs || need+=(e2fsprogs)
have mkfs.vfat || need+=(dosfstools)
have xz || need+=(xz-utils)
have dpkg-deb || need+=(dpkg)
# make qemu tells the operator to log in with ssh and poll with snmpwalk,
# and checks its forwarded ports with ss.
have ssh || need+=(openssh-client)
have snmpwalk || need+=(snmp)
have ss || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
	echo "image/deps.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
