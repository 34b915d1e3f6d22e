#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make series`: export the change as the `git format-patch` series a
# maintainer applies, into build/series/ (build/series-KVER/ for a kernel
# other than the main one, KVER=6.12 or 7.3), and prove it:
#   1. `git am` of the series on a fresh copy of the pristine base gives
#      the same tree;
#   2. `checkpatch.pl --strict`, run in the kernel tree, is clean on every
#      patch of it (commit message and `Fixes:` tags included);
#   3. bisection: after each patch, the guest kernel config builds with no
#      warning the pristine base does not have, so does the modular config
#      (DRM and the drivers as modules, tests/config/modular.config) to
#      modpost, and the KUnit suites present at that point pass in a boot
#      of the guest kernel, with a clean dmesg. A table (patch, builds,
#      new warnings, modular, its new warnings, KUnit, dmesg, time) is
#      printed and written to build/results/series/bisect.md
#      (build/results-KVER/... for the other kernel).
# SERIES_BISECT=0 skips step 3 (under a minute instead of about 25 minutes
# with a warm ccache: two builds and a boot per patch).
#
# The base is a git repo of the unpacked Debian linux-source-KVER
# (build/base.git, made once). Each patch of patches/KVER/series becomes
# one commit: the patch itself, plus the new files that patches/KVER/files
# assigns to it (new files live whole in this repo, outside the quilt
# series; patches/KVER/overlay.patch is their backport to KVER). Patches
# listed in patches/KVER/project-only stay out of the export; they must
# come last in the series.
. "$(dirname "$0")/lib.sh"

BASE=$BUILD/base$KSUF.git
WORK=$BUILD/series-work$KSUF
OUTDIR=$BUILD/series$KSUF
BIS=$BUILD/bisect$KSUF
RES=$RESULTS/series
NEWFILES=$BUILD/series-newfiles$KSUF
TARBALL_NAME=$(basename "$TARBALL")

git_q() { git -c user.name=drm-shrinker -c user.email=dri-devel@lists.freedesktop.org -c advice.detachedHead=false \
	-c commit.gpgsign=false "$@"; }

make_base() {
	if [ -d "$BASE/.git" ]; then
		# A base of another kernel (a dir from before MAIN_KVER changed).
		git -C "$BASE" log -1 --format=%s base | grep -q "linux-source-$KVER)" &&
			return 0
		say "$BASE is not linux-source-$KVER's: making it again"
	fi
	say "making the base repo from $TARBALL_NAME (once, about 3 minutes)"
	rm -rf "$BASE" "$BASE.tmp"
	mkdir -p "$BASE.tmp"
	tar -C "$BASE.tmp" -xJf "$TARBALL" --strip-components=1
	(cd "$BASE.tmp" && git_q init -q -b base && git_q add -f -A . &&
	 GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
	 git_q commit -q -m "Linux $(make -s kernelversion) (Debian linux-source-$KVER)")
	mv "$BASE.tmp" "$BASE"
}

# Every new file must belong to exactly one patch.
check_files_map() {
	local map=$PATCHES/files unlisted
	unlisted=$(cd "$TOP" && git ls-files --cached --others --exclude-standard \
		drivers include Documentation | while read -r f; do
			awk -v f="$f" '$2 == f {found = 1} END {exit !found}' "$map" 2>/dev/null || echo "$f"
		done)
	[ -z "$unlisted" ] || die "new files not assigned to a patch in patches/$KVER/files: $unlisted"
	# And every patch named there is one of the series (a renamed patch
	# would leave its files out of every commit).
	unlisted=$(grep -v '^#' "$map" | awk '{print $1}' | sort -u | while read -r p; do
			grep -qxF "$p" "$PATCHES/series" || echo "$p"
		done)
	[ -z "$unlisted" ] || die "patches/$KVER/files names patches not in its series: $unlisted"
}

# The reason patches/project-only gives for leaving PATCH out, or nothing.
project_only() {
	awk -v p="$1" '$1 == p {$1 = ""; sub(/^ /, ""); print; found = 1}
		END {exit !found}' "$PATCHES/project-only" 2>/dev/null
}

