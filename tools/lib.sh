# SPDX-License-Identifier: GPL-2.0
# Common helpers for the drm-shrinker build and boot tooling.
# Sourced by the other tools/*.sh scripts; not run on its own.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Debian's tools first: the kernel's scripts run `env python3`, and a
# python3 of a user's own (pyenv) may lack Debian's python3-ply.
export PATH=/usr/bin:/bin:$PATH
BUILD=${BUILD:-$TOP/build}
# The kernel the series is for: KVER=6.12 or 7.3 (patches/$KVER). The
# main kernel's build directories are build/obj*, another's build/obj*-KVER.
MAIN_KVER=7.3
KVER=${KVER:-$MAIN_KVER}
case $KVER in
6.12) OTHER_KVER=7.3 ;;
7.3) OTHER_KVER=6.12 ;;
*) printf 'error: KVER=%s: the series is kept for 6.12 and 7.3\n' "$KVER" >&2; exit 1 ;;
esac
export KVER
KSUF=
[ "$KVER" = "$MAIN_KVER" ] || KSUF=-$KVER
PATCHES=$TOP/patches/$KVER
KSRC=$BUILD/src/linux-source-$KVER
KOBJ=${KOBJ:-$BUILD/obj$KSUF}
RESULTS=${RESULTS:-$BUILD/results$KSUF}
# Debian's linux-source-KVER tarball: 6.12's package is installed
# (tools/deps.sh), 7.3's unpacked from its .deb into build/dl.
if [ "$KVER" = 6.12 ]; then
	TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
else
	TARBALL=${TARBALL:-$BUILD/dl/linux-source-$KVER.tar.xz}
fi
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

# Mesa for the guest's GL tests: the newest Mesa whose build Debian 12
# satisfies (bookworm-backports' source package, with its meson). Any
# Debian revision of it has this orig tarball.
MESA_VER=25.0.7
MESA_ORIG_SHA256=592272df3cf01e85e7db300c449df5061092574d099da275d19e97ef0510f8a6

# apt_private [NAME SUITE...]: APT_O, the options of an apt state of our
# own in build/apt-NAME, for what Debian 12's own sources lack; the
# system's apt sources are left alone. Without arguments: build/apt-bpo
# with bookworm and bookworm-backports (binaries and sources).
apt_private() {
	local name=${1:-bpo} A H s
	local suites=("${@:2}")
	((${#suites[@]})) || suites=(bookworm bookworm-backports)
	A=$BUILD/apt-$name
	H=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
	H=${H:-http://deb.debian.org/debian}
	mkdir -p "$A/lists/partial"
	for s in "${suites[@]}"; do
		printf 'deb %s %s main\ndeb-src %s %s main\n' "$H" "$s" "$H" "$s"
	done >"$A/sources.new"
	APT_O=(-o "Dir::Etc::SourceList=$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
	       -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache")
	mkdir -p "$A/cache/archives/partial"
	# Read the indexes again when the sources changed or after a day.
	if ! cmp -s "$A/sources.new" "$A/lists/sources.read" ||
	   [ -n "$(find "$A/lists/sources.read" -mmin +1440)" ]; then
		cp "$A/sources.new" "$A/sources.list"
		apt-get "${APT_O[@]}" update -q >/dev/null || die "apt-get update (${suites[*]}) failed"
		mv "$A/sources.new" "$A/lists/sources.read"
	fi
	rm -f "$A/sources.new"
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
		say "first build in $KOBJ: about 13 minutes on 2 cores with a cold ccache," \
			"about 1.5 with a warm one"
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

# checkpatch_filter FILE...: checkpatch's --terse --show-types output
# (with --showfile for a patch) on stdin, less the findings that
# patches/KVER/checkpatch-kept keeps for these files; each kept line is
# said on CHECKPATCH_KEPT_LOG (default stderr; appended to). A kept line
# keeps one finding, whose message has its word; a kept line that
# matches nothing is a finding (unless CHECKPATCH_STALE=0: a patch that
# changes FILE elsewhere has no finding to keep).
checkpatch_filter() {
	local kept=$PATCHES/checkpatch-kept
	[ -f "$kept" ] || kept=/dev/null
	awk -v files="$*" -v kfile="$kept" -v keptlog="${CHECKPATCH_KEPT_LOG:-/dev/stderr}" \
		-v stale="${CHECKPATCH_STALE:-1}" '
	BEGIN {
		n = split(files, f, " ")
		for (i = 1; i <= n; i++) mine[f[i]] = 1
		while ((getline line < kfile) > 0) {
			if (line ~ /^#/ || line ~ /^[[:space:]]*$/) continue
			m = split(line, w, " ")
			if (m < 4 || w[2] !~ /^[A-Z0-9_]+$/) { print "checkpatch-kept: bad line: " line; continue }
			if (!(w[1] in mine)) continue
			k++; kf[k] = w[1]; kt[k] = w[2]; kw[k] = w[3]; kl[k] = line; hit[k] = 0
		}
	}
	{
		for (i = 1; i <= k; i++)
			if (!hit[i] && index($0, kf[i] ":") == 1 && (t = index($0, ":" kt[i] ":")) &&
			    index(substr($0, t), kw[i])) {
				hit[i]++; print "checkpatch: kept: " kl[i] >> keptlog; next
			}
		print
	}
	END {
		for (i = 1; i <= k; i++)
			if (!hit[i] && stale)
				print kf[i] ": STALE_KEPT: checkpatch no longer reports what patches/KVER/checkpatch-kept keeps: " kl[i]
	}'
}

# series_objects [KOBJ]: the objects built from the .c files the series
# adds or patches, that KOBJ's build has (default: $KOBJ).
series_objects() {
	local obj=${1:-$KOBJ} p
	(cd "$TOP" && git ls-files --cached --others --exclude-standard \
		drivers include Documentation 2>/dev/null
	 grep -v '^#' "$PATCHES/series" | sed '/^$/d' | while read -r p; do
		sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$PATCHES/$p"
	 done) | grep '\.c$' | sort -u | sed 's/\.c$/.o/' |
		while read -r o; do [ -f "$obj/$o" ] && echo "$o"; done || true
}

# kbuild_strict: kbuild, failing on any compiler warning or modpost
# WARNING/ERROR. The series' objects are compiled again first (ccache
# replays them), so that their warnings show in every run, not only in
# the one that first compiled them.
kbuild_strict() {
	local objs
	objs=$(series_objects)
	# shellcheck disable=SC2086 # one word per object
	[ -z "$objs" ] || (cd "$KOBJ" && rm -f $objs)
	kbuild || return
	! grep -E ': (warning|error): |^(WARNING|ERROR): ' "$KOBJ/build.log"
}

kmake() {
	local arch=(CC="ccache gcc")

	if [ "$KARCH" = arm64 ]; then
		arch=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
		      CC="ccache aarch64-linux-gnu-gcc")
	fi
	# Kernels after 6.12 need a newer sparse than Debian 12's (deps.sh).
	if [ "$KVER" != 6.12 ] && [ -x "$BUILD/sparse/sparse" ]; then
		arch+=(CHECK="$BUILD/sparse/sparse")
	fi
	make -C "$KSRC" O="$KOBJ" HOSTCC="ccache gcc" "${arch[@]}" \
		-j"$JOBS" "$@"
}
