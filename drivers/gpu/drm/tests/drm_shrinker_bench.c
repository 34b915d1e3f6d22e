// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the DRM shrinker against the code it replaces.
 *
 * Loading this module measures, for each object count in ``sizes=``
 * (default 1000, 10000, 100000 and 1000000 objects of one page each):
 *
 *  count  drm_shrinker_count(), the sum over the CPUs of the objects
 *         counted as purgeable, against the count of
 *         6.12's panfrost_gem_shrinker.c: a walk of a driver list under a
 *         mutex, testing each object;
 *  bump   a use of a listed object (drm_shrinker_add_locked() on the list
 *         it is on, which marks it used for the next scan to move), with
 *         its reservation lock taken, against drm_gem_lru_move_tail();
 *  age    per object, the scan that then passes over every used object
 *         (and moves it to the tail): the part of a use that the mark
 *         leaves to reclaim, which drm_gem_lru_move_tail() pays at once;
 *  scan   purging every object with drm_shrinker_scan(), per object,
 *         against drm_gem_lru_scan() on the same objects; ours not used
 *         since they were listed (a scan gives used ones a second chance).
 *
 * Both sides run on the same objects, one after the other, in this one
 * load: an object is on the DRM shrinker or on the drm_gem_lru, never
 * both (they share &drm_gem_object.lru_node), so each round moves them
 * from one to the other. All objects hold the same one page, which
 * gives the shrinker their node and cgroup. The objects belong to a fake
 * memory manager whose purge callback only marks them purged, so the
 * numbers are the shrinker's own cost. The results go to the kernel log,
 * one line per count:
 *
 *	drm_shrinker_bench: objects=1000 rounds=200 count_ps=... ...
 *
 * with every time in picoseconds per call or per object, bumps and
 * scans the fastest of the rounds the line gives (``rounds=`` sets them;
 * by default at least 3, and enough for 200000 objects: 200 at 1000).
 *
 * The module checks what each side computed (every count, every object
 * purged once) and fails to load if anything is wrong, or with -EBUSY if
 * the DRM shrinker's LRU holds objects of real devices: the benchmark
 * wants the LRU to itself. Unload it afterwards.
 */

#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_shrinker.h>

static unsigned int sizes[8] = { 1000, 10000, 100000, 1000000 };
static int nr_sizes = 4;
module_param_array(sizes, uint, &nr_sizes, 0444);
MODULE_PARM_DESC(sizes, "Object counts to measure at (default: 1000,10000,100000,1000000)");

/* A measurement runs at least this long and this many times. */
#define DRM_SHRINKER_BENCH_MIN_NS	(50 * NSEC_PER_MSEC)
#define DRM_SHRINKER_BENCH_MIN_CALLS	5
/*
 * Bumps and scans run in rounds, alternating sides, the fastest round
 * counting: at least this many, and enough for each side to go over
 * this many objects in all. A scan of 1e3 objects takes under a
 * millisecond, so that a timer tick, or a task that the scan's
 * cond_resched() lets run, weighs a lot in one round: with three rounds
 * the ratio at 1e3 and 1e4 objects moved by up to 0.48 from load to load.
 */
#define DRM_SHRINKER_BENCH_MIN_ROUNDS	3
#define DRM_SHRINKER_BENCH_ROUND_OBJS	200000

static unsigned int rounds;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Rounds of bumps and scans per object count (default: 0, at least 3 and enough to go over 200000 objects)");

/* The benchmark's state: a fake device and its objects. */
struct drm_shrinker_bench {
	struct platform_device *pdev;
	struct drm_device *drm;
	struct drm_gem_object **objs;
	unsigned int nr_objs;
	/* Objects purged by either side's purge callback. */
	unsigned long purged;
	/* The panfrost-style anchor: a driver list under a mutex. */
	struct mutex madv_lock;
	struct list_head madv_list;
	/* The drm_gem_lru anchor, under the device's gem_lru_mutex. */
	struct drm_gem_lru lru;
	/* The memory every object says it holds. */
	struct page *page;
};

static struct drm_shrinker_bench drm_shrinker_bench;

/* An object of the fake memory manager. */
struct drm_shrinker_bench_obj {
	struct drm_gem_object base;
	/* Link in madv_list, under madv_lock, as panfrost's madv_list. */
	struct list_head madv_node;
	int madv;
	bool purged;
};

static struct drm_shrinker_bench_obj *
to_drm_shrinker_bench_obj(struct drm_gem_object *obj)
{
	return container_of(obj, struct drm_shrinker_bench_obj, base);
}

/* Purging only marks the object: nothing is measured but the shrinker. */
static long drm_shrinker_bench_purge(struct drm_gem_object *obj,
				     struct shrink_control *sc)
{
	struct drm_shrinker_bench_obj *bobj = to_drm_shrinker_bench_obj(obj);

