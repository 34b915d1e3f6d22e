# SPDX-License-Identifier: GPL-2.0
# Test plan of `make stress`, sourced by init.sh in the guest: the
# reliability suite at full length (tools/stress.sh sets the lengths).
. "$DS_TOP/tests/guest/plan-lib.sh"

ds_igt drm_shrinker_stress DRM_SHRINKER_SOAK_SECONDS=${DS_SOAK_SECONDS:-600} \
	DRM_SHRINKER_SOAK_PROCS=${DS_SOAK_PROCS:-3} \
	DRM_SHRINKER_UNPLUG_SECONDS=${DS_UNPLUG_SECONDS:-120} \
	DRM_SHRINKER_UNPLUGS=${DS_UNPLUGS:-6} \
	DRM_SHRINKER_REMOVE_SECONDS=${DS_UNPLUG_SECONDS:-120} \
	DRM_SHRINKER_REMOVALS=${DS_UNPLUGS:-6}
