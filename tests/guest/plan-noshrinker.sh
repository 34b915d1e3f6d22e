# SPDX-License-Identifier: GPL-2.0
# Control run of `make check`, booted with drm.shrinker=0: the memcg
# subtests of drm_shrinker must now see the process at its cgroup's limit
# OOM-killed, which shows that they can fail.
. "$DS_TOP/tests/guest/plan-lib.sh"

mkdir -p "$OUT/igt"
log "igt drm_shrinker@noshrinker (memcg subtests, drm.shrinker=0)"
DRM_SHRINKER_EXPECT_OOM=1 "$DS_TOP/build/igt/drm_shrinker" --run-subtest 'memcg-*' \
	>"$OUT/igt/drm_shrinker@noshrinker.out" 2>&1
echo $? >"$OUT/igt/drm_shrinker@noshrinker.rc"
