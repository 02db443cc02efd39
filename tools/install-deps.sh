#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs the Debian 12 packages seqs needs, only those missing.
# Usage: tools/install-deps.sh [test|demo]   (root, or sudo available)
set -euo pipefail
what=${1:-test}
pkgs=(build-essential cmake swig python3-dev python3-scapy python3-pytest iproute2 iputils-ping socat procps dnsmasq-base pkgconf)
if [ "$what" = test ]; then
  pkgs+=(python3-hypothesis python3-pytest-xdist clang libclang-rt-14-dev
         gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
         ns3 libns3-dev libgsl-dev libtomlplusplus-dev nlohmann-json3-dev
         tshark ethtool curl
         dnsmasq-base busybox isc-dhcp-client chrony nginx-light wrk apache2-utils
         valgrind liblwip-dev libhttp-parser-dev python3-matplotlib python3-venv python3-pip)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# tshark asks whether non-root users may capture: answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
