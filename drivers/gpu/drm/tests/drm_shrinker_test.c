// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the DRM shrinker (drm_shrinker.c).
 *
 * The objects here belong to a fake memory manager that records every
 * call of its purge callback, so each case can assert which objects were
 * purged, in which order and how often; each holds one real page, whose
 * node and memory cgroup (the root: kernel pages are not charged) choose
 * its list. Every case runs on a DRM shrinker of its own, which reclaim
 * never calls: the one DRM core registered, and the objects of real
 * devices on it, are not touched.
 */

#include <linux/completion.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/sched/mm.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/pagemap.h>
#include <linux/shrinker.h>
#include <linux/swap.h>
#include <linux/workqueue.h>

#include <kunit/device.h>
#include <kunit/test.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_shrinker.h>

#define DRM_SHRINKER_TEST_MAX 64
/* The objects a scan isolates at most per batch (DRM_SHRINKER_BATCH). */
#define DRM_SHRINKER_TEST_BATCH 16

struct drm_shrinker_test_race;

/* One test's state: its shrinker, its devices and the log of purges. */
struct drm_shrinker_test {
	struct kunit *test;
	/* The case's own shrinker. */
	struct drm_shrinker *shrinker;
	struct drm_device *devs[3];
	/* Purge log, in call order. */
	struct drm_gem_object *purged[DRM_SHRINKER_TEST_MAX];
	unsigned int nr_purged;
	/* drm_test_shrinker_concurrent()'s state. */
	struct drm_shrinker_test_race *race;
	/* Lock of the test's fences, as dma_fence_init() wants one. */
	spinlock_t fence_lock;
};

/* An object of the fake memory manager. */
struct drm_shrinker_test_obj {
	struct drm_gem_object base;
	struct drm_shrinker_test *t;
	/* The memory the object holds, for the shrinker: its first folio. */
	struct page *page;
	/* What the purge callback returns instead of purging, if not 0. */
	long refuse;
	unsigned int purges;
	bool purged;
	/* The &shrink_control.nr_to_scan of the last callback. */
	unsigned long nr_to_scan;
	/* The last callback ran with PF_MEMALLOC. */
	bool memalloc;
	/* If set, the purge callback waits at this gate first. */
	struct drm_shrinker_test_gate *gate;
	/* If set, the purge callback sleeps this many jiffies first. */
	unsigned long sleep;
	/*
	 * If set, the purge callback finishes this object's purge first
	 * (drm_shrinker_purge_locked()) and keeps what it returned.
	 */
	struct drm_shrinker_test_obj *sibling;
	long sibling_ret;
	/*
	 * If set, the purge callback marks this object (which shares its
	 * reservation lock) for @remark_list first, as a madvise would.
	 */
	struct drm_shrinker_test_obj *remark;
	enum drm_shrinker_list remark_list;
};

/* Where a purge callback says it runs, and waits until the case lets it go. */
struct drm_shrinker_test_gate {
	struct completion entered;
	struct completion go;
};

static struct drm_shrinker_test_obj *to_test_obj(struct drm_gem_object *obj)
{
	return container_of(obj, struct drm_shrinker_test_obj, base);
}

static long drm_shrinker_test_purge(struct drm_gem_object *obj,
				    struct shrink_control *sc)
{
	struct drm_shrinker_test_obj *tobj = to_test_obj(obj);
	struct drm_shrinker_test *t = tobj->t;

	dma_resv_assert_held(obj->resv);
	if (tobj->gate) {
		complete(&tobj->gate->entered);
		wait_for_completion(&tobj->gate->go);
	}
	if (tobj->sleep)
		schedule_timeout_uninterruptible(tobj->sleep);
	if (tobj->sibling)
		tobj->sibling_ret = drm_shrinker_purge_locked(&tobj->sibling->base);
	if (tobj->remark)
		drm_shrinker_add_locked(&tobj->remark->base, tobj->remark_list,
					page_folio(tobj->remark->page));
	tobj->purges++;
	tobj->nr_to_scan = sc->nr_to_scan;
	tobj->memalloc = current->flags & PF_MEMALLOC;
	if (tobj->refuse)
		return tobj->refuse;
	tobj->purged = true;
	if (t->nr_purged < DRM_SHRINKER_TEST_MAX)
		t->purged[t->nr_purged++] = obj;
	return obj->size >> PAGE_SHIFT;
}

static void drm_shrinker_test_free(struct drm_gem_object *obj)
{
	struct drm_shrinker_test_obj *tobj = to_test_obj(obj);

	drm_gem_object_release(obj);
	__free_page(tobj->page);
	kfree(tobj);
}

/* Eviction as the fake memory manager does it: a purge, logged as one. */
static const struct drm_gem_object_funcs drm_shrinker_test_funcs = {
	.free = drm_shrinker_test_free,
	.purge = drm_shrinker_test_purge,
	.evict = drm_shrinker_test_purge,
};

KUNIT_DEFINE_ACTION_WRAPPER(drm_shrinker_test_put, drm_gem_object_put,
			    struct drm_gem_object *);

static struct drm_device *drm_shrinker_test_dev(struct kunit *test,
						unsigned int i)
{
	struct drm_shrinker_test *t = test->priv;
	struct device *parent;
	char name[32];

	if (t->devs[i])
		return t->devs[i];

	snprintf(name, sizeof(name), "drm-shrinker-test-%u", i);
	parent = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, parent);
	t->devs[i] = __drm_kunit_helper_alloc_drm_device(test, parent,
							 sizeof(struct drm_device),
							 0, DRIVER_GEM);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->devs[i]);
	drm_shrinker_dev_use(t->devs[i], t->shrinker);
	return t->devs[i];
}

/*
 * A new fake object of @pages pages on @dev, not put at test exit, with
 * @resv as its reservation lock (NULL: its own).
 */
static struct drm_shrinker_test_obj *
drm_shrinker_test_obj_resv(struct drm_shrinker_test *t, struct drm_device *dev,
			   unsigned int pages, struct dma_resv *resv)
{
	struct drm_shrinker_test_obj *tobj;

	tobj = kzalloc_obj(*tobj);
	if (!tobj)
		return NULL;
	tobj->page = alloc_page(GFP_KERNEL);
	if (!tobj->page) {
		kfree(tobj);
		return NULL;
	}
	tobj->t = t;
	tobj->base.funcs = &drm_shrinker_test_funcs;
	tobj->base.resv = resv;
	drm_gem_private_object_init(dev, &tobj->base, pages * PAGE_SIZE);
	return tobj;
}

/* A new fake object of @pages pages on @dev, not put at test exit. */
static struct drm_shrinker_test_obj *
drm_shrinker_test_obj_new(struct drm_shrinker_test *t, struct drm_device *dev,
			  unsigned int pages)
{
	return drm_shrinker_test_obj_resv(t, dev, pages, NULL);
}

/*
 * A new object of @pages pages on device 0 that shares @owner's
 * reservation lock, as a VM's private BOs share the VM's; put at test
 * exit, before @owner.
 */
static struct drm_shrinker_test_obj *
drm_shrinker_test_obj_sharing(struct kunit *test, unsigned int pages,
			      struct drm_shrinker_test_obj *owner)
{
	struct drm_shrinker_test_obj *tobj;
	int ret;

	tobj = drm_shrinker_test_obj_resv(test->priv, owner->base.dev, pages,
					  owner->base.resv);
	KUNIT_ASSERT_NOT_NULL(test, tobj);
	ret = kunit_add_action_or_reset(test, drm_shrinker_test_put, &tobj->base);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return tobj;
}

/* A new object of @pages pages on device @dev_idx, put at test exit. */
static struct drm_shrinker_test_obj *
drm_shrinker_test_obj(struct kunit *test, unsigned int dev_idx,
		      unsigned int pages)
{
	struct drm_device *dev = drm_shrinker_test_dev(test, dev_idx);
	struct drm_shrinker_test_obj *tobj;
	int ret;

	tobj = drm_shrinker_test_obj_new(test->priv, dev, pages);
	KUNIT_ASSERT_NOT_NULL(test, tobj);
	ret = kunit_add_action_or_reset(test, drm_shrinker_test_put, &tobj->base);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return tobj;
}

static int drm_shrinker_test_dontneed(struct drm_shrinker_test_obj *tobj)
{
	int ret;

	dma_resv_lock(tobj->base.resv, NULL);
	ret = drm_shrinker_add_locked(&tobj->base, DRM_SHRINKER_PURGEABLE,
				      page_folio(tobj->page));
	dma_resv_unlock(tobj->base.resv);
	return ret;
}

/* Put @tobj on @list, as madvise or its memory manager would. */
static int drm_shrinker_test_add(struct drm_shrinker_test_obj *tobj,
				 enum drm_shrinker_list list)
{
	int ret;

	dma_resv_lock(tobj->base.resv, NULL);
	ret = drm_shrinker_add_locked(&tobj->base, list, page_folio(tobj->page));
	dma_resv_unlock(tobj->base.resv);
	return ret;
}

/* The objects on the lists @list of the case's shrinker. */
static unsigned long drm_shrinker_test_listed(struct drm_shrinker_test *t,
					      enum drm_shrinker_list list)
{
	struct drm_shrinker_stats stats;

	drm_shrinker_read_stats(t->shrinker, NULL, &stats);
	return stats.objects[list];
}

static void drm_shrinker_test_willneed(struct drm_shrinker_test_obj *tobj)
{
	dma_resv_lock(tobj->base.resv, NULL);
	drm_shrinker_remove_locked(&tobj->base);
	dma_resv_unlock(tobj->base.resv);
}

static unsigned long drm_shrinker_test_dev_pages(struct drm_device *dev)
{
	struct drm_shrinker_stats stats;

	drm_shrinker_read_stats(NULL, dev, &stats);
	return stats.pages[DRM_SHRINKER_PURGEABLE];
}

/* The numbers of all devices of the case's shrinker. */
static struct drm_shrinker_stats drm_shrinker_test_global(struct drm_shrinker_test *t)
{
	struct drm_shrinker_stats stats;

	drm_shrinker_read_stats(t->shrinker, NULL, &stats);
	return stats;
}

static unsigned long drm_shrinker_test_scan(struct kunit *test,
					    unsigned long nr_to_scan)
{
	struct drm_shrinker_test *t = test->priv;

	return drm_shrinker_scan(t->shrinker, nr_to_scan, GFP_KERNEL);
}

static unsigned long drm_shrinker_test_count(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;

	return drm_shrinker_count(t->shrinker);
}

/*
 * The shrink_control of reclaim of the node of the cases' pages, with
 * the default vm.swappiness.
 */
static struct shrink_control drm_shrinker_test_sc(unsigned long nr_to_scan)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nr_to_scan = nr_to_scan,
		.nid = numa_node_id(),
		.swappiness = 60,
	};

	return sc;
}

