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