	dma_resv_assert_held(obj->resv);
	if (bobj->purged)
		return -EINVAL;
	bobj->purged = true;
	drm_shrinker_bench.purged++;
	return obj->size >> PAGE_SHIFT;
}

static void drm_shrinker_bench_free(struct drm_gem_object *obj)
{
	struct drm_shrinker_bench_obj *bobj = to_drm_shrinker_bench_obj(obj);

	mutex_lock(&drm_shrinker_bench.madv_lock);
	list_del(&bobj->madv_node);
	mutex_unlock(&drm_shrinker_bench.madv_lock);
	drm_gem_object_release(obj);
	kfree(bobj);
}

static const struct drm_gem_object_funcs drm_shrinker_bench_funcs = {
	.free = drm_shrinker_bench_free,
	.purge = drm_shrinker_bench_purge,
};

static const struct drm_driver drm_shrinker_bench_driver = {
	.driver_features = DRIVER_GEM,
	.name = "drm_shrinker_bench",
	.desc = "DRM shrinker benchmark",
	.major = 1,
};

/* The count of 6.12's panfrost_gem_shrinker_count(), on our objects. */
static unsigned long drm_shrinker_bench_walk_count(void)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	struct drm_shrinker_bench_obj *bobj;
	unsigned long count = 0;

	if (!mutex_trylock(&b->madv_lock))
		return 0;
	list_for_each_entry(bobj, &b->madv_list, madv_node) {
		if (bobj->madv > 0 && !bobj->base.import_attach &&
		    !bobj->base.dma_buf)
			count += bobj->base.size >> PAGE_SHIFT;
	}
	mutex_unlock(&b->madv_lock);
	return count;
}

/*
 * Picoseconds per call of @count, which must return @want: called in
 * batches that double until a batch takes long enough.
 */
static int drm_shrinker_bench_time_count(unsigned long (*count)(void),
					 unsigned long want, u64 *ps)
{
	unsigned long batch = 1, i, got = 0;
	u64 start, elapsed;

	for (;;) {
		start = ktime_get_ns();
		for (i = 0; i < batch; i++)
			got |= count() ^ want;
		elapsed = ktime_get_ns() - start;
		if (got)
			return -EINVAL;
		if (elapsed >= DRM_SHRINKER_BENCH_MIN_NS &&
		    batch >= DRM_SHRINKER_BENCH_MIN_CALLS)
			break;
		batch *= 2;
		cond_resched();
	}
	*ps = div64_u64(elapsed * 1000, batch);
	return 0;
}

static unsigned long drm_shrinker_bench_count(void)
{
	return drm_shrinker_count(NULL);
}

/* madvise(DONTNEED) on one side: onto its LRU, unpurged. */
static int drm_shrinker_bench_dontneed(struct drm_gem_object *obj, bool anchor)
{
	int ret = 0;

	dma_resv_lock(obj->resv, NULL);
	to_drm_shrinker_bench_obj(obj)->purged = false;
	if (anchor)
		drm_gem_lru_move_tail(&drm_shrinker_bench.lru, obj);
	else
		ret = drm_shrinker_add_locked(obj, DRM_SHRINKER_PURGEABLE,
					      page_folio(drm_shrinker_bench.page));
	dma_resv_unlock(obj->resv);
	return ret;
}

static int drm_shrinker_bench_alloc(unsigned int n)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	struct drm_shrinker_bench_obj *bobj;
	unsigned int i;

	b->objs = kvmalloc_array(n, sizeof(*b->objs), GFP_KERNEL);
	if (!b->objs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		bobj = kzalloc_obj(*bobj);
		if (!bobj)
			return -ENOMEM;
		bobj->base.funcs = &drm_shrinker_bench_funcs;
		drm_gem_private_object_init(b->drm, &bobj->base, PAGE_SIZE);
		b->objs[b->nr_objs++] = &bobj->base;
		if (drm_shrinker_bench_dontneed(&bobj->base, false))
			return -ENOMEM;
		mutex_lock(&b->madv_lock);
		bobj->madv = 1;
		list_add_tail(&bobj->madv_node, &b->madv_list);
		mutex_unlock(&b->madv_lock);
		if (!(i % 1024))
			cond_resched();
	}
	return 0;
}

static void drm_shrinker_bench_free_all(void)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	unsigned int i;

	for (i = 0; i < b->nr_objs; i++) {
		drm_gem_object_put(b->objs[i]);
		if (!(i % 1024))
			cond_resched();
	}
	kvfree(b->objs);
	b->objs = NULL;
	b->nr_objs = 0;
}