/* An unsignaled fence in @obj's reservation object, put at test exit. */
KUNIT_DEFINE_ACTION_WRAPPER(drm_shrinker_test_fence_put, dma_fence_put,
			    struct dma_fence *);

static const char *drm_shrinker_test_fence_name(struct dma_fence *fence)
{
	return "drm-shrinker-test";
}

static const struct dma_fence_ops drm_shrinker_test_fence_ops = {
	.get_driver_name = drm_shrinker_test_fence_name,
	.get_timeline_name = drm_shrinker_test_fence_name,
};

static struct dma_fence *drm_shrinker_test_fence(struct kunit *test,
						 struct drm_shrinker_test_obj *tobj,
						 enum dma_resv_usage usage)
{
	struct drm_shrinker_test *t = test->priv;
	struct dma_fence *fence;
	int ret;

	fence = kzalloc_obj(*fence);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &drm_shrinker_test_fence_ops, &t->fence_lock,
		       dma_fence_context_alloc(1), 1);
	ret = kunit_add_action_or_reset(test, drm_shrinker_test_fence_put, fence);
	KUNIT_ASSERT_EQ(test, ret, 0);

	dma_resv_lock(tobj->base.resv, NULL);
	ret = dma_resv_reserve_fences(tobj->base.resv, 1);
	if (!ret)
		dma_resv_add_fence(tobj->base.resv, fence, usage);
	dma_resv_unlock(tobj->base.resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return fence;
}

static struct dma_fence *drm_shrinker_test_busy(struct kunit *test,
						struct drm_shrinker_test_obj *tobj)
{
	return drm_shrinker_test_fence(test, tobj, DMA_RESV_USAGE_BOOKKEEP);
}

KUNIT_DEFINE_ACTION_WRAPPER(drm_shrinker_test_destroy, drm_shrinker_destroy,
			    struct drm_shrinker *);

static int drm_shrinker_test_init(struct kunit *test)
{
	struct drm_shrinker_test *t;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	spin_lock_init(&t->fence_lock);
	test->priv = t;

	/* Destroyed after the objects: actions run in reverse order. */
	t->shrinker = drm_shrinker_create("drm-shrinker-kunit");
	KUNIT_ASSERT_NOT_NULL(test, t->shrinker);
	ret = kunit_add_action_or_reset(test, drm_shrinker_test_destroy, t->shrinker);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return 0;
}

/* An empty LRU counts SHRINK_EMPTY and a scan of it stops. */
static void drm_test_shrinker_empty(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct shrink_control sc = drm_shrinker_test_sc(128);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), SHRINK_EMPTY);
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 0);
}

/*
 * The count is the number of marked objects that hold memory, always; the
 * statistics add up their pages.
 */
static void drm_test_shrinker_count(struct kunit *test)
{
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 2);
	struct drm_shrinker_test_obj *c = drm_shrinker_test_obj(test, 0, 4);
	struct drm_shrinker_test *t = test->priv;
	struct shrink_control sc = drm_shrinker_test_sc(0);

	drm_shrinker_test_dontneed(a);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);
	drm_shrinker_test_dontneed(b);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);
	drm_shrinker_test_dontneed(c);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 3);
	/* Reclaim is told pages: those of the objects, whatever their sizes. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(drm_shrinker_mm(t->shrinker),
							 &sc), 7);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_dev_pages(t->devs[0]), 7);

	/* Marking an object twice counts it once. */
	drm_shrinker_test_dontneed(b);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 3);

	drm_shrinker_test_willneed(b);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_dev_pages(t->devs[0]), 5);
	drm_shrinker_test_willneed(b);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);
	drm_shrinker_test_willneed(a);
	drm_shrinker_test_willneed(c);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_dev_pages(t->devs[0]), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).objects[0], 0);
}

/*
 * Only what a scan could free is counted: an object marked with no
 * memory is marked but not counted until it gets pages, and one that is
 * shared as a dma-buf is not counted at all.
 */
static void drm_test_shrinker_count_freeable(struct kunit *test)
{
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test *t = test->priv;
	struct dma_buf fake_buf = {};

	dma_resv_lock(a->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_add_locked(&a->base, DRM_SHRINKER_PURGEABLE,
						      NULL), 0);
	dma_resv_unlock(a->base.resv);
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&a->base));
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, a->purges, 0);

	/* Its pages came: the driver says so. */
	drm_shrinker_test_dontneed(a);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_dev_pages(t->devs[0]), 1);

	/* Only compared against NULL by the shrinker; reset before free. */
	b->base.dma_buf = &fake_buf;
	drm_shrinker_test_dontneed(b);
	/* Marked, but never purged while shared: fdinfo does not count it. */
	KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&b->base));
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);
	b->base.dma_buf = NULL;
}

/* A scan purges the least recently marked objects first. */
static void drm_test_shrinker_oldest_first(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *o[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(o); i++) {
		o[i] = drm_shrinker_test_obj(test, 0, 1);
		drm_shrinker_test_dontneed(o[i]);
	}

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 2), 2);
	KUNIT_ASSERT_EQ(test, t->nr_purged, 2);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[0], &o[0]->base);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[1], &o[1]->base);
	KUNIT_EXPECT_FALSE(test, o[2]->purged);
	KUNIT_EXPECT_FALSE(test, o[3]->purged);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);
}

/*
 * Marking an object again marks it used: a scan passes over it once, to
 * the tail, and counts it as skipped for that; the next one purges it.
 */
static void drm_test_shrinker_marked_again(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *c = drm_shrinker_test_obj(test, 0, 1);

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);
	drm_shrinker_test_dontneed(c);
	drm_shrinker_test_dontneed(a);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 2);
	KUNIT_ASSERT_EQ(test, t->nr_purged, 2);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[0], &b->base);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[1], &c->base);
	KUNIT_EXPECT_FALSE(test, a->purged);
	KUNIT_EXPECT_EQ(test,
			drm_shrinker_test_global(t).skipped[DRM_SHRINKER_SKIP_REFERENCED],
			1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);
	KUNIT_ASSERT_EQ(test, t->nr_purged, 3);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[2], &a->base);
}

struct drm_shrinker_test_devs_param {
	const char *desc;
	unsigned int nr_devs;
	unsigned int nr_objs;
};

static const struct drm_shrinker_test_devs_param drm_shrinker_test_devs_params[] = {
	{ .desc = "two devices", .nr_devs = 2, .nr_objs = 8 },
	{ .desc = "three devices", .nr_devs = 3, .nr_objs = 12 },
};

static void drm_shrinker_test_devs_desc(const struct drm_shrinker_test_devs_param *p,
					char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(drm_shrinker_test_devs, drm_shrinker_test_devs_params,
		  drm_shrinker_test_devs_desc);

/*
 * Objects of several devices, marked in turn, are purged in marking order
 * across the devices, and the global numbers are the sums of the devices'.
 */
static void drm_test_shrinker_interleaved(struct kunit *test)
{
	const struct drm_shrinker_test_devs_param *p = test->param_value;
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *o[12];
	unsigned long sum = 0, purged_sum = 0;
	struct drm_shrinker_stats stats;
	unsigned int i;

	for (i = 0; i < p->nr_objs; i++) {
		o[i] = drm_shrinker_test_obj(test, i % p->nr_devs, 1 + i % 3);
		drm_shrinker_test_dontneed(o[i]);
	}

	for (i = 0; i < p->nr_devs; i++)
		sum += drm_shrinker_test_dev_pages(t->devs[i]);
	KUNIT_EXPECT_EQ(test, sum, drm_shrinker_test_global(t).pages[0]);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), p->nr_objs);

	/* The older half's pages: exactly the older half goes. */
	for (i = 0, sum = 0; i < p->nr_objs / 2; i++)
		sum += o[i]->base.size >> PAGE_SHIFT;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, sum), sum);
	KUNIT_ASSERT_EQ(test, t->nr_purged, p->nr_objs / 2);
	for (i = 0; i < p->nr_objs; i++) {
		if (i < p->nr_objs / 2)
			KUNIT_EXPECT_PTR_EQ(test, t->purged[i], &o[i]->base);
		KUNIT_EXPECT_EQ(test, o[i]->purged, i < p->nr_objs / 2);
	}

	for (i = 0; i < p->nr_devs; i++) {
		drm_shrinker_read_stats(NULL, t->devs[i], &stats);
		purged_sum += stats.purged_pages;
		KUNIT_EXPECT_EQ(test, stats.purged_objects, p->nr_objs / 2 / p->nr_devs);
	}
	KUNIT_EXPECT_EQ(test, purged_sum, sum);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).purged_pages, sum);
}

/* A device with many objects does not keep another's older ones. */
static void drm_test_shrinker_fairness(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *old, *many[16];
	unsigned int i;

	old = drm_shrinker_test_obj(test, 1, 1);
	drm_shrinker_test_dontneed(old);
	for (i = 0; i < ARRAY_SIZE(many); i++) {
		many[i] = drm_shrinker_test_obj(test, 0, 1);
		drm_shrinker_test_dontneed(many[i]);
	}

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	KUNIT_ASSERT_EQ(test, t->nr_purged, 1);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[0], &old->base);
}

/*
 * Objects of very different sizes on one list are reclaimed in proportion
 * to the memory they hold: a scan takes the oldest whatever their size,
 * until it looked at the pages asked for, so 1-page and 16-page objects
 * marked in turn lose the same share of their pages.
 */
static void drm_test_shrinker_sizes_proportional(struct kunit *test)
{
	struct drm_shrinker_test_obj *o[68];
	unsigned long small = 0, big = 0;
	unsigned int i;

	/* Four groups of 16 one-page objects and one 16-page object. */
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		o[i] = drm_shrinker_test_obj(test, 0, i % 17 == 16 ? 16 : 1);
		drm_shrinker_test_dontneed(o[i]);
	}
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 64), 64);
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		if (!o[i]->purged)
			continue;
		if (i % 17 == 16)
			big += 16;
		else
			small++;
	}
	/* Each kind held 64 pages and lost half. */
	KUNIT_EXPECT_EQ(test, small, 32);
	KUNIT_EXPECT_EQ(test, big, 32);
}

/* A scan looks at objects until their pages reach nr_to_scan, purged or not. */
static void drm_test_shrinker_nr_to_scan(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *o[5], *big;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(o); i++) {
		o[i] = drm_shrinker_test_obj(test, 0, 1);
		drm_shrinker_test_dontneed(o[i]);
	}
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 3), 3);
	KUNIT_EXPECT_EQ(test, t->nr_purged, 3);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 0), 0);
	KUNIT_EXPECT_EQ(test, t->nr_purged, 3);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).scanned, 3);

	/* Objects are purged whole: one 4-page object for one page. */
	big = drm_shrinker_test_obj(test, 0, 4);
	drm_shrinker_test_willneed(o[3]);
	drm_shrinker_test_willneed(o[4]);
	drm_shrinker_test_dontneed(big);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 4);
	KUNIT_EXPECT_TRUE(test, big->purged);

	/* A scan of a list of busy objects looks at each once. */
	drm_shrinker_test_dontneed(o[3]);
	drm_shrinker_test_dontneed(o[4]);
	drm_shrinker_test_busy(test, o[3]);
	drm_shrinker_test_busy(test, o[4]);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).scanned, 3 + 1 + 2);
}

