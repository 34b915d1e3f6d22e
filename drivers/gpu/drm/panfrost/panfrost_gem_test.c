// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of Panfrost BOs on the DRM shrinker, without a GPU: real
 * Panfrost BOs and object funcs on a fake device, with GPU mappings that
 * live in a fake address space (inactive, so tearing them down touches no
 * hardware). Scans run inside a simulated reclaim context, so lockdep
 * checks the purge path against memory allocation.
 */

#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>

#include <kunit/device.h>
#include <kunit/test.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_mm.h>
#include <drm/drm_shrinker.h>
#include <drm/panfrost_drm.h>

#include "panfrost_device.h"
#include "panfrost_gem.h"
#include "panfrost_job.h"
#include "panfrost_gem_test.h"

static const struct drm_driver panfrost_test_driver = {
	.driver_features = DRIVER_GEM,
	.gem_create_object = panfrost_gem_create_object,
};

/* No SoC quirk: panfrost_mmu_ctx_create() reads them. */
static const struct panfrost_compatible panfrost_test_compatible = {};

KUNIT_DEFINE_ACTION_WRAPPER(panfrost_test_shrinker_destroy, drm_shrinker_destroy,
			    struct drm_shrinker *);

static void panfrost_test_mmu_fini(void *data)
{
	struct panfrost_mmu *mmu = data;

	drm_mm_takedown(&mmu->mm);
}

int panfrost_test_init(struct kunit *test)
{
	struct panfrost_test *t;
	struct device *parent;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	/* Destroyed last: kunit actions run in reverse order. */
	t->shrinker = drm_shrinker_create("panfrost-kunit");
	KUNIT_ASSERT_NOT_NULL(test, t->shrinker);
	ret = kunit_add_action_or_reset(test, panfrost_test_shrinker_destroy,
					t->shrinker);
	KUNIT_ASSERT_EQ(test, ret, 0);
	parent = kunit_device_register(test, "panfrost-test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, parent);
	KUNIT_ASSERT_EQ(test, dma_set_mask(parent, DMA_BIT_MASK(64)), 0);
	/* The Panfrost device embeds its DRM device, as the driver's does. */
	t->pfdev = drm_kunit_helper_alloc_drm_device_with_driver(test, parent,
								 struct panfrost_device,
								 base,
								 &panfrost_test_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->pfdev);
	t->drm = &t->pfdev->base;
	drm_shrinker_dev_use(t->drm, t->shrinker);

	t->pfdev->comp = &panfrost_test_compatible;
	t->pfdev->coherent = true;
	spin_lock_init(&t->pfdev->as_lock);
#ifdef CONFIG_DEBUG_FS
	/* Every BO the driver creates is listed there. */
	mutex_init(&t->pfdev->debugfs.gems_lock);
	INIT_LIST_HEAD(&t->pfdev->debugfs.gems_list);
#endif

	t->mmu = kunit_kzalloc(test, sizeof(*t->mmu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->mmu);
	t->mmu->pfdev = t->pfdev;
	spin_lock_init(&t->mmu->mm_lock);
	drm_mm_init(&t->mmu->mm, 0, SZ_1G >> PAGE_SHIFT);
	ret = kunit_add_action_or_reset(test, panfrost_test_mmu_fini, t->mmu);
	KUNIT_ASSERT_EQ(test, ret, 0);

	test->priv = t;
	return 0;
}

static void panfrost_test_bo_put(void *data)
{
	struct panfrost_gem_object *bo = data;
	struct panfrost_gem_mapping *mapping, *next;

	/* The mappings are the test's own: unlist them first. */
	mutex_lock(&bo->mappings.lock);
	list_for_each_entry_safe(mapping, next, &bo->mappings.list, node) {
		list_del(&mapping->node);
		spin_lock(&mapping->mmu->mm_lock);
		if (drm_mm_node_allocated(&mapping->mmnode))
			drm_mm_remove_node(&mapping->mmnode);
		spin_unlock(&mapping->mmu->mm_lock);
		kfree(mapping);
	}
	mutex_unlock(&bo->mappings.lock);
	drm_gem_object_put(&bo->base.base);
}

/*
 * A BO with pages and one inactive GPU mapping in the address space of
 * @mmu, put at test exit.
 */
struct panfrost_gem_object *
panfrost_test_bo_in(struct kunit *test, struct panfrost_mmu *mmu, size_t size,
		    u32 flags, struct panfrost_gem_mapping **mapping)
{
	struct panfrost_gem_object *bo;
	struct panfrost_gem_mapping *m;
	int ret;

	bo = panfrost_gem_create(&mmu->pfdev->base, size, flags);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	ret = kunit_add_action_or_reset(test, panfrost_test_bo_put, bo);
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (!(flags & PANFROST_BO_HEAP))
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm_gem_shmem_get_pages_sgt(&bo->base));

	/* Freed by panfrost_test_bo_put(), once unlisted. */
	m = kzalloc_obj(*m);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->obj = bo;
	m->mmu = mmu;
	kref_init(&m->refcount);
	mutex_lock(&bo->mappings.lock);
	list_add_tail(&m->node, &bo->mappings.list);
	mutex_unlock(&bo->mappings.lock);
	spin_lock(&mmu->mm_lock);
	ret = drm_mm_insert_node(&mmu->mm, &m->mmnode, size >> PAGE_SHIFT);
	spin_unlock(&mmu->mm_lock);
	KUNIT_ASSERT_EQ(test, ret, 0);

	*mapping = m;
	return bo;
}

/* A BO with pages and one inactive mapping in the fake address space. */
struct panfrost_gem_object *panfrost_test_bo(struct kunit *test, size_t size,
					     u32 flags,
					     struct panfrost_gem_mapping **mapping)
{
	struct panfrost_test *t = test->priv;

	return panfrost_test_bo_in(test, t->mmu, size, flags, mapping);
}

static bool panfrost_test_madvise(struct panfrost_gem_object *bo, int madv)
{
	bool retained;

	dma_resv_lock(bo->base.base.resv, NULL);
	retained = drm_gem_shmem_madvise_locked(&bo->base, madv);
	dma_resv_unlock(bo->base.base.resv);
	return retained;
}

/*
 * A scan as memory reclaim runs it: drm_shrinker_scan() runs the purge
 * callbacks inside fs_reclaim_acquire(), so lockdep sees the reclaim
 * context.
 */
unsigned long panfrost_test_reclaim(struct kunit *test)
{
	struct panfrost_test *t = test->priv;

	return drm_shrinker_scan(t->shrinker, ULONG_MAX, GFP_KERNEL);
}

/*
 * A DONTNEED Panfrost BO is purged by the DRM shrinker: its GPU mappings
 * are torn down and its pages freed, in reclaim context.
 */
static void panfrost_test_purge(struct kunit *test)
{
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;

	bo = panfrost_test_bo(test, 4 * PAGE_SIZE, 0, &mapping);
	KUNIT_EXPECT_TRUE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_TRUE(test, panfrost_test_madvise(bo, PANFROST_MADV_DONTNEED));
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&bo->base.base));

	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 4);
	KUNIT_EXPECT_FALSE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_EQ(test, bo->base.madv, -1);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_NULL(test, bo->base.sgt);
	KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&bo->base.base));
	KUNIT_EXPECT_FALSE(test, panfrost_test_madvise(bo, PANFROST_MADV_WILLNEED));
}

