# SPDX-License-Identifier: GPL-2.0
# NUMA run of `make check`: a guest with two nodes (tools/guest.sh with
# NUMA=2), where the drm_shrinker numa subtest binds BOs to each node and
# scans one node at a time.
. "$DS_TOP/tests/guest/plan-lib.sh"

mkdir -p "$OUT/igt"
log "igt drm_shrinker@numa ($(ls -d /sys/devices/system/node/node* | wc -l) nodes)"
"$DS_TOP/build/igt/drm_shrinker" --run-subtest numa \
	>"$OUT/igt/drm_shrinker@numa.out" 2>&1
echo $? >"$OUT/igt/drm_shrinker@numa.rc"