/* A scan that frees nothing says SHRINK_STOP. */
static void drm_test_shrinker_stop(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct shrink_control sc = drm_shrinker_test_sc(8);
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 2);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_busy(test, a);
	/* In pages. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 2);
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 2);
	KUNIT_EXPECT_EQ(test, a->purges, 0);
}

/*
 * A batch that only passed over used objects freed nothing but is no
 * reason to stop the pass (0, not SHRINK_STOP): the next batch purges
 * what is behind them. Busy is told before used, and an unlink clears
 * the mark: a used object taken off and marked again is purged at once.
 */
static void drm_test_shrinker_referenced(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct shrink_control sc = drm_shrinker_test_sc(1);
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *c = drm_shrinker_test_obj(test, 0, 1);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct drm_shrinker_stats stats;

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);
	drm_shrinker_test_dontneed(a);
	/* c: used, then taken off and marked again: not used any more. */
	drm_shrinker_test_dontneed(c);
	drm_shrinker_test_dontneed(c);
	drm_shrinker_test_willneed(c);
	drm_shrinker_test_dontneed(c);

	/* One page: a, used, goes to the tail. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 0);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 1);
	KUNIT_EXPECT_EQ(test, t->nr_purged, 0);
	/* The pass goes on: b, then c, then a, its second chance taken. */
	sc = drm_shrinker_test_sc(3);
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 3);
	KUNIT_ASSERT_EQ(test, t->nr_purged, 3);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[0], &b->base);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[1], &c->base);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[2], &a->base);
	drm_shrinker_read_stats(t->shrinker, NULL, &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_REFERENCED], 1);

	/* Busy and used: counted busy, and still used for the next scan. */
	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_busy(test, a);
	sc = drm_shrinker_test_sc(1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), SHRINK_STOP);
	drm_shrinker_read_stats(t->shrinker, NULL, &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_BUSY], 1);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_REFERENCED], 1);
}

/*
 * Reclaim hears of the pages of every object the scan looked at, skipped
 * or purged (objects go whole), and of the pages purged, and is credited
 * with them, as it is with the slab pages other shrinkers free (the
 * reclaim of a memory cgroup counts the pages uncharged from the cgroup,
 * which these objects' pages, never freed here, are not).
 */
static void drm_test_shrinker_reclaim_credit(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct shrink_control sc = drm_shrinker_test_sc(3);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct drm_shrinker_test_obj *busy = drm_shrinker_test_obj(test, 0, 2);
	struct drm_shrinker_test_obj *big = drm_shrinker_test_obj(test, 0, 4);
	struct reclaim_state rs = {};
	unsigned long freed;

	drm_shrinker_test_dontneed(busy);
	drm_shrinker_test_dontneed(big);
	drm_shrinker_test_busy(test, busy);

	/* As direct reclaim and kswapd set it around their shrinker calls. */
	KUNIT_ASSERT_NULL(test, current->reclaim_state);
	current->reclaim_state = &rs;
	freed = drm_shrinker_scan_objects(mm, &sc);
	current->reclaim_state = NULL;

	KUNIT_EXPECT_EQ(test, freed, 4);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 6);
	KUNIT_EXPECT_EQ(test, rs.reclaimed, 4);
	KUNIT_EXPECT_TRUE(test, big->purged);
	KUNIT_EXPECT_EQ(test, busy->purges, 0);

	/* Nothing purged: nothing credited, and reclaim is told to stop. */
	sc.nr_to_scan = 1;
	current->reclaim_state = &rs;
	freed = drm_shrinker_scan_objects(mm, &sc);
	current->reclaim_state = NULL;
	KUNIT_EXPECT_EQ(test, freed, SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, rs.reclaimed, 4);
}

struct drm_shrinker_test_busy_param {
	enum dma_resv_usage usage;
	enum drm_shrinker_list list;
};

static const struct drm_shrinker_test_busy_param drm_shrinker_test_busy_params[] = {
	{ DMA_RESV_USAGE_KERNEL, DRM_SHRINKER_PURGEABLE },
	{ DMA_RESV_USAGE_WRITE, DRM_SHRINKER_PURGEABLE },
	{ DMA_RESV_USAGE_READ, DRM_SHRINKER_PURGEABLE },
	{ DMA_RESV_USAGE_BOOKKEEP, DRM_SHRINKER_PURGEABLE },
	{ DMA_RESV_USAGE_KERNEL, DRM_SHRINKER_EVICTABLE },
	{ DMA_RESV_USAGE_WRITE, DRM_SHRINKER_EVICTABLE },
	{ DMA_RESV_USAGE_READ, DRM_SHRINKER_EVICTABLE },
	{ DMA_RESV_USAGE_BOOKKEEP, DRM_SHRINKER_EVICTABLE },
};

static void drm_shrinker_test_busy_desc(const struct drm_shrinker_test_busy_param *p,
					char *desc)
{
	static const char * const usage[] = { "kernel", "write", "read", "bookkeep" };

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s fence, %s", usage[p->usage],
		 p->list == DRM_SHRINKER_PURGEABLE ? "purgeable" : "evictable");
}

KUNIT_ARRAY_PARAM(drm_shrinker_test_busy, drm_shrinker_test_busy_params,
		  drm_shrinker_test_busy_desc);

/*
 * A busy object, with an unsignaled fence of any usage, is neither purged
 * nor evicted: it is skipped and goes to the tail, as if just used; the
 * next scan looks at the others first, and once idle it goes.
 */
static void drm_test_shrinker_busy_skipped(struct kunit *test)
{
	const struct drm_shrinker_test_busy_param *p = test->param_value;
	struct drm_shrinker_test_obj *o[3];
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_stats stats;
	struct dma_fence *fence;
	unsigned int i;

	drm_shrinker_assume_swap(t->shrinker);
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		o[i] = drm_shrinker_test_obj(test, 0, 1);
		dma_resv_lock(o[i]->base.resv, NULL);
		KUNIT_EXPECT_EQ(test, drm_shrinker_add_locked(&o[i]->base, p->list,
							      page_folio(o[i]->page)), 0);
		dma_resv_unlock(o[i]->base.resv);
	}
	fence = drm_shrinker_test_fence(test, o[0], p->usage);

	/* One object looked at: the busy one. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	KUNIT_EXPECT_EQ(test, o[0]->purges, 0);
	KUNIT_EXPECT_TRUE(test, o[1]->purged);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.objects[p->list], 2);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_BUSY], 1);

	dma_fence_signal(fence);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	KUNIT_EXPECT_TRUE(test, o[2]->purged);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	KUNIT_EXPECT_TRUE(test, o[0]->purged);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.objects[p->list], 0);
	KUNIT_EXPECT_EQ(test, p->list == DRM_SHRINKER_PURGEABLE ?
			stats.purged_objects : stats.evicted_objects, 3);
}

struct drm_shrinker_test_refuse_param {
	const char *desc;
	long refuse;
	enum drm_shrinker_skip why;
};

static const struct drm_shrinker_test_refuse_param drm_shrinker_test_refuse_params[] = {
	{ "pinned or vmapped", -EBUSY, DRM_SHRINKER_SKIP_PINNED },
	{ "failed", -EIO, DRM_SHRINKER_SKIP_FAILED },
};

static void drm_shrinker_test_refuse_desc(const struct drm_shrinker_test_refuse_param *p,
					  char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(drm_shrinker_test_refuse, drm_shrinker_test_refuse_params,
		  drm_shrinker_test_refuse_desc);

/*
 * An object its memory manager refuses to purge is skipped, counted by
 * reason, and goes to the tail.
 */
static void drm_test_shrinker_refused(struct kunit *test)
{
	const struct drm_shrinker_test_refuse_param *p = test->param_value;
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *c = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_stats stats;

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);
	drm_shrinker_test_dontneed(c);
	a->refuse = p->refuse;

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 2), 1);
	KUNIT_EXPECT_EQ(test, a->purges, 1);
	KUNIT_EXPECT_FALSE(test, a->purged);
	KUNIT_EXPECT_TRUE(test, b->purged);
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&a->base));
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[p->why], 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).skipped[p->why], 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);

	a->refuse = 0;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	KUNIT_EXPECT_TRUE(test, c->purged);
	KUNIT_EXPECT_FALSE(test, a->purged);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	KUNIT_EXPECT_TRUE(test, a->purged);
}

/* An object whose reservation lock is held elsewhere is skipped. */
static void drm_test_shrinker_contended(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_stats stats;

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);

	dma_resv_lock(a->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);
	dma_resv_unlock(a->base.resv);

	KUNIT_EXPECT_EQ(test, a->purges, 0);
	KUNIT_EXPECT_TRUE(test, b->purged);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_CONTENDED], 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);
	KUNIT_EXPECT_TRUE(test, a->purged);
}

/*
 * Objects that share a reservation lock (a VM's private BOs), between
 * objects with locks of their own, more of them than a batch isolates:
 * one scan purges them all, oldest first, none counted as contended
 * (the batch takes the shared lock once), and leaves the lock free.
 */
static void drm_test_shrinker_shared_resv(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *vm = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *objs[DRM_SHRINKER_TEST_BATCH * 2 + 4];
	struct drm_shrinker_stats stats;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		/* Two sharing objects, then one of its own. */
		objs[i] = i % 3 == 2 ? drm_shrinker_test_obj(test, 0, 1) :
				       drm_shrinker_test_obj_sharing(test, 1, vm);
		KUNIT_ASSERT_EQ(test, drm_shrinker_test_dontneed(objs[i]), 0);
	}

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX),
			ARRAY_SIZE(objs));
	KUNIT_ASSERT_EQ(test, t->nr_purged, ARRAY_SIZE(objs));
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		KUNIT_EXPECT_PTR_EQ(test, t->purged[i], &objs[i]->base);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_CONTENDED], 0);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_TRUE(test, dma_resv_trylock(vm->base.resv));
	dma_resv_unlock(vm->base.resv);
}

/*
 * The shared lock held elsewhere (a submission on the VM): its objects
 * are contended, the others are purged; then the shared ones are.
 */
