#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build, the guest and the tests need,
# but only those that are missing. Safe to run every time.
. "$(dirname "$0")/lib.sh"

PKGS=(
	# kernel source and build
	linux-source-6.12 quilt ccache flex bison libelf-dev libssl-dev bc
	cpio kmod rsync git sparse gcc make perl python3 python3-ply
	# checkpatch's SPDX check (scripts/spdxcheck.py imports git on 7.3)
	python3-git
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

# Linux 7.3's source: Debian's linux-source-7.3 (trixie-backports), an
# architecture-independent package; its tarball is taken out of the .deb
# without installing anything from a newer suite.
source_7_3() {
	local t=$BUILD/dl/linux-source-7.3.tar.xz deb
	[ -f "$t" ] && return 0
	apt_private trixie trixie-backports
	mkdir -p "$BUILD/dl"
	rm -f "$BUILD"/dl/linux-source-7.3_*.deb
	(cd "$BUILD/dl" && apt-get "${APT_O[@]}" download -q linux-source-7.3 >/dev/null) ||
		die "downloading linux-source-7.3 from trixie-backports failed"
	deb=$(ls "$BUILD"/dl/linux-source-7.3_*.deb)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-7.3.tar.xz >"$t.tmp" ||
		die "$deb holds no linux-source-7.3.tar.xz"
	mv "$t.tmp" "$t"
	say "linux-source-7.3: $(basename "$deb")"
	rm -f "$deb"
}
# Sparse for 7.3: its kernel needs a sparse that knows __typeof_unqual__
# (scripts/checker-valid.sh), which Debian 12's 0.6.4 does not; without
# one, C=2 only warns and checks nothing. Built from sid's source package
# (0.6.5~rc1 or later), the binary only, into build/sparse; kmake uses it
# for kernels after 6.12.
sparse_new() {
	local d=$BUILD/sparse src
	[ -x "$d/sparse" ] && return 0
	apt_private sid sid
	rm -rf "$d.tmp"
	mkdir -p "$d.tmp"
	(cd "$d.tmp" && apt-get "${APT_O[@]}" source --download-only -q sparse >/dev/null 2>&1) ||
		die "downloading sparse's source from sid failed"
	tar -C "$d.tmp" -xf "$(ls "$d.tmp"/sparse_*.orig.tar.*)"
	src=$(ls -d "$d.tmp"/sparse-*/)
	say "building sparse from $(basename "$(ls "$d.tmp"/sparse_*.dsc)")"
	make -C "$src" -s -j"$JOBS" sparse HAVE_LLVM=no HAVE_GTK=no HAVE_SQLITE=no \
		>"$d.tmp/build.log" 2>&1 || die "building sparse failed: see $d.tmp/build.log"
	mkdir -p "$d"
	cp "$src/sparse" "$d/sparse"
	rm -rf "$d.tmp"
}
missing=()
for p in "${PKGS[@]}"; do
	[[ $p == \#* ]] && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	say "all ${#PKGS[@]} required packages are installed"
else
	say "installing missing packages: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# What Debian 12's packages lack, once they are there (make, gcc), and
# only when 7.3 is built (KVER=7.3, or make check's other kernel,
# DS_OTHER_KERNEL=1): KVER=6.12 alone needs no newer suite.
if [ "$KVER" = 7.3 ] || { [ "$OTHER_KVER" = 7.3 ] && [ "${DS_OTHER_KERNEL:-0}" = 1 ]; }; then
	source_7_3
	sparse_new
fi
