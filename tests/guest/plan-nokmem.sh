# SPDX-License-Identifier: GPL-2.0
# Boot of `make check` with cgroup.memory=nokmem: no cgroup has list_lru
# lists of its own, so the shrinker keeps every BO on the root's lists
# and counts them for global reclaim only. The memcg subtests of
# drm_shrinker must then see the process at its cgroup's limit
# OOM-killed, as without the shrinker, and the sibling's BOs untouched:
# a cgroup's reclaim reaches no BO, its own or another cgroup's.
. "$DS_TOP/tests/guest/plan-lib.sh"

mkdir -p "$OUT/igt"
log "igt drm_shrinker@nokmem (memcg subtests, cgroup.memory=nokmem)"
DRM_SHRINKER_EXPECT_OOM=nokmem "$DS_TOP/build/igt/drm_shrinker" --run-subtest 'memcg-*' \
	>"$OUT/igt/drm_shrinker@nokmem.out" 2>&1
echo $? >"$OUT/igt/drm_shrinker@nokmem.rc"
