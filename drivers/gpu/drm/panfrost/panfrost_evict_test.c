// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the eviction of Panfrost BOs by the DRM shrinker,
 * without a GPU: BOs on the fake device of panfrost_gem_test.c, mapped in
 * a real Mali page table that lives in memory, with no address space
 * active, so that nothing touches hardware.
 */

#include <linux/highmem.h>
#include <linux/io-pgtable.h>
#include <linux/sizes.h>

#include <kunit/test.h>

#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>
#include <drm/drm_shrinker.h>
#include <drm/panfrost_drm.h>

#include "panfrost_device.h"
#include "panfrost_gem.h"
#include "panfrost_gem_test.h"
#include "panfrost_mmu.h"

KUNIT_DEFINE_ACTION_WRAPPER(panfrost_test_obj_put, drm_gem_object_put,
			    struct drm_gem_object *);

static void panfrost_test_mmu_put(void *data)
{
	panfrost_mmu_ctx_put(data);
}

/* Word @w of page @p of the eviction test's BO. */
static u32 panfrost_test_word(unsigned long p, unsigned int w)
{
	return 0x9f000000 ^ (p << 12) ^ w;
}

/* The words of @bo's pages that are not panfrost_test_word()'s. */
static unsigned long panfrost_test_mismatches(struct panfrost_gem_object *bo,
					      bool fill)
{
	unsigned long p, bad = 0;
	unsigned int w;

	for (p = 0; p < bo->base.base.size >> PAGE_SHIFT; p++) {
		u32 *words = kmap_local_page(bo->base.pages[p]);

		for (w = 0; w < PAGE_SIZE / sizeof(u32); w++) {
			if (fill)
				words[w] = panfrost_test_word(p, w);
			bad += words[w] != panfrost_test_word(p, w);
		}
		kunmap_local(words);
	}
	return bad;
}

/* An address space with a real Mali page table, put at test exit. */
static struct panfrost_mmu *panfrost_test_real_mmu(struct kunit *test)
{
	struct panfrost_test *t = test->priv;
	struct panfrost_mmu *mmu;
	int ret;

	/* VA and PA bits of a Mali GPU's MMU: what the page table needs. */
	t->pfdev->features.mmu_features = 48 | (40 << 8);
	mmu = panfrost_mmu_ctx_create(t->pfdev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mmu);
	/* Put after the BOs: their mappings leave its address space first. */
	ret = kunit_add_action_or_reset(test, panfrost_test_mmu_put, mmu);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return mmu;
}

/*
 * Map @mapping's BO at its address as panfrost_gem_open() does: under its
 * reservation lock, from the sg table that the lock keeps.
 */
static int panfrost_test_map(struct panfrost_gem_mapping *mapping)
{
	struct drm_gem_shmem_object *shmem = &mapping->obj->base;
	struct sg_table *sgt;
	int ret;

	dma_resv_lock(shmem->base.resv, NULL);
	sgt = drm_gem_shmem_get_pages_sgt_locked(shmem);
	ret = IS_ERR(sgt) ? PTR_ERR(sgt) : panfrost_mmu_map_locked(mapping);
	dma_resv_unlock(shmem->base.resv);
	return ret;
}

/*
 * A BO of @size mapped in @mmu, its pages filled with
 * panfrost_test_word(); the mapping is the fixture's own, made as
 * panfrost_gem_open() makes one.
 */
static struct panfrost_gem_object *
panfrost_test_mapped_bo(struct kunit *test, struct panfrost_mmu *mmu,
			size_t size, struct panfrost_gem_mapping **mapping)
{
	struct panfrost_gem_object *bo;

	bo = panfrost_test_bo_in(test, mmu, size, 0, mapping);
	INIT_LIST_HEAD(&(*mapping)->evicted_node);
	KUNIT_ASSERT_EQ(test, panfrost_test_map(*mapping), 0);
	dma_resv_lock(bo->base.base.resv, NULL);
	KUNIT_EXPECT_EQ(test, panfrost_test_mismatches(bo, true), 0);
	dma_resv_unlock(bo->base.base.resv);
	return bo;
}

/* @bo is mapped at @iova in @ops, with its words. */
static void panfrost_test_expect_mapped(struct kunit *test,
					struct panfrost_gem_object *bo,
					struct io_pgtable_ops *ops, u64 iova)
{
	KUNIT_EXPECT_FALSE(test, bo->base.evicted);
	KUNIT_ASSERT_NOT_NULL(test, bo->base.sgt);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova),
			sg_dma_address(bo->base.sgt->sgl));
	dma_resv_lock(bo->base.base.resv, NULL);
	KUNIT_EXPECT_EQ(test, panfrost_test_mismatches(bo, false), 0);
	dma_resv_unlock(bo->base.base.resv);
}