static void drm_test_shrinker_shared_resv_contended(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *vm = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *objs[6];
	struct drm_shrinker_stats stats;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = i % 2 ? drm_shrinker_test_obj(test, 0, 1) :
				  drm_shrinker_test_obj_sharing(test, 1, vm);
		KUNIT_ASSERT_EQ(test, drm_shrinker_test_dontneed(objs[i]), 0);
	}

	dma_resv_lock(vm->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 3);
	dma_resv_unlock(vm->base.resv);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		KUNIT_EXPECT_EQ(test, objs[i]->purged, i % 2 == 1);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_CONTENDED], 3);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 3);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		KUNIT_EXPECT_TRUE(test, objs[i]->purged);
	KUNIT_EXPECT_TRUE(test, dma_resv_trylock(vm->base.resv));
	dma_resv_unlock(vm->base.resv);
}

/*
 * A purge callback that finishes the purge of another object of its
 * batch, one that shares its reservation lock: the scan has that object,
 * so drm_shrinker_purge_locked() leaves it alone (-EBUSY), and the scan
 * purges it once, as its own.
 */
static void drm_test_shrinker_shared_resv_finish(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *vm = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *a, *b;
	struct drm_shrinker_stats stats;

	a = drm_shrinker_test_obj_sharing(test, 1, vm);
	b = drm_shrinker_test_obj_sharing(test, 1, vm);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_dontneed(a), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_dontneed(b), 0);
	a->sibling = b;

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 2);
	KUNIT_EXPECT_EQ(test, a->sibling_ret, -EBUSY);
	KUNIT_EXPECT_EQ(test, a->purges, 1);
	KUNIT_EXPECT_EQ(test, b->purges, 1);
	KUNIT_EXPECT_TRUE(test, b->purged);
	KUNIT_EXPECT_EQ(test, t->nr_purged, 2);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
	KUNIT_EXPECT_TRUE(test, dma_resv_trylock(vm->base.resv));
	dma_resv_unlock(vm->base.resv);
}

struct drm_shrinker_test_dmabuf_param {
	const char *desc;
	bool imported;
};

static const struct drm_shrinker_test_dmabuf_param drm_shrinker_test_dmabuf_params[] = {
	{ "imported", .imported = true },
	{ "exported" },
};

static void drm_shrinker_test_dmabuf_desc(const struct drm_shrinker_test_dmabuf_param *p,
					  char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(drm_shrinker_test_dmabuf, drm_shrinker_test_dmabuf_params,
		  drm_shrinker_test_dmabuf_desc);

/*
 * Objects imported or exported after they were marked (here without
 * drm_shrinker_share(), as a driver's own export path that bypassed DRM
 * core would) are skipped by the scan and leave the list: no scan could
 * free them.
 */
static void drm_test_shrinker_dmabuf(struct kunit *test)
{
	const struct drm_shrinker_test_dmabuf_param *p = test->param_value;
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct dma_buf_attachment fake_attach = {};
	struct dma_buf fake_buf = {};
	struct drm_shrinker_stats stats;

	drm_shrinker_test_dontneed(a);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);
	/* Only compared against NULL by the shrinker; reset before free. */
	if (p->imported)
		a->base.import_attach = &fake_attach;
	else
		a->base.dma_buf = &fake_buf;

	drm_shrinker_test_scan(test, ULONG_MAX);
	a->base.import_attach = NULL;
	a->base.dma_buf = NULL;

	KUNIT_EXPECT_FALSE(test, a->purged);
	KUNIT_EXPECT_EQ(test, a->purges, 0);
	/* Still marked DONTNEED, off the list. */
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&a->base));
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_DMABUF], 1);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 0);
}

/* An object marked WILLNEED again is never purged. */
static void drm_test_shrinker_willneed_kept(struct kunit *test)
{
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *never = drm_shrinker_test_obj(test, 0, 1);

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);
	drm_shrinker_test_willneed(a);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);
	KUNIT_EXPECT_EQ(test, a->purges, 0);
	KUNIT_EXPECT_EQ(test, never->purges, 0);
	KUNIT_EXPECT_TRUE(test, b->purged);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, a->purges, 0);
}

/*
 * madvise(WILLNEED) of a purgeable object that may be evicted counts it
 * as evictable at once and leaves it on the purgeable list: no purge
 * takes it, a scan of that list moves it to the evictable list (and
 * goes on), and reclaim evicts it there. An object marked DONTNEED again
 * before such a scan is counted as purgeable at once, marked used (it
 * gets its second chance, as if it had moved to the tail), and purged.
 * The counts follow each step exactly: a's 800 pages weigh 60 as
 * evictable (60 / 800 of them), and an evictable object still on the
 * purgeable list adds a page to the purgeable ones, what moving it costs.
 */
static void drm_test_shrinker_willneed_in_place(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 800);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 2);
	struct drm_shrinker_test_obj *c = drm_shrinker_test_obj(test, 0, 4);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct shrink_control sc = drm_shrinker_test_sc(1024);
	struct reclaim_state rs = {};
	struct drm_shrinker_stats stats;

	drm_shrinker_assume_swap(t->shrinker);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, DRM_SHRINKER_PURGEABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_PURGEABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, DRM_SHRINKER_EVICTABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_EVICTABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_PURGEABLE), 0);

	stats = drm_shrinker_test_global(t);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 1);
	KUNIT_EXPECT_EQ(test, stats.pages[DRM_SHRINKER_PURGEABLE], 2);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_EVICTABLE], 1);
	KUNIT_EXPECT_EQ(test, stats.pages[DRM_SHRINKER_EVICTABLE], 800);
	/* a is still on the purgeable list; b is not a stray any more. */
	KUNIT_EXPECT_EQ(test, stats.stray_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.stray_pages, 800);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);
	/* b's pages and a's move; a's 60 only in reclaim. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 2 + 1);
	current->reclaim_state = &rs;
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 2 + 1 + 60);
	current->reclaim_state = NULL;

	/*
	 * Not reclaim: b gets its second chance, a moves, for a page of the
	 * budget; nothing is taken, and the pass goes on (0, not
	 * SHRINK_STOP).
	 */
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 0);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 1 + 2);
	KUNIT_EXPECT_EQ(test, a->purges, 0);
	KUNIT_EXPECT_EQ(test, b->purges, 0);
	sc = drm_shrinker_test_sc(1024);
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 2);
	current->reclaim_state = &rs;
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 2 + 60);
	current->reclaim_state = NULL;

	/* b is purged; a, on the evictable list now, is not evicted. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 2);
	KUNIT_EXPECT_TRUE(test, b->purged);
	KUNIT_EXPECT_EQ(test, a->purges, 0);
	stats = drm_shrinker_test_global(t);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_EVICTABLE], 1);
	KUNIT_EXPECT_EQ(test, stats.pages[DRM_SHRINKER_EVICTABLE], 800);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_EQ(test, stats.pages[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_EQ(test, stats.stray_objects, 0);
	KUNIT_EXPECT_EQ(test, stats.stray_pages, 0);

	/* Reclaim evicts a: its evict callback, never its purge. */
	sc = drm_shrinker_test_sc(1024);
	current->reclaim_state = &rs;
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 60);
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 800);
	current->reclaim_state = NULL;
	KUNIT_EXPECT_EQ(test, a->purges, 1);
	stats = drm_shrinker_test_global(t);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.evicted_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_EVICTABLE], 0);

	/* Nothing is left counted: c's pages alone, in reclaim too. */
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(c, DRM_SHRINKER_PURGEABLE), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 4);
	current->reclaim_state = &rs;
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 4);
	current->reclaim_state = NULL;
}

/*
 * Evictable objects still on the purgeable list cost a scan of it a page
 * each, and the count adds that page: a scan asked for what the count
 * says reaches the DONTNEED object behind three of them, however large
 * they are, and purges it.
 */
static void drm_test_shrinker_willneed_budget(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *s[3], *d;
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct shrink_control sc;
	unsigned long count;
	int i;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		s[i] = drm_shrinker_test_obj(test, 0, 64);
		KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(s[i], DRM_SHRINKER_PURGEABLE), 0);
		KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(s[i], DRM_SHRINKER_EVICTABLE), 0);
	}
	d = drm_shrinker_test_obj(test, 0, 2);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(d, DRM_SHRINKER_PURGEABLE), 0);

	/* Without the strays' pages, the scan would stop before d. */
	sc = drm_shrinker_test_sc(0);
	count = drm_shrinker_count_objects(mm, &sc);
	KUNIT_EXPECT_EQ(test, count, 2 + 3);
	sc = drm_shrinker_test_sc(count);
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 2);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 3 + 2);
	KUNIT_EXPECT_TRUE(test, d->purged);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		KUNIT_EXPECT_EQ(test, s[i]->purges, 0);
	/* Moved: off the purgeable list, which no longer counts them. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_listed(t, DRM_SHRINKER_EVICTABLE), 3);
}

/*
 * A callback marks an object that shares its reservation lock, and that
 * the scan holds too, DONTNEED again while it is evictable on the
 * purgeable list: the scan counts it as purgeable and gives it its
 * second chance, as a madvise outside the scan would, rather than purge
 * it at once; the next scan purges it.
 */
static void drm_test_shrinker_remarked_in_scan(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj_sharing(test, 2, a);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct drm_shrinker_stats stats;
	struct shrink_control sc;

	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, DRM_SHRINKER_PURGEABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_PURGEABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_EVICTABLE), 0);
	a->remark = b;
	a->remark_list = DRM_SHRINKER_PURGEABLE;

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);
	KUNIT_EXPECT_TRUE(test, a->purged);
	KUNIT_EXPECT_EQ(test, b->purges, 0);
	stats = drm_shrinker_test_global(t);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 1);
	KUNIT_EXPECT_EQ(test, stats.pages[DRM_SHRINKER_PURGEABLE], 2);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_EVICTABLE], 0);
	/* No longer a stray: counted as purgeable where it is. */
	KUNIT_EXPECT_EQ(test, stats.stray_objects, 0);
	KUNIT_EXPECT_EQ(test, stats.stray_pages, 0);
	/* So do its cgroup's counts, which reclaim's count reads. */
	sc = drm_shrinker_test_sc(0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 2);

	/* Its second chance, then its purge. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, b->purges, 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 2);
	KUNIT_EXPECT_TRUE(test, b->purged);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
}

/*
 * A callback marks an object that shares its reservation lock, and that
 * the scan holds too, DONTNEED again while it is purgeable: a use, which
 * gives it its second chance in that scan, as a madvise outside the scan
 * would.
 */
static void drm_test_shrinker_used_in_scan(struct kunit *test)
{
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj_sharing(test, 2, a);

	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, DRM_SHRINKER_PURGEABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_PURGEABLE), 0);
	a->remark = b;
	a->remark_list = DRM_SHRINKER_PURGEABLE;

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);
	KUNIT_EXPECT_TRUE(test, a->purged);
	KUNIT_EXPECT_EQ(test, b->purges, 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 2);
	KUNIT_EXPECT_TRUE(test, b->purged);
}

