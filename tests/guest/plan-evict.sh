# SPDX-License-Identifier: GPL-2.0
# Eviction run of `make check`: virtio-gpu (3D and 2D) and vgem BOs of
# 1.5 times the guest's memory (tools/check.sh boots it with MEM=1G and
# zswap.enabled=1) evicted through zswap to swap on zram by kswapd and
# direct reclaim, every word read back; Mesa rendering across the
# eviction of its idle BOs by a hog swapping to zram; and glmark2 with
# the patched Mesa under hogs. Booted with kmemleak=off: under this much
# swapping,
# the allocations of zram and of the write-combined BOs' page attributes
# fail often enough to empty kmemleak's pool, which then turns itself off
# (seen in the main boot, by evict-swap and later by
# render-across-eviction); lockdep and the dmesg check still apply.
. "$DS_TOP/tests/guest/plan-lib.sh"

ds_igt drm_shrinker@evict -- --run-subtest 'evict-swap'
ds_igt virtio_gpu_mesa@evict MESA_SHADER_CACHE_DISABLE=true -- \
	--run-subtest render-across-eviction
# A GL application of Debian's, glmark2, with its own output check: with
# the patched Mesa while hogs swap to zram, against the same Mesa without
# the patches (plan-lib.sh says what it checks).
ds_glmark2