/* Picoseconds per bump of every object, in LRU order, by one side. */
static u64 drm_shrinker_bench_time_bump(bool anchor)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	struct drm_gem_object *obj;
	unsigned int i;
	u64 start;

	start = ktime_get_ns();
	for (i = 0; i < b->nr_objs; i++) {
		obj = b->objs[i];
		dma_resv_lock(obj->resv, NULL);
		if (anchor)
			drm_gem_lru_move_tail(&b->lru, obj);
		else
			drm_shrinker_add_locked(obj, DRM_SHRINKER_PURGEABLE,
						page_folio(b->page));
		dma_resv_unlock(obj->resv);
		if (!(i % 1024))
			cond_resched();
	}
	return div64_u64((ktime_get_ns() - start) * 1000, b->nr_objs);
}

/* Take every object off the shrinker's lists, as madvise(WILLNEED) would. */
static void drm_shrinker_bench_remove_all(void)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	struct drm_gem_object *obj;
	unsigned int i;

	for (i = 0; i < b->nr_objs; i++) {
		obj = b->objs[i];
		dma_resv_lock(obj->resv, NULL);
		drm_shrinker_remove_locked(obj);
		dma_resv_unlock(obj->resv);
		if (!(i % 1024))
			cond_resched();
	}
}

/*
 * Picoseconds per object of a scan that meets every object used since it
 * was listed: it purges none, and leaves them all listed. Not inlined,
 * nor is drm_shrinker_bench_time_scan(): a profile (perf's call graphs)
 * tells the two scans apart by their caller, by name while the module's
 * symbols are loaded, else by the address the call returns to.
 */
static noinline int drm_shrinker_bench_time_age(u64 *ps)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	unsigned long freed;
	u64 start, elapsed;

	b->purged = 0;
	start = ktime_get_ns();
	freed = drm_shrinker_scan(NULL, b->nr_objs, GFP_KERNEL);
	elapsed = ktime_get_ns() - start;
	if (freed || b->purged || drm_shrinker_count(NULL) != b->nr_objs) {
		pr_err("drm_shrinker_bench: a scan of used objects freed %lu pages, purged %lu, left %lu of %u listed\n",
		       freed, b->purged, drm_shrinker_count(NULL), b->nr_objs);
		return -EINVAL;
	}
	*ps = div64_u64(elapsed * 1000, b->nr_objs);
	return 0;
}

/* Put every purged object back on one side, as madvise(DONTNEED) would. */
static int drm_shrinker_bench_readd(bool anchor)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	unsigned int i;

	for (i = 0; i < b->nr_objs; i++) {
		if (drm_shrinker_bench_dontneed(b->objs[i], anchor))
			return -ENOMEM;
		if (!(i % 1024))
			cond_resched();
	}
	return 0;
}

/*
 * drm_gem_lru_scan()'s callback: what msm's purge() checks before it
 * purges (the object is idle), the same purge, then off the LRU.
 */
static bool drm_shrinker_bench_lru_shrink(struct drm_gem_object *obj,
					  struct ww_acquire_ctx *ticket)
{
	if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
		return false;
	if (drm_shrinker_bench_purge(obj, NULL) < 0)
		return false;
	drm_gem_lru_remove(obj);
	return true;
}

/* Picoseconds per object to purge them all, by one side. */
static noinline int drm_shrinker_bench_time_scan(bool anchor, u64 *ps)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	unsigned long freed, remaining = 0;
	unsigned int i;
	u64 start, elapsed;

	/* Each side purges every object once: unmark them first. */
	for (i = 0; i < b->nr_objs; i++)
		to_drm_shrinker_bench_obj(b->objs[i])->purged = false;
	b->purged = 0;

	start = ktime_get_ns();
	if (anchor)
		freed = drm_gem_lru_scan(b->drm, &b->lru, b->nr_objs,
					 &remaining,
					 drm_shrinker_bench_lru_shrink, NULL);
	else
		freed = drm_shrinker_scan(NULL, b->nr_objs, GFP_KERNEL);
	elapsed = ktime_get_ns() - start;

	if (freed != b->nr_objs || b->purged != b->nr_objs) {
		pr_err("drm_shrinker_bench: %s freed %lu pages, purged %lu of %u objects\n",
		       anchor ? "drm_gem_lru_scan" : "drm_shrinker_scan", freed,
		       b->purged, b->nr_objs);
		return -EINVAL;
	}
	*ps = div64_u64(elapsed * 1000, b->nr_objs);
	return 0;
}