/* A BO marked WILLNEED again keeps its pages and its GPU mapping. */
static void panfrost_test_willneed_kept(struct kunit *test)
{
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;

	bo = panfrost_test_bo(test, 2 * PAGE_SIZE, 0, &mapping);
	panfrost_test_madvise(bo, PANFROST_MADV_DONTNEED);
	KUNIT_EXPECT_TRUE(test, panfrost_test_madvise(bo, PANFROST_MADV_WILLNEED));

	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 0);
	KUNIT_EXPECT_TRUE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_NOT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_WILLNEED);
}

/* A heap BO is never purged, even on the list: its callback refuses. */
static void panfrost_test_heap_never_purged(struct kunit *test)
{
	struct panfrost_test *t = test->priv;
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *heap;
	struct drm_shrinker_stats stats;

	heap = panfrost_test_bo(test, SZ_2M, PANFROST_BO_HEAP, &mapping);
	panfrost_test_madvise(heap, PANFROST_MADV_DONTNEED);

	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 0);
	KUNIT_EXPECT_TRUE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_EQ(test, heap->base.madv, PANFROST_MADV_DONTNEED);
	/* Its pages come with GPU faults: none yet, so nothing is counted. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_count(t->shrinker), 0);
	drm_shrinker_read_stats(NULL, t->drm, &stats);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 0);

	/* What the madvise ioctl does for heap BOs: keep them off the list. */
	dma_resv_lock(heap->base.base.resv, NULL);
	drm_shrinker_remove_locked(&heap->base.base);
	dma_resv_unlock(heap->base.base.resv);
	KUNIT_EXPECT_EQ(test, drm_shrinker_count(t->shrinker), 0);
}

/* A file of the fake device, holding no handle yet. */
struct panfrost_test_file {
	struct drm_file file;
	struct panfrost_file_priv priv;
};

static void panfrost_test_file_fini(void *data)
{
	struct drm_file *file = data;
	struct drm_gem_object *obj;
	int handle;

	idr_for_each_entry(&file->object_idr, obj, handle)
		drm_gem_object_put(obj);
	idr_destroy(&file->object_idr);
}

