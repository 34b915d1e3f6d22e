#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/KVER/overlay.patch (KVER=6.12 by default here: the
# kernel that is not the main one) from the tree's copies of the new files
# it backports: edit those copies in build/src/linux-source-KVER (tools/
# tree.sh made them; they are plain files, not links), then run this. The
# patch's header (the text before its first diff) is kept; every file
# whose copy equals the repo's drops out of the patch.
KVER=${KVER:-6.12}
. "$(dirname "$0")/lib.sh"

bp=$PATCHES/overlay.patch
[ -f "$bp" ] || die "$bp does not exist: start it by hand (header, then diff -u)"
manifest=$KSRC/.drm-shrinker/overlay
[ -f "$manifest" ] || die "no tree for $KVER: run KVER=$KVER tools/tree.sh first"
# The copies must come from the repo's files as they are now: a tree
# staged from older ones would make every change to them since a revert in
# the regenerated patch. Stage the backport again, as tools/tree.sh does,
# and compare it with the staging the tree was made from.
stage=$KSRC/.drm-shrinker/backport
if grep -q '^+++ b/' "$bp"; then
	[ -d "$stage" ] || die "no $stage: run KVER=$KVER tools/tree.sh first"
	fresh=$(mktemp -d)
	trap 'rm -rf "$fresh"' EXIT
	while read -r rel; do
		grep -qxF "$rel" "$manifest" ||
			die "$bp patches $rel, not a new file of the repo: run KVER=$KVER tools/tree.sh"
		mkdir -p "$(dirname "$fresh/$rel")"
		cp "$TOP/$rel" "$fresh/$rel"
	done < <(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$bp")
	(cd "$fresh" && patch -p1 -s -F0 --forward --no-backup-if-mismatch <"$bp") >/dev/null ||
		die "$bp does not apply to the repo's files: run KVER=$KVER tools/tree.sh for the details"
	if ! diff -r -q "$fresh" "$stage" >&2; then
		die "the $KVER tree's copies were made from other versions of the repo's files" \
			"(above): run KVER=$KVER tools/tree.sh, then make the edits to the copies again"
	fi
	rm -rf "$fresh"
fi
new=$(mktemp)
trap 'rm -f "$new"' EXIT
sed '/^--- a\//,$d' "$bp" >"$new"
n=0
while read -r rel; do
	[ -L "$KSRC/$rel" ] && continue		# linked: the repo's own
	[ -f "$KSRC/$rel" ] || continue
	if ! cmp -s "$TOP/$rel" "$KSRC/$rel"; then
		diff -u --label "a/$rel" --label "b/$rel" "$TOP/$rel" "$KSRC/$rel" >>"$new" || true
		n=$((n + 1))
	fi
done <"$manifest"
mv "$new" "$bp"
trap - EXIT
say "$bp: $n files backported"