/* A purged object's callback ran once and the object left the LRU. */
static void drm_test_shrinker_purged_once(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 3);
	struct drm_shrinker_stats stats;

	drm_shrinker_test_dontneed(a);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 3);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, a->purges, 1);
	KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&a->base));
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);

	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.purged_pages, 3);
	KUNIT_EXPECT_EQ(test, stats.scanned, 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).purged_pages, 3);
}

/*
 * A scan that pauses, a timer tick after it entered its device (the
 * first callback sleeps for two), enters the device again for the next
 * batch and calls its driver; what it took off the lists is off the
 * counts and the statistics, each once. (The checks hold without a
 * pause too: the case shows that the re-enter works, not that the pause
 * comes.)
 */
static void drm_test_shrinker_pause(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *objs[DRM_SHRINKER_TEST_BATCH + 4];
	struct drm_shrinker_stats stats;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = drm_shrinker_test_obj(test, 0, 1);
		drm_shrinker_test_dontneed(objs[i]);
	}
	objs[0]->sleep = 2;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), ARRAY_SIZE(objs));

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX),
			ARRAY_SIZE(objs));
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		KUNIT_EXPECT_EQ(test, objs[i]->purges, 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_dev_pages(t->devs[0]), 0);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_EQ(test, stats.pages[DRM_SHRINKER_PURGEABLE], 0);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, ARRAY_SIZE(objs));
	KUNIT_EXPECT_EQ(test, stats.scanned, ARRAY_SIZE(objs));
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_GONE], 0);
}

/* An object freed while on the LRU leaves it and is never scanned. */
static void drm_test_shrinker_freed_on_lru(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 2);
	struct drm_shrinker_test_obj *b;
	struct drm_shrinker_stats stats;

	/* Not put at exit: this case drops the only reference itself. */
	b = drm_shrinker_test_obj_new(t, t->devs[0], 4);
	KUNIT_ASSERT_NOT_NULL(test, b);

	drm_shrinker_test_dontneed(b);
	drm_shrinker_test_dontneed(a);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);

	drm_gem_object_put(&b->base);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 1);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.objects[DRM_SHRINKER_PURGEABLE], 1);
	KUNIT_EXPECT_EQ(test, stats.pages[DRM_SHRINKER_PURGEABLE], 2);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 2);
	KUNIT_ASSERT_EQ(test, t->nr_purged, 1);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[0], &a->base);
}

/*
 * Once a device is unplugged, no scan calls into its driver: scans take
 * its objects off the lists as they meet them, its new objects are not
 * added, and the other devices' objects are still purged.
 */
static void drm_test_shrinker_dev_unplugged(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a0 = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b1 = drm_shrinker_test_obj(test, 1, 2);
	struct drm_shrinker_test_obj *c0 = drm_shrinker_test_obj(test, 0, 4);
	struct drm_shrinker_test_obj *d0 = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_stats stats;

	drm_shrinker_test_dontneed(a0);
	drm_shrinker_test_dontneed(b1);
	drm_shrinker_test_dontneed(c0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 3);

	drm_dev_unplug(t->devs[0]);
	drm_shrinker_test_dontneed(d0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 3);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 2);
	KUNIT_EXPECT_TRUE(test, b1->purged);
	KUNIT_EXPECT_EQ(test, a0->purges, 0);
	KUNIT_EXPECT_EQ(test, c0->purges, 0);
	KUNIT_EXPECT_EQ(test, d0->purges, 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_dev_pages(t->devs[0]), 0);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_GONE], 2);
}

/* The global file's numbers are the sums of the devices' numbers. */
static void drm_test_shrinker_stats_sum(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_stats d0, d1, global;
	struct drm_shrinker_test_obj *o[6];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(o); i++) {
		o[i] = drm_shrinker_test_obj(test, i % 2, i + 1);
		drm_shrinker_test_dontneed(o[i]);
	}
	drm_shrinker_test_busy(test, o[1]);
	o[2]->refuse = -EBUSY;
	drm_shrinker_test_scan(test, 1 + 2 + 3 + 4 + 5);

	drm_shrinker_read_stats(NULL, t->devs[0], &d0);
	drm_shrinker_read_stats(NULL, t->devs[1], &d1);
	global = drm_shrinker_test_global(t);
	KUNIT_EXPECT_EQ(test, d0.objects[0] + d1.objects[0], global.objects[0]);
	KUNIT_EXPECT_EQ(test, d0.objects[0] + d1.objects[0],
			drm_shrinker_test_count(test));
	KUNIT_EXPECT_EQ(test, d0.pages[0] + d1.pages[0], global.pages[0]);
	KUNIT_EXPECT_EQ(test, d0.scanned + d1.scanned, global.scanned);
	KUNIT_EXPECT_EQ(test, d0.purged_objects + d1.purged_objects,
			global.purged_objects);
	KUNIT_EXPECT_EQ(test, d0.purged_pages + d1.purged_pages,
			global.purged_pages);
	for (i = 0; i < DRM_SHRINKER_SKIP_NR; i++)
		KUNIT_EXPECT_EQ(test, d0.skipped[i] + d1.skipped[i],
				global.skipped[i]);
	/*
	 * Five objects looked at: o[0] (1 page), o[3] (4) and o[4] (5)
	 * purged; o[1] (busy) and o[2] (pinned) skipped; o[5] not reached.
	 */
	KUNIT_EXPECT_EQ(test, d0.purged_pages + d1.purged_pages, 10);
	KUNIT_EXPECT_EQ(test, d0.purged_objects, 2);
	KUNIT_EXPECT_EQ(test, d1.purged_objects, 1);
	KUNIT_EXPECT_EQ(test, d1.skipped[DRM_SHRINKER_SKIP_BUSY], 1);
	KUNIT_EXPECT_EQ(test, d0.skipped[DRM_SHRINKER_SKIP_PINNED], 1);
	KUNIT_EXPECT_EQ(test, d0.scanned + d1.scanned, 5);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 3);
	KUNIT_EXPECT_EQ(test, global.pages[0], 6 + 2 + 3);
}

/* A shmem object with pages that hold a pattern, put at test exit. */
static struct drm_gem_shmem_object *drm_shrinker_test_shmem(struct kunit *test,
							    unsigned int pages)
{
	struct drm_device *dev = drm_shrinker_test_dev(test, 0);
	struct drm_gem_shmem_object *shmem;
	struct iosys_map map;
	int ret;

	shmem = drm_gem_shmem_create(dev, pages * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	ret = kunit_add_action_or_reset(test, drm_shrinker_test_put, &shmem->base);
	KUNIT_ASSERT_EQ(test, ret, 0);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(shmem, &map);
	if (!ret) {
		iosys_map_memset(&map, 0, 0xa5, pages * PAGE_SIZE);
		drm_gem_shmem_vunmap_locked(shmem, &map);
	}
	dma_resv_unlock(shmem->base.resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return shmem;
}

static int drm_shrinker_test_shmem_madvise(struct drm_gem_shmem_object *shmem,
					   int madv)
{
	int ret;

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_madvise_locked(shmem, madv);
	dma_resv_unlock(shmem->base.resv);
	return ret;
}

static unsigned long drm_shrinker_test_shmem_file_pages(struct drm_gem_shmem_object *shmem)
{
	return file_inode(shmem->base.filp)->i_mapping->nrpages;
}

/*
 * shmem objects and objects of another memory manager are purged by the
 * same scan, in LRU order, each through its own callback.
 */
static void drm_test_shrinker_two_memory_managers(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *f1 = drm_shrinker_test_obj(test, 0, 1);
	struct drm_gem_shmem_object *s = drm_shrinker_test_shmem(test, 4);
	struct drm_shrinker_test_obj *f2 = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *f3 = drm_shrinker_test_obj(test, 0, 1);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_shmem_file_pages(s), 4);
	drm_shrinker_test_dontneed(f1);
	KUNIT_EXPECT_TRUE(test, drm_shrinker_test_shmem_madvise(s, 1));
	drm_shrinker_test_dontneed(f2);
	drm_shrinker_test_dontneed(f3);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 4);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).pages[0], 7);
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&s->base));

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 6), 6);
	KUNIT_EXPECT_TRUE(test, f1->purged);
	KUNIT_EXPECT_EQ(test, s->madv, -1);
	KUNIT_EXPECT_NULL(test, s->pages);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_shmem_file_pages(s), 0);
	KUNIT_EXPECT_TRUE(test, f2->purged);
	KUNIT_EXPECT_FALSE(test, f3->purged);
	KUNIT_ASSERT_EQ(test, t->nr_purged, 2);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[0], &f1->base);
	KUNIT_EXPECT_PTR_EQ(test, t->purged[1], &f2->base);
	KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&s->base));
}

/* A vmapped or pinned shmem object is skipped until released. */
static void drm_test_shrinker_shmem_in_use(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_gem_shmem_object *v = drm_shrinker_test_shmem(test, 1);
	struct drm_gem_shmem_object *p = drm_shrinker_test_shmem(test, 2);
	struct drm_shrinker_stats stats;
	struct iosys_map map;
	int ret;

	dma_resv_lock(v->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(v, &map);
	dma_resv_unlock(v->base.resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_pin(p), 0);
	drm_shrinker_test_shmem_madvise(v, 1);
	drm_shrinker_test_shmem_madvise(p, 1);

	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_NOT_NULL(test, v->pages);
	KUNIT_EXPECT_NOT_NULL(test, p->pages);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 2);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_PINNED], 2);

	dma_resv_lock(v->base.resv, NULL);
	drm_gem_shmem_vunmap_locked(v, &map);
	dma_resv_unlock(v->base.resv);
	drm_gem_shmem_unpin(p);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 3);
	KUNIT_EXPECT_EQ(test, v->madv, -1);
	KUNIT_EXPECT_EQ(test, p->madv, -1);
}

/*
 * A purged shmem object stays purged: WILLNEED reports it gone, and
 * nothing gets pages for it again. WILLNEED before the scan keeps the
 * contents.
 */
