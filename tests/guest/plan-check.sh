# SPDX-License-Identifier: GPL-2.0
# Test plan of `make check`, sourced by init.sh in the guest.
# KUnit suites ran at boot (built in); their KTAP is in debugfs.

. "$DS_TOP/tests/guest/plan-lib.sh"

{
	ls -l /dev/dri
	ls -l /sys/class/drm/card*/device/driver
} >"$OUT/devices.txt" 2>&1
ds_kunit_collect
# The memory controller's selftests, with patch 0008's
# test_memcg_reclaim_shrinker: before any BO exists.
ds_kselftest cgroup/test_memcontrol
# First, while the LRU holds no BO of a real device.
ds_module drm_shrinker_bench sizes=1000,10000 rounds=3
ds_smoke_madvise
# Its render-across-eviction subtest swaps to zram under a hog: it runs in
# the eviction boot (plan-evict.sh says why). First with the system's Mesa
# (22.3.6), whose BO cache marks nothing DONTNEED (cache-purged skips and
# says so), then with Mesa 25.0.7 with the virgl madvise patches of mesa/,
# where cache-purged must pass (expect-KVER.txt).
ds_igt virtio_gpu_mesa MESA_SHADER_CACHE_DISABLE=true \
	LD_PRELOAD="$DS_TOP/build/igt/ds-madvcount.so" -- \
	--run-subtest '*,!render-across-eviction'
ds_igt virtio_gpu_mesa@patched-mesa $(ds_mesa_env) MESA_SHADER_CACHE_DISABLE=true -- \
	--run-subtest '*,!render-across-eviction'
ds_igt drm_shrinker_stress DRM_SHRINKER_SOAK_SECONDS=${DS_SOAK_SECONDS:-60} \
	DRM_SHRINKER_UNPLUG_SECONDS=${DS_UNPLUG_SECONDS:-30} DRM_SHRINKER_UNPLUGS=2 \
	DRM_SHRINKER_REMOVE_SECONDS=30 DRM_SHRINKER_REMOVALS=2
# Last: its unbind subtest unplugs and rebinds virtio-gpu #2. Eviction of
# 1.5 times the guest's memory has a boot of its own (plan-evict.sh).
ds_igt drm_shrinker -- --run-subtest '*,!evict-swap'
