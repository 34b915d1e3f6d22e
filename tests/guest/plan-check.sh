# SPDX-License-Identifier: GPL-2.0
# Test plan of `make check`, sourced by init.sh in the guest.
# KUnit suites ran at boot (built in); their KTAP is in debugfs.

ds_kunit_collect() {
	mkdir -p "$OUT/kunit"
	for d in /sys/kernel/debug/kunit/*/; do
		s=$(basename "$d")
		cp "$d/results" "$OUT/kunit/$s.ktap"
	done
	log "kunit: $(ls "$OUT/kunit" | wc -l) suites collected"
}

# ds_igt NAME[@LABEL] [ENV=VALUE...]: run build/igt/NAME, keep its output
# and exit code as NAME@LABEL.
ds_igt() {
	label=$1
	shift
	mkdir -p "$OUT/igt"
	log "igt $label $*"
	env "$@" "$DS_TOP/build/igt/${label%@*}" >"$OUT/igt/$label.out" 2>&1
	echo $? >"$OUT/igt/$label.rc"
}

# The card nodes of the virtio-gpu devices (their parent is the virtio-pci
# device), in card order.
ds_virtio_cards() {
	for c in /sys/class/drm/card*; do
		case "$(basename "$c")" in *-*) continue ;; esac
		drv=$(readlink "$c/device/driver")
		[ "${drv##*/}" = virtio-pci ] && echo "/dev/dri/$(basename "$c")"
	done
}

{
	ls -l /dev/dri
	ls -l /sys/class/drm/card*/device/driver
} >"$OUT/devices.txt" 2>&1
ds_kunit_collect
ds_igt drm_smoke IGT_DRM_EXPECT="virtio_gpu virtio_gpu vgem"
i=0
for card in $(ds_virtio_cards); do
	ds_igt virtio_gpu_madvise@virtio$i IGT_VIRTGPU_CARD="$card"
	i=$((i + 1))
done
ds_igt virtio_gpu_mesa MESA_SHADER_CACHE_DISABLE=true
ds_igt drm_shrinker_stress DRM_SHRINKER_SOAK_SECONDS=${DS_SOAK_SECONDS:-60}
# Last: its unbind subtest unplugs and rebinds virtio-gpu #2.
ds_igt drm_shrinker