# The repo's new files as this kernel has them, in $NEWFILES: with
# patches/KVER/overlay.patch applied, as tools/tree.sh does.
stage_new_files() {
	rm -rf "$NEWFILES"
	mkdir -p "$NEWFILES"
	(cd "$TOP" && git ls-files --cached --others --exclude-standard \
		drivers include Documentation | cpio -pdm --quiet "$NEWFILES")
	if grep -qs '^+++ b/' "$PATCHES/overlay.patch"; then
		(cd "$NEWFILES" && patch -p1 -s -F0 --forward --no-backup-if-mismatch \
			<"$PATCHES/overlay.patch") ||
			die "patches/$KVER/overlay.patch does not apply to the new files"
	fi
}

# The findings patches/KVER/checkpatch-kept keeps in the files the commit
# at HEAD touches, as a git note: git format-patch --notes puts it below
# the patch's '---', where a maintainer who runs checkpatch on it reads
# why, and git am leaves it out of the commit.
note_kept() {
	local kept=$PATCHES/checkpatch-kept note
	[ -f "$kept" ] || return 0
	note=$(git diff --name-only HEAD^ HEAD | awk 'FILENAME == "-" {f[$0] = 1; next}
		/^#/ || !NF || NF < 4 || $2 !~ /^[A-Z0-9_]+$/ {next}
		$1 in f {file = $1; type = $2; word = $3; $1 = $2 = $3 = ""
			sub(/^ +/, "")
			printf "checkpatch --strict keeps %s (%s) in %s: %s\n", type, word, file, $0}' \
		- "$kept")
	[ -z "$note" ] || git_q notes add -m "$note" HEAD
}

# One commit per patch of patches/series, in $WORK; fills the arrays
# PNAMES and COMMITS and sets EXPORTED to the number of exported patches.
make_commits() {
	local p author msg left=0
	PNAMES=() COMMITS=() EXPORTED=0
	rm -rf "$WORK"
	git clone -q "$BASE" "$WORK"
	cd "$WORK"
	while read -r p; do
		case "$p" in ''|\#*) continue ;; esac
		git_q apply --index "$PATCHES/$p" || die "$p does not apply"
		awk -v p="$p" '$1 == p {print $2}' "$PATCHES/files" 2>/dev/null |
		while read -r f; do
			mkdir -p "$(dirname "$f")"
			cp "$NEWFILES/$f" "$f"
			git add -f "$f"
		done
		author=$(sed -n 's/^From: //p;/^$/q' "$PATCHES/$p" | head -n1)
		# The message: Subject (less [PATCH]) and the body up to '---'.
		msg=$(awk 'BEGIN {h = 1}
			h && /^Subject: / {sub(/^Subject: (\[PATCH[^]]*\] )?/, ""); print; next}
			h && /^$/ {h = 0; print ""; next}
			!h && /^---$/ {exit}
			!h {print}' "$PATCHES/$p")
		GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
			git_q commit -q --author="$author" -m "$msg"
		note_kept
		PNAMES+=("$p")
		COMMITS+=("$(git rev-parse HEAD)")
		if project_only "$p" >/dev/null; then
			left=1
		else
			((left == 0)) || die "$p comes after a project-only patch: move it before them"
			EXPORTED=${#PNAMES[@]}
		fi
	done <"$PATCHES/series"
	((EXPORTED > 0)) || die "no patch to export"
}

export_series() {
	local i
	rm -rf "$OUTDIR"
	mkdir -p "$OUTDIR"
	git -C "$WORK" format-patch -q --no-signature --notes -o "$OUTDIR" \
		"origin/base..${COMMITS[EXPORTED - 1]}"
	say "series: $EXPORTED patches in $OUTDIR"
	for ((i = EXPORTED; i < ${#PNAMES[@]}; i++)); do
		say "left out (project-only): ${PNAMES[i]}: $(project_only "${PNAMES[i]}")"
	done
}

# Prove it: git am on a fresh clone of the base gives the same tree.
prove_am() {
	rm -rf "$WORK.am"
	git clone -q "$BASE" "$WORK.am"
	(cd "$WORK.am" && git_q am -q "$OUTDIR"/*.patch) || die "git am of the series failed"
	[ "$(git -C "$WORK.am" rev-parse 'HEAD^{tree}')" = \
	  "$(git -C "$WORK" rev-parse "${COMMITS[EXPORTED - 1]}^{tree}")" ] ||
		die "git am produced a different tree"
	rm -rf "$WORK.am"
	say "git am of $EXPORTED patches on the pristine base: OK"
}

# checkpatch in tree mode on every exported patch. One check cannot run
# here: the base repo has none of upstream's history, so checkpatch cannot
# look up the commits that Fixes: tags name and would call each of them
# unknown (UNKNOWN_COMMIT_ID). That check is left out and said to be left
# out; the tags' format (BAD_FIXES_TAG) is still checked, and where each
# id comes from is in the README.
checkpatch_series() {
	local f bad=0
	git_q -C "$WORK" checkout -q "${COMMITS[EXPORTED - 1]}"
	say "checkpatch: UNKNOWN_COMMIT_ID not checked (no upstream history here)"
	for f in "$OUTDIR"/*.patch; do
		# Its findings, less those patches/KVER/checkpatch-kept keeps
		# (said here); a traceback of checkpatch's helpers is one too.
		# shellcheck disable=SC2046 # one word per file
		if (cd "$WORK" && { scripts/checkpatch.pl --strict --terse --show-types --showfile \
			--no-summary --ignore UNKNOWN_COMMIT_ID --quiet "$f" 2>&1 || true; } |
			CHECKPATCH_STALE=0 checkpatch_filter $(sed -n 's|^+++ b/||p' "$f")) \
			>"$RES/checkpatch-$(basename "$f" .patch).log" &&
			! grep -q . "$RES/checkpatch-$(basename "$f" .patch).log"; then
			say "checkpatch --strict: $(basename "$f"): clean"
		else
			say "checkpatch --strict: $(basename "$f"): NOT clean"
			sed 's/^/    /' "$RES/checkpatch-$(basename "$f" .patch).log" >&2
			bad=1
		fi
	done
	return $bad
}

# Build the guest config at one state of the series; print its warnings
# without line numbers, one per line, to $1.warn.
# The guest fragment and this kernel's own (tests/config/kernel-KVER.config:
# 7.3 runs KUnit at boot only with KUNIT_AUTORUN_ENABLED), into $1.
guest_fragment() {
	cat "$TOP/tests/config/guest.config" "${@:2}" >"$1"
	if [ -f "$TOP/tests/config/kernel-$KVER.config" ]; then
		cat "$TOP/tests/config/kernel-$KVER.config" >>"$1"
	fi
}

bisect_build() {
	local log=$1
	guest_fragment "$BIS/guest.fragment"
	kmake -s allnoconfig KCONFIG_ALLCONFIG="$BIS/guest.fragment" \
		>"$log" 2>&1 || return 1
	kmake -s bzImage modules >>"$log" 2>&1 || return 1
	grep -E ': warning: ' "$log" | sed -E 's/:[0-9]+:[0-9]+: /: /' |
		sort -u >"$log.warn" || true
}

# The modular config at one state of the series, built to modpost in
# $BIS/obj-modular; its warnings, modpost's included, to $1.warn.
bisect_build_modular() {
	local log=$1
	guest_fragment "$BIS/modular.fragment" "$TOP/tests/config/modular.config"
	(export KOBJ=$BIS/obj-modular
	 mkdir -p "$KOBJ"
	 kmake -s allnoconfig KCONFIG_ALLCONFIG="$BIS/modular.fragment" &&
	 grep -q '^CONFIG_DRM=m' "$KOBJ/.config" &&
	 grep -q '^CONFIG_DRM_VIRTIO_GPU=m' "$KOBJ/.config" &&
	 kmake -s bzImage modules) >"$log" 2>&1 || return 1
	grep -E ': warning: |^WARNING: |^ERROR: ' "$log" |
		sed -E 's/:[0-9]+:[0-9]+: /: /' | sort -u >"$log.warn" || true
}

bisect() {
	local src=$BIS/src/linux-source-$KVER i t0 row built warn kunit dmesg out rc
	# The same layout as build/src and build/obj, so that ccache's
	# relative paths match and unchanged objects are cache hits.
	export KSRC=$src KOBJ=$BIS/obj
	rm -rf "$BIS/src"
	mkdir -p "$BIS/src" "$KOBJ"
	git_q clone -q "$WORK" "$src"
	[ -x "$BUILD/igt/ds-poweroff" ] || "$TOP/tools/igt.sh" >"$RES/igt.log" 2>&1 ||
		die "cannot build the guest tools: see $RES/igt.log"

	say "bisect: the pristine base first (the warnings baseline)"
	# The base's commit, which $WORK knows as origin/base: in this clone
	# of $WORK, origin/base is $WORK's own branch, the series' tip.
	git_q -C "$src" checkout -q -f "$(git -C "$WORK" rev-parse --verify origin/base)"
	[ ! -e "$src/include/drm/drm_shrinker.h" ] ||
		die "the bisection's base is not the pristine tree"
	bisect_build "$RES/base.log" || die "the pristine base does not build: see $RES/base.log"
	bisect_build_modular "$RES/base-modular.log" ||
		die "the pristine base does not build modular: see $RES/base-modular.log"

	{
		echo "| patch | builds | new warnings | modular | new warnings, modular | KUnit | dmesg | time |"
		echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	} >"$RES/bisect.md"
	FAILED=0
	for ((i = 0; i < EXPORTED; i++)); do
		t0=$(date +%s)
		out=$RES/$(printf '%04d' $((i + 1)))
		mkdir -p "$out"
		git_q -C "$src" checkout -q -f "${COMMITS[i]}"
		built=no warn=- kunit=- dmesg=- modular=no mwarn=-
		if bisect_build_modular "$out/modular.log"; then
			modular=yes
			mwarn=$(comm -13 "$RES/base-modular.log.warn" "$out/modular.log.warn" | wc -l)
		fi
		[ "$modular" = yes ] && [ "$mwarn" = 0 ] || FAILED=1
		if bisect_build "$out/build.log"; then
			built=yes
			warn=$(comm -13 "$RES/base.log.warn" "$out/build.log.warn" | wc -l)
			MEM=2G TIMEOUT=900 "$TOP/tools/guest.sh" kunit "$out/guest" \
				>"$out/guest.log" 2>&1 || true
			rc=0
			"$PY" "$TOP/tools/report.py" "$out" "$TOP" /dev/null >"$out/report.txt" || rc=$?
			kunit=$(awk '$1 ~ /^kunit\// {n++; if ($2 == "pass") p++; else if ($2 == "FAIL") f++}
				END {printf "%d passed, %d failed", p, f}' "$out/report.txt")
			dmesg=$(awk '$1 == "guest/dmesg-clean" || $1 == "guest/kmemleak-clean" ||
				$1 == "guest/finished-plan" {if ($2 != "pass") bad = bad " " $1}
				END {print bad ? "FAIL:" bad : "clean"}' "$out/report.txt")
			((rc == 0)) || FAILED=1
		fi
		[ "$built" = yes ] && [ "$warn" = 0 ] || FAILED=1
		row="| ${PNAMES[i]%.patch} | $built | $warn | $modular | $mwarn | $kunit | $dmesg | $(($(date +%s) - t0))s |"
		echo "$row" >>"$RES/bisect.md"
		say "bisect: $row"
	done
}

make_base
check_files_map
rm -rf "$RES"
mkdir -p "$RES"
stage_new_files
make_commits
export_series
prove_am
ok=1
checkpatch_series || ok=0
if [ "${SERIES_BISECT:-1}" != 0 ]; then
	bisect
	((FAILED == 0)) || ok=0
	echo
	cat "$RES/bisect.md"
	echo "(logs per patch in $RES/NNNN/: build.log, report.txt, guest/)"
else
	say "bisection skipped (SERIES_BISECT=0)"
fi
((ok)) || die "the series is not clean: see above"
say "the series is clean: $EXPORTED patches in $OUTDIR"
