#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the kernel tree of KVER (6.12 or 7.3, see lib.sh) in build/src:
#  1. unpack Debian's linux-source-KVER tarball once (refusing anything
#     that is not KVER.x);
#  2. bring the quilt series of patches/KVER up to date: when any patch or
#     the series file changed, pop the old series (from a private copy, so
#     it pops even if a patch was edited or removed), touch the files it
#     had patched so make rebuilds them, and push the new series;
#  3. overlay the repo's new files at their kernel paths as symlinks, so an
#     edit in the repo is what gets built; stale links are removed. The
#     new files are the main kernel's; patches/KVER/overlay.patch, if
#     there, is the backport of some of them to KVER: those are copied
#     into the tree and patched instead (an edit in the repo that the
#     backport no longer applies to fails here, so that a change lands
#     in both kernels).
. "$(dirname "$0")/lib.sh"

OVERLAY_DIRS=(drivers include Documentation)
APPLIED=$KSRC/.drm-shrinker/patches	# copy of the series as applied

unpack() {
	[ -f "$TARBALL" ] || die "$TARBALL missing: run tools/deps.sh (Debian's linux-source-$KVER)"
	if [ -f "$KSRC/Makefile" ]; then
		return 0
	fi
	say "unpacking $TARBALL into $BUILD/src"
	rm -rf "$BUILD/src.tmp"
	mkdir -p "$BUILD/src.tmp"
	tar -C "$BUILD/src.tmp" -xJf "$TARBALL"
	[ -f "$BUILD/src.tmp/linux-source-$KVER/Makefile" ] ||
		die "$TARBALL does not contain linux-source-$KVER/"
	mkdir -p "$BUILD/src"
	rm -rf "$KSRC"
	mv "$BUILD/src.tmp/linux-source-$KVER" "$KSRC"
	rmdir "$BUILD/src.tmp"
}

check_version() {
	local v p
	v=$(sed -n 's/^VERSION = //p' "$KSRC/Makefile")
	p=$(sed -n 's/^PATCHLEVEL = //p' "$KSRC/Makefile")
	[ "$v.$p" = "$KVER" ] ||
		die "kernel source is $v.$p, this series is for $KVER.x"
	say "kernel source: $(make -s -C "$KSRC" kernelversion 2>/dev/null)"
}

series_hash() {
	(cd "$1" && cat series $(grep -v '^#' series 2>/dev/null) 2>/dev/null) |
		sha256sum | cut -d' ' -f1
}

update_patches() {
	local want have f
	want=$(series_hash "$PATCHES")
	have=$(cat "$KSRC/.drm-shrinker/series.sha256" 2>/dev/null || true)
	if [ "$want" = "$have" ]; then
		# All of it applied? A static check interrupted while it had
		# the series popped for its pristine baseline leaves less.
		local out rc=0
		out=$(quilt_in unapplied 2>&1) || rc=$?
		if [ "$rc" = 1 ] && grep -q 'fully applied' <<<"$out"; then
			say "quilt series up to date"
			return 0
		fi
		[ "$rc" = 0 ] || die "quilt unapplied failed in $KSRC: $out"
		say "applying the rest of the series (found it partly popped)"
		if ! quilt_in push -a -q --fuzz=0 >"$BUILD/quilt.log" 2>&1; then
			cat "$BUILD/quilt.log" >&2
			die "quilt push of the rest of patches/$KVER/series failed in $KSRC"
		fi
		return 0
	fi

	if [ -d "$KSRC/.pc" ] && [ -s "$KSRC/.pc/applied-patches" ]; then
		say "popping the previously applied series"
		# Files the old series touched: make must rebuild them even if
		# popping restores an older mtime.
		local touched
		touched=$(cd "$KSRC/.pc" && find . -mindepth 2 -type f |
			  cut -d/ -f3- | sort -u)
		quilt_in pop -a -q >/dev/null || die "quilt pop failed in $KSRC"
		(cd "$KSRC" && for f in $touched; do if [ -e "$f" ]; then touch "$f"; fi; done)
	fi
	rm -rf "$APPLIED" "$KSRC/.drm-shrinker/series.sha256"
	mkdir -p "$APPLIED"
	cp -p "$PATCHES"/series "$APPLIED"/
	while read -r f; do
		case "$f" in ''|\#*) continue ;; esac
		cp -p "$PATCHES/$f" "$APPLIED/$f"
	done <"$PATCHES/series"
	if [ -s "$APPLIED/series" ] && grep -qv '^#' "$APPLIED/series"; then
		say "applying $(grep -vc '^#' "$APPLIED/series") patches"
		if ! quilt_in push -a -q --fuzz=0 >"$BUILD/quilt.log" 2>&1; then
			cat "$BUILD/quilt.log" >&2
			die "a patch of patches/$KVER/series does not apply on $(basename "$KSRC") (see above)"
		fi
	fi
	echo "$want" >"$KSRC/.drm-shrinker/series.sha256"
}

