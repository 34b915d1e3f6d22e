/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of Panfrost's KUnit suites (panfrost_gem_test.c): real
 * Panfrost BOs on a fake device, without a GPU.
 */
#ifndef __PANFROST_GEM_TEST_H__
#define __PANFROST_GEM_TEST_H__

#include <linux/types.h>

struct drm_device;
struct drm_file;
struct drm_shrinker;
struct kunit;
struct panfrost_device;
struct panfrost_gem_mapping;
struct panfrost_gem_object;
struct panfrost_mmu;

/* What panfrost_test_init() sets up, in &kunit.priv. */
struct panfrost_test {
	/* A DRM shrinker of the test's own: reclaim never calls it. */
	struct drm_shrinker *shrinker;
	struct drm_device *drm;
	struct panfrost_device *pfdev;
	/* A fake GPU address space for the BOs' mappings. */
	struct panfrost_mmu *mmu;
};

int panfrost_test_init(struct kunit *test);
struct panfrost_gem_object *
panfrost_test_bo_in(struct kunit *test, struct panfrost_mmu *mmu, size_t size,
		    u32 flags, struct panfrost_gem_mapping **mapping);
struct panfrost_gem_object *panfrost_test_bo(struct kunit *test, size_t size,
					     u32 flags,
					     struct panfrost_gem_mapping **mapping);
unsigned long panfrost_test_reclaim(struct kunit *test);
struct drm_file *panfrost_test_file(struct kunit *test);
int panfrost_test_job_use(struct panfrost_gem_object *bo);

#endif