static void drm_test_shrinker_shmem_purged_stays(struct kunit *test)
{
	struct drm_gem_shmem_object *gone = drm_shrinker_test_shmem(test, 1);
	struct drm_gem_shmem_object *kept = drm_shrinker_test_shmem(test, 1);
	struct iosys_map map;
	int ret;

	drm_shrinker_test_shmem_madvise(gone, 1);
	drm_shrinker_test_shmem_madvise(kept, 1);
	KUNIT_EXPECT_TRUE(test, drm_shrinker_test_shmem_madvise(kept, 0));
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);

	KUNIT_EXPECT_FALSE(test, drm_shrinker_test_shmem_madvise(gone, 0));
	KUNIT_EXPECT_FALSE(test, drm_shrinker_test_shmem_madvise(gone, 1));
	KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&gone->base));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_pin(gone), -EINVAL);
	dma_resv_lock(gone->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(gone, &map);
	dma_resv_unlock(gone->base.resv);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_NULL(test, gone->pages);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_object_status(&gone->base), 0);

	dma_resv_lock(kept->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(kept, &map);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, iosys_map_rd(&map, 0, u8), 0xa5);
		KUNIT_EXPECT_EQ(test, iosys_map_rd(&map, PAGE_SIZE - 1, u8), 0xa5);
		drm_gem_shmem_vunmap_locked(kept, &map);
	}
	dma_resv_unlock(kept->base.resv);
	KUNIT_EXPECT_EQ(test, ret, 0);
}

#define DRM_SHRINKER_TEST_ROUNDS 200

struct drm_shrinker_test_race {
	struct kunit *test;
	struct drm_shrinker_test_obj *objs[16];
	struct completion done[2];
	/* Objects the freer made, and how many of them were freed. */
	unsigned long made;
	atomic_t freed;
};

/* Counts the frees of the freer's objects. */
static void drm_shrinker_test_free_counted(struct drm_gem_object *obj)
{
	struct drm_shrinker_test_race *race = to_test_obj(obj)->t->race;

	atomic_inc(&race->freed);
	drm_shrinker_test_free(obj);
}

static const struct drm_gem_object_funcs drm_shrinker_test_counted_funcs = {
	.free = drm_shrinker_test_free_counted,
	.purge = drm_shrinker_test_purge,
};

/*
 * Marks the shared objects DONTNEED and WILLNEED again and again, as a
 * driver's madvise would: a purged object it leaves alone (memory
 * managers refuse to mark those), so whether a purged object left the
 * list is up to the shrinker alone.
 */
static int drm_shrinker_test_madviser(void *data)
{
	struct drm_shrinker_test_race *race = data;
	unsigned int round, i;

	for (round = 0; round < DRM_SHRINKER_TEST_ROUNDS; round++) {
		for (i = 0; i < ARRAY_SIZE(race->objs); i++) {
			struct drm_shrinker_test_obj *tobj = race->objs[i];

			dma_resv_lock(tobj->base.resv, NULL);
			if (tobj->purged)
				;
			else if ((round + i) % 2)
				drm_shrinker_remove_locked(&tobj->base);
			else
				drm_shrinker_add_locked(&tobj->base,
							DRM_SHRINKER_PURGEABLE,
							page_folio(tobj->page));
			dma_resv_unlock(tobj->base.resv);
		}
		cond_resched();
	}
	complete(&race->done[0]);
	return 0;
}

/* Creates objects, marks them DONTNEED and frees them, racing scans. */
static int drm_shrinker_test_freer(void *data)
{
	struct drm_shrinker_test_race *race = data;
	struct drm_shrinker_test *t = race->test->priv;
	unsigned int round;

	for (round = 0; round < DRM_SHRINKER_TEST_ROUNDS; round++) {
		struct drm_shrinker_test_obj *tobj;

		tobj = drm_shrinker_test_obj_new(t, t->devs[round % 2], 1);
		if (!tobj)
			break;
		tobj->base.funcs = &drm_shrinker_test_counted_funcs;
		race->made++;
		drm_shrinker_test_dontneed(tobj);
		drm_gem_object_put(&tobj->base);
		cond_resched();
	}
	complete(&race->done[1]);
	return 0;
}

/*
 * madvise and free race against scans in kthreads. Afterwards no object
 * was purged twice, no purged object is still marked or counted, the
 * counts match the marked objects, and every object the freer made was
 * freed exactly once (a scan holds no reference, so none is left over).
 * Run with PROVE_LOCKING, this also shows the lock order holds.
 */
static void drm_test_shrinker_concurrent(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_race *race;
	struct task_struct *tasks[2];
	unsigned long marked = 0, scans = 0, purged = 0;
	unsigned int i;

	race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, race);
	race->test = test;
	t->race = race;
	drm_shrinker_test_dev(test, 1);
	for (i = 0; i < ARRAY_SIZE(race->objs); i++)
		race->objs[i] = drm_shrinker_test_obj(test, i % 2, 1);
	init_completion(&race->done[0]);
	init_completion(&race->done[1]);

	tasks[0] = kthread_run(drm_shrinker_test_madviser, race, "drm-shrinker-madv");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, tasks[0]);
	tasks[1] = kthread_run(drm_shrinker_test_freer, race, "drm-shrinker-free");
	if (IS_ERR(tasks[1]))
		wait_for_completion(&race->done[0]);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, tasks[1]);

	while (!completion_done(&race->done[0]) ||
	       !completion_done(&race->done[1])) {
		drm_shrinker_test_scan(test, 2);
		scans++;
		cond_resched();
	}
	wait_for_completion(&race->done[0]);
	wait_for_completion(&race->done[1]);

	for (i = 0; i < ARRAY_SIZE(race->objs); i++) {
		struct drm_shrinker_test_obj *tobj = race->objs[i];

		KUNIT_EXPECT_LE(test, tobj->purges, 1);
		if (tobj->purged) {
			purged++;
			KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&tobj->base));
		}
		if (drm_shrinker_is_purgeable(&tobj->base))
			marked++;
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&race->freed), race->made);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), marked);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_dev_pages(t->devs[0]) +
			drm_shrinker_test_dev_pages(t->devs[1]), marked);
	kunit_info(test, "%lu scans raced %u madvise rounds and %lu frees; %lu of 16 shared objects purged\n",
		   scans, DRM_SHRINKER_TEST_ROUNDS, race->made, purged);
}

/* A scan or a free run by a kthread, which says when it is done. */
struct drm_shrinker_test_job {
	struct drm_shrinker_test *t;
	struct drm_gem_object *obj;
	struct task_struct *task;
	struct completion done;
};

/* Scans everything of the case's shrinker. */
static int drm_shrinker_test_scanner(void *data)
{
	struct drm_shrinker_test_job *job = data;

	drm_shrinker_scan(job->t->shrinker, ULONG_MAX, GFP_KERNEL);
	/* For every wait: the case waits for a job more than once. */
	complete_all(&job->done);
	return 0;
}

/* Drops the last reference of the job's object. */
static int drm_shrinker_test_putter(void *data)
{
	struct drm_shrinker_test_job *job = data;

	drm_gem_object_put(job->obj);
	complete_all(&job->done);
	return 0;
}

/*
 * Whether @done completed: a hang detector, not a measure (a correct run
 * completes at once, a wrong one never).
 */
static bool drm_shrinker_test_done(struct completion *done)
{
	return wait_for_completion_timeout(done, 10 * HZ) != 0;
}

/* drm_test_shrinker_free_waits_for_one()'s gates, jobs and objects. */
struct drm_shrinker_test_waits {
	struct drm_shrinker_test_gate gates[2];
	/* The scan, and the frees of a and c. */
	struct drm_shrinker_test_job jobs[3];
	/* a and c (b is put by a test action) until a job puts them. */
	struct drm_gem_object *objs[3];
};

/*
 * At the case's exit, passed or not: open the gates, wait for the jobs
 * that started and stop them, and put the objects no job put.
 */
static void drm_shrinker_test_waits_fini(void *data)
{
	struct drm_shrinker_test_waits *w = data;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(w->gates); i++)
		complete_all(&w->gates[i].go);
	for (i = 0; i < ARRAY_SIZE(w->jobs); i++) {
		struct drm_shrinker_test_job *job = &w->jobs[i];

		if (job->task) {
			wait_for_completion(&job->done);
			kthread_stop(job->task);
			put_task_struct(job->task);
		}
	}
	/* What no job put. */
	for (i = 0; i < ARRAY_SIZE(w->objs); i++) {
		if (w->objs[i])
			drm_gem_object_put(w->objs[i]);
	}
}

/*
 * Start @job in a kthread that the job keeps a reference on, and wait
 * until it is done or sleeps (a putter sleeps only in
 * drm_shrinker_forget(), a scanner at a gate).
 */
static void drm_shrinker_test_start(struct kunit *test,
				    struct drm_shrinker_test_job *job,
				    int (*fn)(void *))
{
	struct task_struct *task;

	job->t = test->priv;
	task = kthread_create(fn, job, "drm-shrinker-job");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	get_task_struct(task);
	job->task = task;
	wake_up_process(task);
	while (!completion_done(&job->done) &&
	       !(READ_ONCE(task->__state) & TASK_UNINTERRUPTIBLE))
		schedule_timeout_uninterruptible(1);
}

/*
 * A free waits for at most the callback a scan is running when it comes:
 * a scan of a batch (a, b, c) runs a's callback; the frees of a and of c
 * (isolated, its turn not come) start, then a's callback returns; both
 * frees end while b's callback still runs, and c is not purged: it is
 * counted as gone. On a scan that let the batch go only at its end, both
 * frees would wait for b's callback, which waits here for them.
 */
static void drm_test_shrinker_free_waits_for_one(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *tobjs[3];
	struct drm_shrinker_test_waits *w;
	struct drm_shrinker_stats stats;
	unsigned int i;
	int ret;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < ARRAY_SIZE(w->gates); i++) {
		init_completion(&w->gates[i].entered);
		init_completion(&w->gates[i].go);
	}
	for (i = 0; i < ARRAY_SIZE(w->jobs); i++)
		init_completion(&w->jobs[i].done);
	/*
	 * b is put at exit, after the gates open (actions run in reverse
	 * order); a and c by the case's kthreads.
	 */
	tobjs[1] = drm_shrinker_test_obj(test, 0, 1);
	ret = kunit_add_action_or_reset(test, drm_shrinker_test_waits_fini, w);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (i = 0; i < 3; i += 2) {
		tobjs[i] = drm_shrinker_test_obj_new(t, t->devs[0], 1);
		KUNIT_ASSERT_NOT_NULL(test, tobjs[i]);
		w->objs[i] = &tobjs[i]->base;
	}
	tobjs[0]->gate = &w->gates[0];
	tobjs[1]->gate = &w->gates[1];
	for (i = 0; i < 3; i++)
		drm_shrinker_test_dontneed(tobjs[i]);

	/* jobs[0] scans; jobs[1] and jobs[2] free a and c. */
	drm_shrinker_test_start(test, &w->jobs[0], drm_shrinker_test_scanner);
	KUNIT_ASSERT_TRUE(test, drm_shrinker_test_done(&w->gates[0].entered));
	for (i = 1; i < 3; i++) {
		unsigned int o = i == 1 ? 0 : 2;

		w->jobs[i].obj = w->objs[o];
		drm_shrinker_test_start(test, &w->jobs[i], drm_shrinker_test_putter);
		/* The job puts it now. */
		w->objs[o] = NULL;
	}
	/* Not done yet: a is in its callback, c isolated behind it. */
	KUNIT_EXPECT_FALSE(test, completion_done(&w->jobs[1].done));
	KUNIT_EXPECT_FALSE(test, completion_done(&w->jobs[2].done));

	complete_all(&w->gates[0].go);
	KUNIT_ASSERT_TRUE(test, drm_shrinker_test_done(&w->gates[1].entered));
	KUNIT_EXPECT_TRUE_MSG(test, drm_shrinker_test_done(&w->jobs[1].done),
			      "a's free waited past a's callback");
	KUNIT_EXPECT_TRUE_MSG(test, drm_shrinker_test_done(&w->jobs[2].done),
			      "c's free waited past a's callback");
	KUNIT_EXPECT_FALSE(test, completion_done(&w->jobs[0].done));

	complete_all(&w->gates[1].go);
	KUNIT_ASSERT_TRUE(test, drm_shrinker_test_done(&w->jobs[0].done));
	KUNIT_EXPECT_EQ(test, tobjs[1]->purges, 1);
	KUNIT_EXPECT_EQ(test, t->nr_purged, 2);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_GONE], 1);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 2);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_count(test), 0);
}

