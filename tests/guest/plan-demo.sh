# SPDX-License-Identifier: GPL-2.0
# Plan of `make demo`, sourced by init.sh in the guest: show the DRM
# devices and the shrinker debugfs entries.
{
	echo "DRM devices:"
	for c in /sys/class/drm/card[0-9]*; do
		[ -e "$c/device" ] || continue
		printf '  %s: %s\n' "$(basename "$c")" \
			"$(cat "$c/device/uevent" 2>/dev/null | sed -n 's/^DRIVER=//p;s/^OF_NAME=//p' | head -n1)"
	done
	ls /dev/dri | sed 's/^/  \/dev\/dri\//'
	echo "Shrinkers in /sys/kernel/debug/shrinker:"
	for s in /sys/kernel/debug/shrinker/*/; do
		printf '  %-40s count=%s\n' "$(basename "$s")" \
			"$(awk '{n += $2} END {print n + 0}' "$s/count" 2>/dev/null)"
	done
} | tee "$OUT/demo.txt" | sed 's/^/ds: /'