struct drm_file *panfrost_test_file(struct kunit *test)
{
	struct panfrost_test *t = test->priv;
	struct panfrost_test_file *f;
	int ret;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	idr_init_base(&f->file.object_idr, 1);
	spin_lock_init(&f->file.table_lock);
	f->priv.pfdev = t->pfdev;
	f->priv.mmu = t->mmu;
	f->file.driver_priv = &f->priv;
	ret = kunit_add_action_or_reset(test, panfrost_test_file_fini, &f->file);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return &f->file;
}

/* A handle to @bo in @file, as GEM_OPEN would give one. */
static u32 panfrost_test_handle(struct kunit *test, struct drm_file *file,
				struct panfrost_gem_object *bo)
{
	int handle;

	drm_gem_object_get(&bo->base.base);
	spin_lock(&file->table_lock);
	handle = idr_alloc(&file->object_idr, &bo->base.base, 1, 0, GFP_NOWAIT);
	spin_unlock(&file->table_lock);
	if (handle < 0)
		drm_gem_object_put(&bo->base.base);
	KUNIT_ASSERT_GT(test, handle, 0);
	return handle;
}

static u32 panfrost_test_rand(u32 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/*
 * DRM_IOCTL_PANFROST_MADVISE with its fields at boundary and random values,
 * handles that exist only in another file and handles that do not exist:
 * each call gets 0, -EINVAL (madv neither WILLNEED nor DONTNEED) or -ENOENT,
 * and a failed call leaves the BO as it was.
 */
static void panfrost_test_madvise_ioctl_hostile(struct kunit *test)
{
	static const u32 values[] = {
		0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};
	struct panfrost_test *t = test->priv;
	struct drm_file *file = panfrost_test_file(test);
	struct drm_file *other = panfrost_test_file(test);
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;
	u32 mine, theirs, seed = 1;
	unsigned int h, m, r, i;

	bo = panfrost_test_bo(test, 2 * PAGE_SIZE, 0, &mapping);
	mine = panfrost_test_handle(test, file, bo);
	/* Valid in the other file only. */
	panfrost_test_handle(test, other, bo);
	theirs = panfrost_test_handle(test, other, bo);
	KUNIT_ASSERT_NE(test, mine, theirs);

	for (h = 0; h < ARRAY_SIZE(values) + 2; h++) {
		u32 handle = h < ARRAY_SIZE(values) ? values[h] :
			     h == ARRAY_SIZE(values) ? mine : theirs;

		for (m = 0; m < ARRAY_SIZE(values); m++) {
			for (r = 0; r < 2; r++) {
				struct drm_panfrost_madvise args = {
					.handle = handle, .madv = values[m],
					.retained = r ? 0xffffffff : 0,
				};
				struct drm_gem_object *obj = &bo->base.base;
				bool was = drm_shrinker_is_purgeable(obj);
				int madv = bo->base.madv, want, ret;

				if (args.madv > PANFROST_MADV_DONTNEED)
					want = -EINVAL;
				else if (handle != mine)
					want = -ENOENT;
				else
					want = 0;
				ret = panfrost_ioctl_madvise(t->drm, &args, file);
				KUNIT_EXPECT_EQ_MSG(test, ret, want,
						    "handle %#x madv %#x", handle, args.madv);
				if (ret) {
					KUNIT_EXPECT_EQ(test, bo->base.madv, madv);
					KUNIT_EXPECT_EQ(test, drm_shrinker_is_purgeable(obj), was);
					continue;
				}
				KUNIT_EXPECT_EQ(test, args.retained, 1);
				KUNIT_EXPECT_EQ(test, bo->base.madv, (int)args.madv);
				KUNIT_EXPECT_EQ(test, drm_shrinker_is_purgeable(obj),
						args.madv == PANFROST_MADV_DONTNEED);
			}
		}
	}
	for (i = 0; i < 1000; i++) {
		struct drm_panfrost_madvise args = {
			.handle = panfrost_test_rand(&seed) % 4 ? panfrost_test_rand(&seed) : mine,
			.madv = panfrost_test_rand(&seed) % 4 ? panfrost_test_rand(&seed) :
				panfrost_test_rand(&seed) % 2,
			.retained = panfrost_test_rand(&seed),
		};
		int ret = panfrost_ioctl_madvise(t->drm, &args, file);

		KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -EINVAL || ret == -ENOENT,
				      "handle %#x madv %#x: %d", args.handle, args.madv, ret);
		KUNIT_EXPECT_GE(test, bo->base.madv, 0);
	}
	/* Never purged by any of it, and a WILLNEED BO is never purged. */
	KUNIT_EXPECT_NOT_NULL(test, bo->base.pages);
	panfrost_test_madvise(bo, PANFROST_MADV_WILLNEED);
	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 0);
	KUNIT_EXPECT_TRUE(test, drm_mm_node_allocated(&mapping->mmnode));
}

