#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure $KOBJ as allnoconfig + the fragments given as arguments, then
# verify that every option the fragments ask for really is set: Kconfig
# silently drops an option whose dependencies are not met.
. "$(dirname "$0")/lib.sh"

(($# > 0)) || die "usage: $0 FRAGMENT..."
mkdir -p "$KOBJ"
merged=$KOBJ/.drm-shrinker.fragment
cat "$@" >"$merged.new"
if [ -f "$KOBJ/.config" ] && cmp -s "$merged.new" "$merged"; then
	kmake -s olddefconfig
else
	kmake -s allnoconfig KCONFIG_ALLCONFIG="$merged.new"
	mv "$merged.new" "$merged"
fi
rm -f "$merged.new"

bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n)
		opt=${line%%=*}
		if grep -q "^$opt=" "$KOBJ/.config"; then
			echo "  $opt: wanted n, got $(grep "^$opt=" "$KOBJ/.config")" >&2
			bad=1
		fi ;;
	CONFIG_*=*)
		if ! grep -qxF "$line" "$KOBJ/.config"; then
			opt=${line%%=*}
			echo "  $opt: wanted ${line#*=}, got $(grep "^$opt=" "$KOBJ/.config" || echo 'not set')" >&2
			bad=1
		fi ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$KOBJ/.config"; then
			echo "  $opt: wanted not set, got $(grep "^$opt=" "$KOBJ/.config")" >&2
			bad=1
		fi ;;
	esac
done < <(cat "$@")
((bad == 0)) || die "kernel config does not hold what $* ask for (dependencies missing?)"
say "config verified: $(cat "$@" | grep -c '^CONFIG_\|^# CONFIG_.* is not set') options hold"