overlay() {
	local manifest=$KSRC/.drm-shrinker/overlay new rel
	local bp=$PATCHES/overlay.patch stage=$KSRC/.drm-shrinker/backport
	local -A ported=()
	new=$(mktemp)
	(cd "$TOP" && for d in "${OVERLAY_DIRS[@]}"; do
		if [ -d "$d" ]; then
			git ls-files --cached --others --exclude-standard "$d"
		fi
	done) | sort -u >"$new"
	# The backport of some new files to this kernel, made in a staging
	# copy of them; it replaces the last one only once the tree's copies
	# are made from it (tools/overlay-diff.sh compares with it).
	rm -rf "$stage.new"
	mkdir -p "$stage.new"
	if grep -qs '^+++ b/' "$bp"; then
		while read -r rel; do
			grep -qxF "$rel" "$new" ||
				die "patches/$KVER/overlay.patch patches $rel, not a new file of the repo"
			ported[$rel]=1
			mkdir -p "$(dirname "$stage.new/$rel")"
			cp "$TOP/$rel" "$stage.new/$rel"
		done < <(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$bp")
		(cd "$stage.new" && patch -p1 -s -F0 --forward --no-backup-if-mismatch <"$bp") ||
			die "patches/$KVER/overlay.patch does not apply to the repo's new files: port the change to $KVER in it"
	fi
	# Remove the links and copies of files that left the repo.
	if [ -f "$manifest" ]; then
		comm -23 "$manifest" "$new" | while read -r rel; do
			rm -f "$KSRC/$rel"
		done
	fi
	while read -r rel; do
		[ -f "$TOP/$rel" ] || continue
		if [ -e "$KSRC/$rel" ] && [ ! -L "$KSRC/$rel" ] &&
		   ! grep -qxF "$rel" "$manifest" 2>/dev/null; then
			die "$rel exists upstream: edit it through a patch in patches/$KVER, not the overlay"
		fi
		mkdir -p "$(dirname "$KSRC/$rel")"
		if [ -n "${ported[$rel]:-}" ]; then
			# A copy, replaced only when it changed (make sees an
			# unchanged file as such); never written through a link.
			if [ -L "$KSRC/$rel" ] || ! cmp -s "$stage.new/$rel" "$KSRC/$rel"; then
				rm -f "$KSRC/$rel"
				cp "$stage.new/$rel" "$KSRC/$rel"
			fi
		else
			ln -sfn "$TOP/$rel" "$KSRC/$rel"
		fi
	done <"$new"
	mv "$new" "$manifest"
	rm -rf "$stage"
	mv "$stage.new" "$stage"
	say "overlay: $(wc -l <"$manifest") new files in the tree, ${#ported[@]} of them backported to $KVER"
}

unpack
check_version
mkdir -p "$KSRC/.drm-shrinker"
update_patches
overlay