static int drm_shrinker_bench_run(unsigned int n)
{
	unsigned int nr_rounds = rounds ?: max(DRM_SHRINKER_BENCH_MIN_ROUNDS,
					       DIV_ROUND_UP(DRM_SHRINKER_BENCH_ROUND_OBJS, n));
	u64 count, walk, bump, lru_bump, scan, lru_scan, age, ps;
	unsigned int round;
	int ret;

	ret = drm_shrinker_bench_alloc(n);
	if (ret)
		goto out;

	ret = drm_shrinker_bench_time_count(drm_shrinker_bench_count, n, &count);
	if (!ret)
		ret = drm_shrinker_bench_time_count(drm_shrinker_bench_walk_count,
						    n, &walk);
	if (ret) {
		pr_err("drm_shrinker_bench: a count was not %u\n", n);
		goto out;
	}

	bump = U64_MAX;
	age = U64_MAX;
	lru_bump = U64_MAX;
	scan = U64_MAX;
	lru_scan = U64_MAX;
	/*
	 * Each round: the shrinker's side, then the anchor's. Ours scans
	 * objects as listed, then bumps them listed again: a scan passes
	 * over used ones once.
	 */
	for (round = 0; round < nr_rounds; round++) {
		if (round)
			ret = drm_shrinker_bench_readd(false);
		if (ret)
			goto out;
		ret = drm_shrinker_bench_time_scan(false, &ps);
		if (ret)
			goto out;
		scan = min(scan, ps);
		if (drm_shrinker_count(NULL)) {
			pr_err("drm_shrinker_bench: %lu objects left after the scan\n",
			       drm_shrinker_count(NULL));
			ret = -EINVAL;
			goto out;
		}
		ret = drm_shrinker_bench_readd(false);
		if (ret)
			goto out;
		bump = min(bump, drm_shrinker_bench_time_bump(false));
		ret = drm_shrinker_bench_time_age(&ps);
		if (ret)
			goto out;
		age = min(age, ps);
		drm_shrinker_bench_remove_all();
		if (drm_shrinker_count(NULL)) {
			pr_err("drm_shrinker_bench: %lu objects left after their removal\n",
			       drm_shrinker_count(NULL));
			ret = -EINVAL;
			goto out;
		}

		drm_shrinker_bench_readd(true);
		lru_bump = min(lru_bump, drm_shrinker_bench_time_bump(true));
		ret = drm_shrinker_bench_time_scan(true, &ps);
		if (ret)
			goto out;
		lru_scan = min(lru_scan, ps);
	}

	pr_info("drm_shrinker_bench: objects=%u rounds=%u count_ps=%llu walk_count_ps=%llu bump_ps=%llu lru_bump_ps=%llu scan_ps=%llu lru_scan_ps=%llu age_ps=%llu\n",
		n, nr_rounds, count, walk, bump, lru_bump, scan, lru_scan, age);
out:
	drm_shrinker_bench_free_all();
	return ret;
}

static int __init drm_shrinker_bench_init(void)
{
	struct drm_shrinker_bench *b = &drm_shrinker_bench;
	int i, ret = 0;

	for (i = 0; i < nr_sizes; i++)
		if (!sizes[i])
			return -EINVAL;
	if (drm_shrinker_count(NULL)) {
		pr_err("drm_shrinker_bench: the LRU holds %lu other objects\n",
		       drm_shrinker_count(NULL));
		return -EBUSY;
	}

	mutex_init(&b->madv_lock);
	INIT_LIST_HEAD(&b->madv_list);
	drm_gem_lru_init(&b->lru);

	b->page = alloc_page(GFP_KERNEL);
	if (!b->page)
		return -ENOMEM;
	b->pdev = platform_device_register_simple("drm_shrinker_bench",
						  PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(b->pdev)) {
		ret = PTR_ERR(b->pdev);
		goto err_page;
	}
	b->drm = drm_dev_alloc(&drm_shrinker_bench_driver, &b->pdev->dev);
	if (IS_ERR(b->drm)) {
		ret = PTR_ERR(b->drm);
		goto err_pdev;
	}

	pr_info("drm_shrinker_bench: sizeof drm_gem_object=%zu drm_shrinker_entry=%zu drm_gem_shmem_object=%zu\n",
		sizeof(struct drm_gem_object), sizeof(struct drm_shrinker_entry),
		sizeof(struct drm_gem_shmem_object));
	for (i = 0; i < nr_sizes && !ret; i++)
		ret = drm_shrinker_bench_run(sizes[i]);

	drm_dev_put(b->drm);
err_pdev:
	platform_device_unregister(b->pdev);
err_page:
	__free_page(b->page);
	return ret;
}

static void __exit drm_shrinker_bench_exit(void)
{
}

module_init(drm_shrinker_bench_init);
module_exit(drm_shrinker_bench_exit);

MODULE_DESCRIPTION("Benchmark of the DRM shrinker against per-driver shrinkers");
MODULE_LICENSE("GPL");
