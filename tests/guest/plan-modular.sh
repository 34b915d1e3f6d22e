# SPDX-License-Identifier: GPL-2.0
# Plan of make check's modular boot: the kernel of build/obj-modular, with
# DRM, the GEM shmem helpers, virtio-gpu and vgem as modules, loaded here
# from the build (installed into build/obj-modular/mods by tools/builds.sh)
# with their dependencies, as a distribution's kernel loads them; then the
# DRM shrinker's KUnit suite as a module, and the smoke and madvise tests.
. "$DS_TOP/tests/guest/plan-lib.sh"

mods=$DS_TOP/$DS_KOBJ/mods
mkdir -p "$OUT/module"
log "modprobe from $mods"
{
	modprobe -d "$mods" -a virtio_gpu vgem && modprobe -d "$mods" drm_shrinker_test
} >"$OUT/module/modprobe.err" 2>&1
echo $? >"$OUT/module/modprobe.rc"
{
	cat "$OUT/module/modprobe.err"
	lsmod
	echo "loaded: $(lsmod | awk 'NR > 1 {print $1}' | sort | paste -sd' ')"
} >"$OUT/module/modprobe.out"
ds_kunit_collect
ds_smoke_madvise