/*
 * A purge its callback started (-EINPROGRESS) keeps the object on the
 * list, counted once as pending, however many scans meet it, until the
 * driver finishes it with drm_shrinker_purge_locked(): then it is purged
 * and counted, in purged_by for the scan that started it, not scanned,
 * and nothing is pending.
 */
static void drm_test_shrinker_pending(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 2);
	struct drm_shrinker_stats stats;

	drm_shrinker_test_dontneed(a);
	a->refuse = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, a->purges, 2);
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&a->base));
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.pending, 1);
	KUNIT_EXPECT_EQ(test, stats.skipped[DRM_SHRINKER_SKIP_PENDING], 2);
	/* Counted when done, for the scan that started it. */
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_OTHER], 0);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).pending, 1);

	a->refuse = 0;
	dma_resv_lock(a->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_purge_locked(&a->base), 2);
	dma_resv_unlock(a->base.resv);
	KUNIT_EXPECT_TRUE(test, a->purged);
	KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&a->base));
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.pending, 0);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.purged_pages, 2);
	KUNIT_EXPECT_EQ(test, stats.scanned, 2);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_OTHER], 1);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).pending, 0);

	/* Off the list: nothing left to finish. */
	dma_resv_lock(a->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_purge_locked(&a->base), -EAGAIN);
	dma_resv_unlock(a->base.resv);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.called_off, 0);

	/* Started and finished by the driver, outside a scan: "other". */
	drm_shrinker_test_dontneed(a);
	a->purged = false;
	a->refuse = -EINPROGRESS;
	dma_resv_lock(a->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_purge_locked(&a->base), -EINPROGRESS);
	a->refuse = 0;
	KUNIT_EXPECT_EQ(test, drm_shrinker_purge_locked(&a->base), 2);
	dma_resv_unlock(a->base.resv);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 2);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_OTHER], 2);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_KSWAPD], 0);
	KUNIT_EXPECT_EQ(test, stats.pending, 0);
}

/*
 * A purge that direct reclaim's scan starts and the driver finishes
 * counts for direct reclaim; one that fails where it was to end is no
 * longer pending, and is called off.
 */
static void drm_test_shrinker_pending_origin(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct reclaim_state direct = {};
	struct drm_shrinker_stats stats;
	unsigned int noreclaim;

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);
	a->refuse = -EINPROGRESS;
	b->refuse = -EINPROGRESS;
	noreclaim = memalloc_noreclaim_save();
	KUNIT_ASSERT_NULL(test, current->reclaim_state);
	current->reclaim_state = &direct;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	current->reclaim_state = NULL;
	memalloc_noreclaim_restore(noreclaim);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.pending, 2);

	a->refuse = 0;
	b->refuse = -EIO;
	dma_resv_lock(a->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_purge_locked(&a->base), 1);
	dma_resv_unlock(a->base.resv);
	dma_resv_lock(b->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_purge_locked(&b->base), -EIO);
	dma_resv_unlock(b->base.resv);

	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 1);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_DIRECT], 1);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_OTHER], 0);
	KUNIT_EXPECT_EQ(test, stats.pending, 0);
	KUNIT_EXPECT_EQ(test, stats.called_off, 1);
	/* Still marked: a later scan may start it again. */
	KUNIT_EXPECT_TRUE(test, drm_shrinker_is_purgeable(&b->base));
}

/*
 * A purge started (-EINPROGRESS) whose object is marked WILLNEED before
 * it finishes is called off: counted as such, not as a purge, and no
 * longer pending; the purges by origin still add up to the purges.
 */
static void drm_test_shrinker_called_off(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_stats stats;
	unsigned long by = 0;
	unsigned int i;

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);
	a->refuse = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 1);
	drm_shrinker_test_willneed(a);
	KUNIT_EXPECT_FALSE(test, a->purged);

	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.pending, 0);
	KUNIT_EXPECT_EQ(test, stats.called_off, 1);
	KUNIT_EXPECT_EQ(test, stats.purged_objects, 1);
	for (i = 0; i < DRM_SHRINKER_ORIGIN_NR; i++)
		by += stats.purged_by[i];
	KUNIT_EXPECT_EQ(test, by, stats.purged_objects);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_global(t).called_off, 1);
}

/*
 * Scans count their purges by who asked: a scan started by hand (or by a
 * test) outside reclaim is "other", even with PF_MEMALLOC; one run with a
 * reclaim_state, as direct reclaim and a memory cgroup's reclaim run, is
 * "direct".
 */
static void drm_test_shrinker_origin(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct reclaim_state direct = {};
	struct drm_shrinker_stats stats;
	unsigned int noreclaim;

	drm_shrinker_test_dontneed(a);
	drm_shrinker_test_dontneed(b);
	/* PF_MEMALLOC alone is not reclaim: a scan runs with it anyway. */
	noreclaim = memalloc_noreclaim_save();
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	KUNIT_ASSERT_NULL(test, current->reclaim_state);
	current->reclaim_state = &direct;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 1), 1);
	current->reclaim_state = NULL;
	memalloc_noreclaim_restore(noreclaim);

	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_OTHER], 1);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_DIRECT], 1);
	KUNIT_EXPECT_EQ(test, stats.purged_by[DRM_SHRINKER_KSWAPD], 0);
}

/*
 * SHRINK_EMPTY only when both lists are empty: a cgroup whose only
 * objects are evictable, which a reclaim without __GFP_IO cannot evict,
 * is told 0 (mm keeps its shrinker bit, and the next reclaim that may
 * evict calls the shrinker again), not SHRINK_EMPTY.
 */
static void drm_test_shrinker_empty_only_when_empty(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 2);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct shrink_control sc = drm_shrinker_test_sc(128);
	struct reclaim_state rs = {};

	drm_shrinker_assume_swap(t->shrinker);
	/* Where the evictable pages count whole. */
	sc.swappiness = SHRINKER_MAX_SWAPPINESS;
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), SHRINK_EMPTY);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, DRM_SHRINKER_EVICTABLE), 0);
	/* Counted as memory reclaim counts. */
	KUNIT_ASSERT_NULL(test, current->reclaim_state);
	current->reclaim_state = &rs;
	sc.gfp_mask = GFP_NOIO;
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 0);
	sc.gfp_mask = GFP_KERNEL;
	/* Its 2 pages at seeks / 4 of them, rounded up. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 1);
	current->reclaim_state = NULL;
	/* Outside reclaim (drop_caches), whose scan would not evict: 0. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_count_objects(mm, &sc), 0);
}

/*
 * Only memory reclaim evicts: the core MM's callback called outside it
 * (drop_caches, the debugfs scan: no reclaim_state) purges DONTNEED
 * objects and leaves evictable ones alone, which a reclaim then evicts.
 * The callbacks run with PF_MEMALLOC either way.
 */
static void drm_test_shrinker_evict_only_in_reclaim(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 2);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct shrink_control sc = drm_shrinker_test_sc(128);
	struct reclaim_state rs = {};

	drm_shrinker_assume_swap(t->shrinker);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, DRM_SHRINKER_PURGEABLE), 0);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_EVICTABLE), 0);
	KUNIT_ASSERT_FALSE(test, current->flags & PF_MEMALLOC);
	KUNIT_ASSERT_NULL(test, current->reclaim_state);

	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 1);
	KUNIT_EXPECT_TRUE(test, a->purged);
	KUNIT_EXPECT_TRUE(test, a->memalloc);
	KUNIT_EXPECT_EQ(test, b->purges, 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_listed(t, DRM_SHRINKER_EVICTABLE), 1);
	KUNIT_EXPECT_FALSE(test, current->flags & PF_MEMALLOC);

	sc = drm_shrinker_test_sc(128);
	current->reclaim_state = &rs;
	KUNIT_EXPECT_EQ(test, drm_shrinker_scan_objects(mm, &sc), 2);
	current->reclaim_state = NULL;
	KUNIT_EXPECT_TRUE(test, b->purged);
	KUNIT_EXPECT_TRUE(test, b->memalloc);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_listed(t, DRM_SHRINKER_EVICTABLE), 0);
}

struct drm_shrinker_test_wait_work {
	struct work_struct work;
	struct shrink_control sc;
	bool may_wait;
};

static void drm_shrinker_test_wait_work_fn(struct work_struct *work)
{
	struct drm_shrinker_test_wait_work *w =
		container_of(work, struct drm_shrinker_test_wait_work, work);
	struct reclaim_state rs = {};

	current->reclaim_state = &rs;
	w->may_wait = drm_shrinker_may_wait(&w->sc);
	current->reclaim_state = NULL;
}

/*
 * A callback may wait for its device only in memory reclaim whose
 * allocation may block and does not give up early, and not in a
 * workqueue worker (which may be the one the device's answer needs).
 */
static void drm_test_shrinker_may_wait(struct kunit *test)
{
	struct drm_shrinker_test_wait_work w = { .sc = drm_shrinker_test_sc(1) };
	struct shrink_control sc = drm_shrinker_test_sc(1);
	struct reclaim_state rs = {};

	/* Outside reclaim: drop_caches, a scan by hand. */
	KUNIT_EXPECT_FALSE(test, drm_shrinker_may_wait(&sc));

	KUNIT_ASSERT_NULL(test, current->reclaim_state);
	current->reclaim_state = &rs;
	KUNIT_EXPECT_TRUE(test, drm_shrinker_may_wait(&sc));
	sc.gfp_mask = GFP_NOWAIT;
	KUNIT_EXPECT_FALSE(test, drm_shrinker_may_wait(&sc));
	sc.gfp_mask = GFP_NOIO;
	KUNIT_EXPECT_TRUE(test, drm_shrinker_may_wait(&sc));
	sc.gfp_mask = GFP_KERNEL | __GFP_NORETRY;
	KUNIT_EXPECT_FALSE(test, drm_shrinker_may_wait(&sc));
	current->reclaim_state = NULL;

	/* In reclaim with GFP_KERNEL, but in a workqueue worker. */
	w.may_wait = true;
	INIT_WORK_ONSTACK(&w.work, drm_shrinker_test_wait_work_fn);
	queue_work(system_percpu_wq, &w.work);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	KUNIT_EXPECT_FALSE(test, w.may_wait);
}

