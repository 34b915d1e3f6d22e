#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build, the guest and the tests need,
# but only those that are missing. Safe to run every time.
. "$(dirname "$0")/lib.sh"

PKGS=(
	# kernel source and build
	linux-source-6.12 quilt ccache flex bison libelf-dev libssl-dev bc
	cpio kmod rsync git sparse gcc make perl python3 python3-ply
	# guest: ext4 for the memory controller's selftests (mkfs.ext4)
	e2fsprogs
	# arm64 cross build for panfrost
	gcc-aarch64-linux-gnu
	# guest: QEMU with virgl 3D on a headless EGL display
	qemu-system-x86 qemu-system-gui libvirglrenderer1 libgl1-mesa-dri
	libegl-mesa0 libgbm1 libepoxy0
	# userspace tests: IGT's library, libdrm, Mesa's GBM/EGL
	intel-gpu-tools libdrm-dev pkg-config libgbm-dev libegl-dev
	libgles-dev
	# charts
	gnuplot-nox
	# Mesa with the virgl madvise patches (tools/mesa.sh), and a GL
	# application for it: glmark2 on GBM, with its own image checks
	python3-mako python3-packaging python3-yaml libexpat1-dev zlib1g-dev libglvnd-dev
	ninja-build glmark2-es2-drm curl
)

# Mesa $MESA_VER needs meson >= 1.1: Debian 12 has 1.0, its backports 1.7.
meson_ok() {
	command -v meson >/dev/null &&
		dpkg --compare-versions "$(meson --version)" ge 1.1
}
if ! meson_ok; then
	[ "$(id -u)" = 0 ] || die "need root to install meson from bookworm-backports"
	apt_private
	say "installing meson from bookworm-backports"
	DEBIAN_FRONTEND=noninteractive apt-get "${APT_O[@]}" install -y -q \
		--no-install-recommends -t bookworm-backports meson >/dev/null ||
		die "installing meson from bookworm-backports failed"
	meson_ok || die "meson $(meson --version) is older than 1.1"
fi

missing=()
for p in "${PKGS[@]}"; do
	[[ $p == \#* ]] && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	say "all ${#PKGS[@]} required packages are installed"
	exit 0
fi
say "installing missing packages: ${missing[*]}"
[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
