#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Export the whole change as a `git format-patch` series against the
# pristine base, into build/series/, and prove it with `git am` on a fresh
# copy of the base.
#
# The base is a git repo of the unpacked Debian linux-source-6.12
# (build/base.git, made once). Each patch of patches/series becomes one
# commit: the patch itself, plus the new files that patches/files assigns
# to it (new files live whole in this repo, outside the quilt series).
. "$(dirname "$0")/lib.sh"

BASE=$BUILD/base.git
WORK=$BUILD/series-work
OUTDIR=$BUILD/series
TARBALL_NAME=$(basename "$TARBALL")

git_q() { git -c user.name=drm-shrinker -c user.email=dri-devel@lists.freedesktop.org \
	-c commit.gpgsign=false "$@"; }

make_base() {
	[ -d "$BASE/.git" ] && return 0
	say "making the base repo from $TARBALL_NAME (once)"
	rm -rf "$BASE" "$BASE.tmp"
	mkdir -p "$BASE.tmp"
	tar -C "$BASE.tmp" -xJf "$TARBALL" --strip-components=1
	(cd "$BASE.tmp" && git_q init -q -b base && git_q add -f -A . &&
	 GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
	 git_q commit -q -m "Linux $(make -s kernelversion) (Debian linux-source-6.12)")
	mv "$BASE.tmp" "$BASE"
}

# Every new file must belong to exactly one patch.
check_files_map() {
	local map=$TOP/patches/files unlisted
	unlisted=$(cd "$TOP" && git ls-files --cached --others --exclude-standard \
		drivers include Documentation | while read -r f; do
			awk -v f="$f" '$2 == f {found = 1} END {exit !found}' "$map" 2>/dev/null || echo "$f"
		done)
	[ -z "$unlisted" ] || die "new files not assigned to a patch in patches/files: $unlisted"
}

make_base
check_files_map
rm -rf "$WORK" "$OUTDIR"
git clone -q "$BASE" "$WORK"
cd "$WORK"
while read -r p; do
	case "$p" in ''|\#*) continue ;; esac
	git_q apply --index "$TOP/patches/$p" || die "$p does not apply"
	awk -v p="$p" '$1 == p {print $2}' "$TOP/patches/files" 2>/dev/null |
	while read -r f; do
		mkdir -p "$(dirname "$f")"
		cp "$TOP/$f" "$f"
		git add -f "$f"
	done
	author=$(sed -n 's/^From: //p;/^$/q' "$TOP/patches/$p" | head -n1)
	# The message: Subject (less [PATCH]) and the body up to '---'.
	msg=$(awk 'BEGIN {h = 1}
		h && /^Subject: / {sub(/^Subject: (\[PATCH[^]]*\] )?/, ""); print; next}
		h && /^$/ {h = 0; print ""; next}
		!h && /^---$/ {exit}
		!h {print}' "$TOP/patches/$p")
	GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
		git_q commit -q --author="$author" -m "$msg"
done <"$TOP/patches/series"
mkdir -p "$OUTDIR"
git format-patch -q --no-signature -o "$OUTDIR" origin/base..HEAD
say "series: $(ls "$OUTDIR" | wc -l) patches in $OUTDIR"

# Prove it: git am on a fresh clone of the base.
rm -rf "$WORK.am"
git clone -q "$BASE" "$WORK.am"
(cd "$WORK.am" && git_q am -q "$OUTDIR"/*.patch) || die "git am of the series failed"
[ "$(cd "$WORK.am" && git rev-parse HEAD^{tree})" = "$(git rev-parse HEAD^{tree})" ] ||
	die "git am produced a different tree"
rm -rf "$WORK.am"
say "git am of $(ls "$OUTDIR" | wc -l) patches on the pristine base: OK"