/*
 * A WILLNEED Panfrost BO mapped in a real GPU page table (it lives in
 * memory; no address space is active, so nothing touches a GPU) is
 * evicted by the DRM shrinker: its mapping keeps its GPU address, which
 * userspace wrote into its jobs, and loses its pages. A job's use of the
 * BO (panfrost_job_use_bos_locked(), as SUBMIT calls it) brings the pages
 * back and maps them at the same address, with the same contents. A heap
 * BO is never on the evictable list.
 */
static void panfrost_test_evict_swapin_at_submit(struct kunit *test)
{
	struct panfrost_test *t = test->priv;
	struct panfrost_gem_object *bo, *heap;
	struct panfrost_gem_mapping *mapping;
	struct drm_shrinker_stats stats;
	struct io_pgtable_ops *ops;
	struct panfrost_mmu *mmu;
	u64 iova;
	int ret;

	/* VA and PA bits of a Mali GPU's MMU: what the page table needs. */
	t->pfdev->features.mmu_features = 48 | (40 << 8);
	mmu = panfrost_mmu_ctx_create(t->pfdev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mmu);
	/* Put after the BOs: their mappings leave its address space first. */
	ret = kunit_add_action_or_reset(test, panfrost_test_mmu_put, mmu);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ops = mmu->pgtbl_ops;

	bo = panfrost_test_bo_in(test, mmu, SZ_64K, 0, &mapping);
	INIT_LIST_HEAD(&mapping->evicted_node);
	iova = mapping->mmnode.start << PAGE_SHIFT;
	KUNIT_ASSERT_EQ(test, panfrost_test_map(mapping), 0);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova),
			sg_dma_address(bo->base.sgt->sgl));
	dma_resv_lock(bo->base.base.resv, NULL);
	KUNIT_EXPECT_EQ(test, panfrost_test_mismatches(bo, true), 0);
	dma_resv_unlock(bo->base.base.resv);
	heap = panfrost_test_bo(test, SZ_2M, PANFROST_BO_HEAP, &mapping);
	KUNIT_EXPECT_NULL(test, heap->base.base.funcs->evict);

	drm_shrinker_assume_swap(t->shrinker);
	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), SZ_64K >> PAGE_SHIFT);
	KUNIT_EXPECT_TRUE(test, bo->base.evicted);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	mapping = list_first_entry(&bo->mappings.list, struct panfrost_gem_mapping, node);
	KUNIT_EXPECT_FALSE(test, mapping->active);
	KUNIT_EXPECT_TRUE(test, drm_mm_node_allocated(&mapping->mmnode));
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova), 0);
	drm_shrinker_read_stats(t->shrinker, NULL, &stats);
	KUNIT_EXPECT_EQ(test, stats.evicted_objects, 1);

	/* A job uses it: back, mapped at the same address, same words. */
	KUNIT_EXPECT_EQ(test, panfrost_test_job_use(bo), 0);
	KUNIT_EXPECT_FALSE(test, bo->base.evicted);
	KUNIT_EXPECT_TRUE(test, mapping->active);
	KUNIT_EXPECT_EQ(test, mapping->mmnode.start << PAGE_SHIFT, iova);
	KUNIT_ASSERT_NOT_NULL(test, bo->base.sgt);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova),
			sg_dma_address(bo->base.sgt->sgl));
	dma_resv_lock(bo->base.base.resv, NULL);
	KUNIT_EXPECT_EQ(test, panfrost_test_mismatches(bo, false), 0);
	dma_resv_unlock(bo->base.base.resv);
	drm_shrinker_read_stats(t->shrinker, NULL, &stats);
	KUNIT_EXPECT_EQ(test, stats.swapped_in_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_EVICTABLE], 1);

	panfrost_mmu_unmap(mapping);
}

/*
 * A job may hold a GPU mapping after its file closed the BO; until the
 * job lets it go, the mapping stays listed, closed, so that an eviction
 * (or a purge) finds it and unmaps the pages it is about to let go of.
 * The mapping made by panfrost_gem_open() is mapped and listed under the
 * BO's reservation lock, so no eviction can slip in between.
 */
