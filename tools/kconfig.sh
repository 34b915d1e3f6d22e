#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure $KOBJ as allnoconfig + the fragments given as arguments (and
# tests/config/kernel-KVER.config if there is one), then
# verify that every option the fragments ask for really is set: Kconfig
# silently drops an option whose dependencies are not met.
. "$(dirname "$0")/lib.sh"

(($# > 0)) || die "usage: $0 FRAGMENT..."
# What this kernel's guest configs add: tests/config/kernel-KVER.config,
# for configs with KUnit (the guest's and its variants, not arm64.config),
# right after the first fragment, so that a variant's own fragment
# (no-swap.config) overrides it. grep reads the files itself: in a pipe
# under pipefail, cat could die of SIGPIPE once grep -q had its match.
kfrag=$TOP/tests/config/kernel-$KVER.config
if [ -f "$kfrag" ] && grep -qx 'CONFIG_KUNIT=y' "$@"; then
	set -- "$1" "$kfrag" "${@:2}"
fi
mkdir -p "$KOBJ"
merged=$KOBJ/.drm-shrinker.fragment
# The kernel's version first: a dir another kernel configured starts over.
{ echo "# KVER=$KVER"; cat "$@"; } >"$merged.new"
if [ -f "$KOBJ/.config" ] && cmp -s "$merged.new" "$merged"; then
	kmake -s olddefconfig
else
	kmake -s allnoconfig KCONFIG_ALLCONFIG="$merged.new"
	mv "$merged.new" "$merged"
fi
rm -f "$merged.new"

# What the fragments ask for; a later fragment overrides an earlier one.
declare -A want=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) want[${line%%=*}]=${line#*=} ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; want[${opt%% *}]=n ;;
	esac
done < <(cat "$@")

verify() {
	local bad=0 opt got
	for opt in "${!want[@]}"; do
		got=$(grep "^$opt=" "$KOBJ/.config" | cut -d= -f2- || true)
		if [ "${want[$opt]}" = n ]; then
			[ -z "$got" ] && continue
		elif [ "$got" = "${want[$opt]}" ]; then
			continue
		fi
		echo "  $opt: wanted ${want[$opt]}, got ${got:-not set}" >&2
		bad=1
	done
	return $bad
}

if ! verify 2>/dev/null; then
	# An old .config (from another source state) may have dropped
	# options: start over from allnoconfig once, then verify for real.
	kmake -s allnoconfig KCONFIG_ALLCONFIG="$merged"
fi
verify || die "kernel config does not hold what $* ask for (dependencies missing?)"
say "config verified: ${#want[@]} options hold"
