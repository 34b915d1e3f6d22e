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

# ds_igt NAME [ENV=VALUE...]: run build/igt/NAME, keep its output and rc.
ds_igt() {
	name=$1
	shift
	mkdir -p "$OUT/igt"
	log "igt $name"
	env "$@" "$DS_TOP/build/igt/$name" >"$OUT/igt/$name.out" 2>&1
	echo $? >"$OUT/igt/$name.rc"
}

ls -l /dev/dri >"$OUT/devices.txt" 2>&1
ds_kunit_collect
ds_igt drm_smoke IGT_DRM_EXPECT="virtio_gpu virtio_gpu vgem"