/* SUBMIT's rule for the job's BOs, checked under the BO's reservation lock. */
int panfrost_test_job_use(struct panfrost_gem_object *bo)
{
	struct drm_gem_object *bos[] = { &bo->base.base };
	struct panfrost_job job = { .bos = bos, .bo_count = ARRAY_SIZE(bos) };
	int ret;

	dma_resv_lock(bo->base.base.resv, NULL);
	ret = panfrost_job_use_bos_locked(&job);
	dma_resv_unlock(bo->base.base.resv);
	return ret;
}

/*
 * A job may only use WILLNEED BOs: SUBMIT fails with -EINVAL for a BO that
 * is DONTNEED or purged (documented in panfrost_drm.h), and accepts it
 * again once it is WILLNEED with its pages.
 */
static void panfrost_test_submit_needs_willneed(struct kunit *test)
{
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo, *gone;

	bo = panfrost_test_bo(test, 2 * PAGE_SIZE, 0, &mapping);
	KUNIT_EXPECT_EQ(test, panfrost_test_job_use(bo), 0);
	panfrost_test_madvise(bo, PANFROST_MADV_DONTNEED);
	KUNIT_EXPECT_EQ(test, panfrost_test_job_use(bo), -EINVAL);
	KUNIT_EXPECT_TRUE(test, panfrost_test_madvise(bo, PANFROST_MADV_WILLNEED));
	KUNIT_EXPECT_EQ(test, panfrost_test_job_use(bo), 0);

	gone = panfrost_test_bo(test, 2 * PAGE_SIZE, 0, &mapping);
	panfrost_test_madvise(gone, PANFROST_MADV_DONTNEED);
	KUNIT_ASSERT_EQ(test, panfrost_test_reclaim(test), 2);
	KUNIT_EXPECT_FALSE(test, panfrost_test_madvise(gone, PANFROST_MADV_WILLNEED));
	KUNIT_EXPECT_EQ(test, panfrost_test_job_use(gone), -EINVAL);
}

/*
 * A purge that cannot succeed now tears nothing down: a vmapped BO (the
 * shmem helper refuses it) and a BO whose mappings lock is held elsewhere
 * (only trylocked in reclaim) keep their pages and their GPU mapping, and
 * are purged once that is over.
 */
static void panfrost_test_refused_purge_keeps_mappings(struct kunit *test)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;
	struct iosys_map map;

	bo = panfrost_test_bo(test, 2 * PAGE_SIZE, 0, &mapping);
	dma_resv_lock(bo->base.base.resv, NULL);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_vmap_locked(&bo->base, &map), 0);
	dma_resv_unlock(bo->base.base.resv);
	panfrost_test_madvise(bo, PANFROST_MADV_DONTNEED);

	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 0);
	KUNIT_EXPECT_TRUE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_NOT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&bo->base.base));

	dma_resv_lock(bo->base.base.resv, NULL);
	drm_gem_shmem_vunmap_locked(&bo->base, &map);
	dma_resv_unlock(bo->base.base.resv);

	/* The callback itself, as if another thread held the lock. */
	dma_resv_lock(bo->base.base.resv, NULL);
	mutex_lock(&bo->mappings.lock);
	KUNIT_EXPECT_EQ(test, bo->base.base.funcs->purge(&bo->base.base, &sc),
			-EBUSY);
	mutex_unlock(&bo->mappings.lock);
	dma_resv_unlock(bo->base.base.resv);
	KUNIT_EXPECT_TRUE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_NOT_NULL(test, bo->base.pages);

	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 2);
	KUNIT_EXPECT_FALSE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_NULL(test, bo->base.pages);
}

static struct kunit_case panfrost_shrinker_tests[] = {
	KUNIT_CASE(panfrost_test_purge),
	KUNIT_CASE(panfrost_test_willneed_kept),
	KUNIT_CASE(panfrost_test_heap_never_purged),
	KUNIT_CASE(panfrost_test_madvise_ioctl_hostile),
	KUNIT_CASE(panfrost_test_submit_needs_willneed),
	KUNIT_CASE(panfrost_test_refused_purge_keeps_mappings),
	{}
};

static struct kunit_suite panfrost_shrinker_suite = {
	.name = "panfrost_shrinker",
	.init = panfrost_test_init,
	.test_cases = panfrost_shrinker_tests,
};

kunit_test_suite(panfrost_shrinker_suite);

/* The DRM shrinker's test interface; these tests are part of the module. */
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