/*
 * Eviction honours the swappiness of the reclaim (&shrink_control.swappiness)
 * as anon reclaim does: a reclaim counts the evictable pages at
 * swappiness / SHRINKER_MAX_SWAPPINESS of them times seeks / 4, rounded up, so
 * that reclaim asks for them as often as for anon pages; with swappiness 0 it
 * neither counts them (0, not SHRINK_EMPTY) nor looks at or evicts
 * them, and still purges DONTNEED objects.
 */
static void drm_test_shrinker_swappiness(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 100);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 1);
	struct shrinker *mm = drm_shrinker_mm(t->shrinker);
	struct shrink_control sc = drm_shrinker_test_sc(128);
	struct reclaim_state rs = {};
	unsigned long count[4], freed[2], purges, scanned;
	static const int swappiness[] = { 0, 1, 60, SHRINKER_MAX_SWAPPINESS };
	unsigned int i;

	drm_shrinker_assume_swap(t->shrinker);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, DRM_SHRINKER_EVICTABLE), 0);
	KUNIT_ASSERT_NULL(test, current->reclaim_state);
	current->reclaim_state = &rs;
	for (i = 0; i < ARRAY_SIZE(swappiness); i++) {
		sc.swappiness = swappiness[i];
		count[i] = drm_shrinker_count_objects(mm, &sc);
	}
	drm_shrinker_test_dontneed(b);
	sc.swappiness = 0;
	freed[0] = drm_shrinker_scan_objects(mm, &sc);
	purges = a->purges;
	scanned = sc.nr_scanned;
	sc = drm_shrinker_test_sc(128);
	freed[1] = drm_shrinker_scan_objects(mm, &sc);
	current->reclaim_state = NULL;

	/* Times seeks / 4: the shrinker's seeks is 1. */
	KUNIT_EXPECT_EQ(test, mm->seeks, 1);
	KUNIT_EXPECT_EQ(test, count[0], 0);
	KUNIT_EXPECT_EQ(test, count[1], 1);
	KUNIT_EXPECT_EQ(test, count[2], 8);
	KUNIT_EXPECT_EQ(test, count[3], 25);
	/* With 0: b purged, a neither evicted nor looked at. */
	KUNIT_EXPECT_EQ(test, freed[0], 1);
	KUNIT_EXPECT_TRUE(test, b->purged);
	KUNIT_EXPECT_EQ(test, purges, 0);
	KUNIT_EXPECT_EQ(test, scanned, 1);
	KUNIT_EXPECT_EQ(test, freed[1], 100);
	KUNIT_EXPECT_TRUE(test, a->purged);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_listed(t, DRM_SHRINKER_EVICTABLE), 0);
}

/*
 * What a callback is asked to write: a scan's budget when it comes to the
 * object; when a driver finishes outside a scan, the whole object for a
 * purge (drm_shrinker_purge_locked()) and nothing for an eviction
 * (drm_shrinker_evict_locked()), whose pages LRU reclaim writes when it
 * needs to, not a worker outside the reclaim that asked.
 */
static void drm_test_shrinker_finish_writes_nothing(struct kunit *test)
{
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 2);
	struct drm_shrinker_test_obj *b = drm_shrinker_test_obj(test, 0, 2);

	drm_shrinker_assume_swap(t->shrinker);
	drm_shrinker_test_dontneed(a);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(b, DRM_SHRINKER_EVICTABLE), 0);
	a->refuse = -EINPROGRESS;
	b->refuse = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, 128), 0);
	KUNIT_EXPECT_GT(test, a->nr_to_scan, 0);
	KUNIT_EXPECT_GT(test, b->nr_to_scan, 0);

	a->refuse = 0;
	b->refuse = 0;
	dma_resv_lock(a->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_purge_locked(&a->base), 2);
	dma_resv_unlock(a->base.resv);
	dma_resv_lock(b->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_shrinker_evict_locked(&b->base), 2);
	dma_resv_unlock(b->base.resv);
	KUNIT_EXPECT_EQ(test, a->nr_to_scan, 2);
	KUNIT_EXPECT_EQ(test, b->nr_to_scan, 0);
	KUNIT_EXPECT_TRUE(test, b->purged);
}

struct drm_shrinker_test_sticky_param {
	const char *desc;
	enum drm_shrinker_list list;
};

static const struct drm_shrinker_test_sticky_param drm_shrinker_test_sticky_params[] = {
	{ "purgeable", DRM_SHRINKER_PURGEABLE },
	{ "evictable", DRM_SHRINKER_EVICTABLE },
};

static void drm_shrinker_test_sticky_desc(const struct drm_shrinker_test_sticky_param *p,
					  char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(drm_shrinker_test_sticky, drm_shrinker_test_sticky_params,
		  drm_shrinker_test_sticky_desc);

/*
 * An object once exported stays off the lists after &drm_gem_object.dma_buf
 * is cleared (its last GEM handle closed while the dma-buf and its
 * mappings live on): put on a list again (a madvise through a
 * self-import, a signalled fence, a vunmap) it is neither counted nor
 * reclaimed. An object listed before its export leaves the list at once.
 */
static void drm_test_shrinker_dmabuf_sticky(struct kunit *test)
{
	const struct drm_shrinker_test_sticky_param *p = test->param_value;
	struct drm_shrinker_test *t = test->priv;
	struct drm_shrinker_test_obj *a = drm_shrinker_test_obj(test, 0, 1);
	struct drm_shrinker_stats stats;

	drm_shrinker_assume_swap(t->shrinker);
	KUNIT_ASSERT_EQ(test, drm_shrinker_test_add(a, p->list), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_listed(t, p->list), 1);

	/* What drm_prime.c does before it exports. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_share(&a->base), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_listed(t, p->list), 0);
	KUNIT_EXPECT_FALSE(test, drm_shrinker_is_purgeable(&a->base));

	/* The dma-buf lives on, its last handle gone: listed again. */
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_add(a, p->list), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_listed(t, p->list), 0);
	KUNIT_EXPECT_EQ(test, drm_shrinker_test_scan(test, ULONG_MAX), 0);
	KUNIT_EXPECT_EQ(test, a->purges, 0);
	KUNIT_EXPECT_FALSE(test, a->purged);
	drm_shrinker_read_stats(NULL, t->devs[0], &stats);
	KUNIT_EXPECT_EQ(test, stats.purged_objects + stats.evicted_objects, 0);
}

static struct kunit_case drm_shrinker_tests[] = {
	KUNIT_CASE(drm_test_shrinker_empty),
	KUNIT_CASE(drm_test_shrinker_count),
	KUNIT_CASE(drm_test_shrinker_count_freeable),
	KUNIT_CASE(drm_test_shrinker_oldest_first),
	KUNIT_CASE(drm_test_shrinker_marked_again),
	KUNIT_CASE(drm_test_shrinker_referenced),
	KUNIT_CASE_PARAM(drm_test_shrinker_interleaved, drm_shrinker_test_devs_gen_params),
	KUNIT_CASE(drm_test_shrinker_fairness),
	KUNIT_CASE(drm_test_shrinker_sizes_proportional),
	KUNIT_CASE(drm_test_shrinker_nr_to_scan),
	KUNIT_CASE(drm_test_shrinker_stop),
	KUNIT_CASE(drm_test_shrinker_reclaim_credit),
	KUNIT_CASE_PARAM(drm_test_shrinker_busy_skipped, drm_shrinker_test_busy_gen_params),
	KUNIT_CASE_PARAM(drm_test_shrinker_refused, drm_shrinker_test_refuse_gen_params),
	KUNIT_CASE(drm_test_shrinker_contended),
	KUNIT_CASE(drm_test_shrinker_shared_resv),
	KUNIT_CASE(drm_test_shrinker_shared_resv_contended),
	KUNIT_CASE(drm_test_shrinker_shared_resv_finish),
	KUNIT_CASE(drm_test_shrinker_pending),
	KUNIT_CASE(drm_test_shrinker_called_off),
	KUNIT_CASE(drm_test_shrinker_pending_origin),
	KUNIT_CASE(drm_test_shrinker_origin),
	KUNIT_CASE_PARAM(drm_test_shrinker_dmabuf, drm_shrinker_test_dmabuf_gen_params),
	KUNIT_CASE_PARAM(drm_test_shrinker_dmabuf_sticky, drm_shrinker_test_sticky_gen_params),
	KUNIT_CASE(drm_test_shrinker_empty_only_when_empty),
	KUNIT_CASE(drm_test_shrinker_evict_only_in_reclaim),
	KUNIT_CASE(drm_test_shrinker_swappiness),
	KUNIT_CASE(drm_test_shrinker_may_wait),
	KUNIT_CASE(drm_test_shrinker_finish_writes_nothing),
	KUNIT_CASE(drm_test_shrinker_willneed_kept),
	KUNIT_CASE(drm_test_shrinker_willneed_in_place),
	KUNIT_CASE(drm_test_shrinker_willneed_budget),
	KUNIT_CASE(drm_test_shrinker_remarked_in_scan),
	KUNIT_CASE(drm_test_shrinker_used_in_scan),
	KUNIT_CASE(drm_test_shrinker_purged_once),
	KUNIT_CASE(drm_test_shrinker_pause),
	KUNIT_CASE(drm_test_shrinker_freed_on_lru),
	KUNIT_CASE(drm_test_shrinker_dev_unplugged),
	KUNIT_CASE(drm_test_shrinker_stats_sum),
	KUNIT_CASE(drm_test_shrinker_two_memory_managers),
	KUNIT_CASE(drm_test_shrinker_shmem_in_use),
	KUNIT_CASE(drm_test_shrinker_shmem_purged_stays),
	KUNIT_CASE(drm_test_shrinker_concurrent),
	KUNIT_CASE(drm_test_shrinker_free_waits_for_one),
	{}
};

static struct kunit_suite drm_shrinker_test_suite = {
	.name = "drm_shrinker",
	.init = drm_shrinker_test_init,
	.test_cases = drm_shrinker_tests,
};

kunit_test_suite(drm_shrinker_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_DESCRIPTION("KUnit tests for the DRM shrinker");
MODULE_LICENSE("GPL");
