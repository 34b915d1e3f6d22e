# SPDX-License-Identifier: GPL-2.0
# Common helpers for the drm-shrinker build and boot tooling.
# Sourced by the other tools/*.sh scripts; not run on its own.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KVER_WANT=6.12
KSRC=$BUILD/src/linux-source-6.12
KOBJ=${KOBJ:-$BUILD/obj}
RESULTS=${RESULTS:-$BUILD/results}
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
PY=/usr/bin/python3
JOBS=${JOBS:-$(nproc)}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Paths below the clone are hashed relative to it: another clone hits too.
export CCACHE_BASEDIR=$TOP
# Reproducible objects, so that ccache hits survive a fresh clone.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=drm-shrinker KBUILD_BUILD_HOST=build
export PYTHONDONTWRITEBYTECODE=1

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# phase NAME CMD...: run CMD, print and record how long it took.
phase() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s)
	say "phase $name"
	"$@" || rc=$?
	local dt=$(($(date +%s) - t0))
	mkdir -p "$RESULTS"
	printf '%s %d %d\n' "$name" "$dt" "$rc" >>"$RESULTS/phases.txt"
	say "phase $name: ${dt}s (rc=$rc)"
	return $rc
}

# quilt on the tree, with the copy of the series that tools/tree.sh applied.
quilt_in() {
	(cd "$KSRC" && QUILT_PATCHES=.drm-shrinker/patches \
		QUILT_PC=.pc quilt --quiltrc=- "$@")
}

# KARCH=arm64 cross-builds with Debian's aarch64-linux-gnu toolchain.
KARCH=${KARCH:-x86}
# The phases that make the guest kernel and the userspace it runs, for
# the tools that need all of them to succeed (demo, bench).
guest_build_phases() { # FRAGMENT...
	phase deps "$TOP/tools/deps.sh" &&
	phase tree "$TOP/tools/tree.sh" &&
	phase config "$TOP/tools/kconfig.sh" "$@" &&
	phase build kbuild &&
	phase igt "$TOP/tools/igt.sh"
}

# kbuild: build the kernel in $KOBJ (bzImage and modules) and show it
# live: a line every 20 seconds with the files compiled so far, the whole
# log in $KOBJ/build.log, its tail on failure. A first build says up front
# how long it takes.
kbuild() {
	local log=$KOBJ/build.log t0 rc=0
	if [ ! -f "$KOBJ/vmlinux" ]; then
		say "first build in $KOBJ: about 7 minutes on 2 cores with a cold ccache," \
			"about 1 with a warm one"
	fi
	t0=$(date +%s)
	mkdir -p "$KOBJ"
	kmake bzImage modules >"$log" 2>&1 &
	local pid=$! next=$((t0 + 20))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if (($(date +%s) >= next)); then
			say "build: $(grep -c '^  CC ' "$log" || true) files compiled," \
				"$(($(date +%s) - t0))s"
			next=$((next + 20))
		fi
	done
	wait "$pid" || rc=$?
	grep -E ': (warning|error): ' "$log" >&2 || true
	if ((rc)); then
		tail -n 40 "$log" >&2
		return $rc
	fi
	say "build: done, $(grep -c '^  CC ' "$log" || true) files compiled, $(($(date +%s) - t0))s"
}

kmake() {
	local arch=(CC="ccache gcc")

	if [ "$KARCH" = arm64 ]; then
		arch=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		      CC="ccache aarch64-linux-gnu-gcc")
	fi
	make -C "$KSRC" O="$KOBJ" HOSTCC="ccache gcc" "${arch[@]}" \
		-j"$JOBS" "$@"
}