static void panfrost_test_evict_closed_mapping(struct kunit *test)
{
	struct panfrost_test *t = test->priv;
	struct panfrost_gem_mapping *mapping;
	struct panfrost_file_priv *priv;
	struct panfrost_gem_object *bo;
	struct io_pgtable_ops *ops;
	struct panfrost_mmu *mmu;
	struct drm_file *file;
	u64 iova;
	int ret;

	t->pfdev->features.mmu_features = 48 | (40 << 8);
	mmu = panfrost_mmu_ctx_create(t->pfdev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mmu);
	ret = kunit_add_action_or_reset(test, panfrost_test_mmu_put, mmu);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ops = mmu->pgtbl_ops;
	file = panfrost_test_file(test);
	priv = file->driver_priv;
	priv->mmu = mmu;

	bo = panfrost_gem_create(t->drm, SZ_64K, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	ret = kunit_add_action_or_reset(test, panfrost_test_obj_put, &bo->base.base);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, panfrost_gem_open(&bo->base.base, file), 0);
	/* The job's reference. */
	mapping = panfrost_gem_mapping_get(bo, priv);
	KUNIT_ASSERT_NOT_NULL(test, mapping);
	KUNIT_EXPECT_TRUE(test, mapping->active);
	iova = mapping->mmnode.start << PAGE_SHIFT;
	KUNIT_EXPECT_NE(test, ops->iova_to_phys(ops, iova), 0);

	panfrost_gem_close(&bo->base.base, file);
	KUNIT_EXPECT_TRUE(test, mapping->closed);
	KUNIT_EXPECT_FALSE(test, list_empty(&bo->mappings.list));
	/* The file's lookup no longer finds it. */
	KUNIT_EXPECT_NULL(test, panfrost_gem_mapping_get(bo, priv));

	drm_shrinker_assume_swap(t->shrinker);
	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), SZ_64K >> PAGE_SHIFT);
	KUNIT_EXPECT_TRUE(test, bo->base.evicted);
	KUNIT_EXPECT_FALSE(test, mapping->active);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova), 0);

	/* The job is done: the mapping goes, and with it its address. */
	panfrost_gem_mapping_put(mapping);
	KUNIT_EXPECT_TRUE(test, list_empty(&bo->mappings.list));
}

/*
 * A job may use a BO it does not list in SUBMIT (Mesa's panvk lists none
 * of its VkDeviceMemory): SUBMIT counts the job in its address space and
 * brings back every evicted WILLNEED BO mapped there
 * (panfrost_gem_swapin_evicted()) before it looks at the job's list, so a
 * job whose list omits an evicted BO finds it mapped at the same address
 * with the same words; a DONTNEED one stays evicted until it is WILLNEED.
 */
static void panfrost_test_evict_unlisted(struct kunit *test)
{
	struct panfrost_test *t = test->priv;
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;
	struct io_pgtable_ops *ops;
	struct panfrost_mmu *mmu;
	u64 iova;

	mmu = panfrost_test_real_mmu(test);
	ops = mmu->pgtbl_ops;
	bo = panfrost_test_mapped_bo(test, mmu, SZ_64K, &mapping);
	iova = mapping->mmnode.start << PAGE_SHIFT;

	drm_shrinker_assume_swap(t->shrinker);
	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), SZ_64K >> PAGE_SHIFT);
	KUNIT_EXPECT_TRUE(test, bo->base.evicted);
	KUNIT_EXPECT_EQ(test, ops->iova_to_phys(ops, iova), 0);
	KUNIT_EXPECT_FALSE(test, list_empty(&mmu->evicted));

	/* DONTNEED, which no job may use: it stays evicted and listed. */
	dma_resv_lock(bo->base.base.resv, NULL);
	drm_gem_shmem_madvise_locked(&bo->base, PANFROST_MADV_DONTNEED);
	dma_resv_unlock(bo->base.base.resv);
	panfrost_mmu_job_begin(mmu);
	KUNIT_EXPECT_EQ(test, panfrost_gem_swapin_evicted(mmu), 0);
	panfrost_mmu_job_end(mmu);
	KUNIT_EXPECT_TRUE(test, bo->base.evicted);
	KUNIT_EXPECT_FALSE(test, list_empty(&mmu->evicted));
	dma_resv_lock(bo->base.base.resv, NULL);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_madvise_locked(&bo->base,
							     PANFROST_MADV_WILLNEED));
	dma_resv_unlock(bo->base.base.resv);

	/* SUBMIT of a job with no BO listed. */
	panfrost_mmu_job_begin(mmu);
	KUNIT_EXPECT_EQ(test, panfrost_gem_swapin_evicted(mmu), 0);
	panfrost_test_expect_mapped(test, bo, ops, iova);
	KUNIT_EXPECT_TRUE(test, mapping->active);
	KUNIT_EXPECT_FALSE(test, mapping->evicted);
	KUNIT_EXPECT_TRUE(test, list_empty(&mmu->evicted));
	panfrost_mmu_job_end(mmu);

	panfrost_mmu_unmap(mapping);
}

/*
 * While a job of an address space that maps a BO is counted (from SUBMIT
 * to its cleanup), the BO is not evicted, whichever of its address
 * spaces the job runs in; an eviction refused leaves nothing listed.
 * Once the job is done, it goes, and a SUBMIT in either address space
 * brings it back in both.
 */
static void panfrost_test_evict_busy_address_space(struct kunit *test)
{
	struct panfrost_test *t = test->priv;
	struct panfrost_gem_mapping *mapping, *other;
	struct panfrost_file_priv *priv;
	struct panfrost_mmu *mmu, *mmu2;
	struct drm_shrinker_stats stats;
	struct panfrost_gem_object *bo;
	struct drm_file *file;
	u64 iova, iova2;

	mmu = panfrost_test_real_mmu(test);
	mmu2 = panfrost_test_real_mmu(test);
	bo = panfrost_test_mapped_bo(test, mmu, SZ_64K, &mapping);
	iova = mapping->mmnode.start << PAGE_SHIFT;
	/* A second file, in the second address space, opens the BO. */
	file = panfrost_test_file(test);
	priv = file->driver_priv;
	priv->mmu = mmu2;
	KUNIT_ASSERT_EQ(test, panfrost_gem_open(&bo->base.base, file), 0);
	other = panfrost_gem_mapping_get(bo, priv);
	KUNIT_ASSERT_NOT_NULL(test, other);
	iova2 = other->mmnode.start << PAGE_SHIFT;
	panfrost_gem_mapping_put(other);
	drm_shrinker_assume_swap(t->shrinker);

	panfrost_mmu_job_begin(mmu2);
	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 0);
	panfrost_test_expect_mapped(test, bo, mmu->pgtbl_ops, iova);
	panfrost_test_expect_mapped(test, bo, mmu2->pgtbl_ops, iova2);
	KUNIT_EXPECT_TRUE(test, list_empty(&mmu->evicted));
	KUNIT_EXPECT_TRUE(test, list_empty(&mmu2->evicted));
	drm_shrinker_read_stats(t->shrinker, NULL, &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_PINNED], 1);
	KUNIT_EXPECT_EQ(test, stats.evicted_objects, 0);
	panfrost_mmu_job_end(mmu2);
	/* The same with a job of the first address space. */
	panfrost_mmu_job_begin(mmu);
	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&mmu->evicted));
	KUNIT_EXPECT_TRUE(test, list_empty(&mmu2->evicted));
	panfrost_mmu_job_end(mmu);

	KUNIT_EXPECT_EQ(test, panfrost_test_reclaim(test), SZ_64K >> PAGE_SHIFT);
	KUNIT_EXPECT_TRUE(test, bo->base.evicted);
	KUNIT_EXPECT_FALSE(test, list_empty(&mmu->evicted));
	KUNIT_EXPECT_FALSE(test, list_empty(&mmu2->evicted));

	panfrost_mmu_job_begin(mmu);
	KUNIT_EXPECT_EQ(test, panfrost_gem_swapin_evicted(mmu), 0);
	panfrost_mmu_job_end(mmu);
	panfrost_test_expect_mapped(test, bo, mmu->pgtbl_ops, iova);
	panfrost_test_expect_mapped(test, bo, mmu2->pgtbl_ops, iova2);
	KUNIT_EXPECT_TRUE(test, list_empty(&mmu2->evicted));

	panfrost_gem_close(&bo->base.base, file);
	panfrost_mmu_unmap(mapping);
}

static struct kunit_case panfrost_evict_tests[] = {
	KUNIT_CASE(panfrost_test_evict_swapin_at_submit),
	KUNIT_CASE(panfrost_test_evict_closed_mapping),
	KUNIT_CASE(panfrost_test_evict_unlisted),
	KUNIT_CASE(panfrost_test_evict_busy_address_space),
	{}
};

static struct kunit_suite panfrost_evict_suite = {
	.name = "panfrost_evict",
	.init = panfrost_test_init,
	.test_cases = panfrost_evict_tests,
};

kunit_test_suite(panfrost_evict_suite);
