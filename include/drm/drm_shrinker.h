/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One memory shrinker for all DRM devices: a device-independent LRU of GEM
 * objects whose backing store the kernel may reclaim.
 */

#ifndef __DRM_SHRINKER_H__
#define __DRM_SHRINKER_H__

#include <linux/list.h>
#include <linux/llist.h>
#include <linux/types.h>

struct dentry;
struct drm_device;
struct drm_gem_object;
struct shrink_control;
struct shrinker;

/**
 * enum drm_shrinker_list - the LRU lists of the DRM shrinker
 * @DRM_SHRINKER_PURGEABLE: userspace marked the object as not needed
 *	(DONTNEED); reclaim may discard its backing store.
 * @DRM_SHRINKER_NR_LISTS: number of LRU lists. A list for objects whose
 *	contents must be kept (evictable to swap) will go before this.
 * @DRM_SHRINKER_NONE: the object is on no list.
 * @DRM_SHRINKER_CURSOR: not an object but a scan's position in a list.
 */
enum drm_shrinker_list {
	DRM_SHRINKER_PURGEABLE,
	DRM_SHRINKER_NR_LISTS,
	DRM_SHRINKER_NONE = DRM_SHRINKER_NR_LISTS,
	DRM_SHRINKER_CURSOR,
};

/**
 * enum drm_shrinker_skip - why a scan passed over an object
 * @DRM_SHRINKER_SKIP_CONTENDED: its reservation lock was held by someone
 *	else (reclaim only trylocks it).
 * @DRM_SHRINKER_SKIP_BUSY: it has unsignaled fences of any usage.
 * @DRM_SHRINKER_SKIP_PINNED: its memory manager refused for now, because
 *	the object is pinned or vmapped (&drm_gem_object_funcs.purge returned
 *	-EBUSY).
 * @DRM_SHRINKER_SKIP_DMABUF: it is imported, or exported as a dma-buf and
 *	its driver did not allow purging exported objects.
 * @DRM_SHRINKER_SKIP_GONE: its device is unplugged or unregistered.
 * @DRM_SHRINKER_SKIP_FAILED: &drm_gem_object_funcs.purge failed with an
 *	error other than -EBUSY and -EINPROGRESS.
 * @DRM_SHRINKER_SKIP_PENDING: &drm_gem_object_funcs.purge started the
 *	purge but cannot free the pages yet (it returned -EINPROGRESS, for
 *	instance while a device still has to let go of them); a later scan
 *	frees them.
 * @DRM_SHRINKER_SKIP_NR: number of reasons.
 *
 * Skipped objects keep their place in the LRU. %DRM_SHRINKER_SKIP_GONE
 * ones too: the scan leaves them where they are, and they leave the LRU,
 * with every other object of their device, when drm_dev_unregister()
 * (which drm_dev_unplug() calls) reaches drm_shrinker_dev_fini().
 */
enum drm_shrinker_skip {
	DRM_SHRINKER_SKIP_CONTENDED,
	DRM_SHRINKER_SKIP_BUSY,
	DRM_SHRINKER_SKIP_PINNED,
	DRM_SHRINKER_SKIP_DMABUF,
	DRM_SHRINKER_SKIP_GONE,
	DRM_SHRINKER_SKIP_FAILED,
	DRM_SHRINKER_SKIP_PENDING,
	DRM_SHRINKER_SKIP_NR,
};

/**
 * enum drm_shrinker_origin - who asked a scan to reclaim
 * @DRM_SHRINKER_KSWAPD: kswapd, the background reclaim of a node.
 * @DRM_SHRINKER_DIRECT: direct reclaim by an allocating task, memory
 *	cgroup limit reclaim included (both run with PF_MEMALLOC).
 * @DRM_SHRINKER_OTHER: anything else: the shrinker's debugfs ``scan``
 *	file, drm_shrinker_scan() called by a driver or a test.
 * @DRM_SHRINKER_ORIGIN_NR: number of origins.
 */
enum drm_shrinker_origin {
	DRM_SHRINKER_KSWAPD,
	DRM_SHRINKER_DIRECT,
	DRM_SHRINKER_OTHER,
	DRM_SHRINKER_ORIGIN_NR,
};

/**
 * struct drm_shrinker_stats - what the DRM shrinker holds and has done
 *
 * One instance counts for all devices, and one per device counts for that
 * device's objects alone; the global numbers are the sums of the devices'.
 * Protected by the DRM shrinker's lock; @pages is also read without it.
 */
struct drm_shrinker_stats {
	/** @objects: objects on each LRU list */
	unsigned long objects[DRM_SHRINKER_NR_LISTS];
	/** @pages: pages of the objects on each LRU list */
	unsigned long pages[DRM_SHRINKER_NR_LISTS];
	/**
	 * @pending: objects on the lists whose purge was started and whose
	 * pages are not freed yet (&drm_shrinker_entry.pending)
	 */
	unsigned long pending;
	/** @scanned: objects a scan looked at */
	unsigned long scanned;
	/** @purged_objects: objects whose backing store was purged */
	unsigned long purged_objects;
	/** @purged_pages: pages the purge callbacks reported freed */
	unsigned long purged_pages;
	/** @skipped: objects passed over, by &enum drm_shrinker_skip */
	unsigned long skipped[DRM_SHRINKER_SKIP_NR];
	/**
	 * @purged_by: objects purged, by the &enum drm_shrinker_origin of
	 * the scan that purged them
	 */
	unsigned long purged_by[DRM_SHRINKER_ORIGIN_NR];
};

/**
 * struct drm_shrinker_entry - a GEM object's place in the DRM shrinker
 *
 * Embedded in &struct drm_gem_object as its @shrinker member. Drivers do
 * not touch it; they use drm_shrinker_add_locked() and friends.
 */
struct drm_shrinker_entry {
	/**
	 * @node: link in the LRU list given by @list, protected by the DRM
	 * shrinker's lock.
	 */
	struct list_head node;
	/**
	 * @put_node: link in the list of references that reclaim hands to a
	 * worker to drop, since freeing an object takes locks reclaim must
	 * not wait for.
	 */
	struct llist_node put_node;
	/**
	 * @list: the &enum drm_shrinker_list the object is on. Written only
	 * under the DRM shrinker's lock, with WRITE_ONCE(); madvise also
	 * holds the object's reservation lock, but freeing the object and
	 * drm_shrinker_dev_fini() do not. Read it under the DRM shrinker's
	 * lock, or with READ_ONCE() as a hint to check again under that
	 * lock.
	 */
	u8 list;
	/**
	 * @allow_exported: the driver can purge this object even while it
	 * is exported as a dma-buf. Set before the object is first added.
	 */
	bool allow_exported;
	/**
	 * @pending: the object's purge callback started a purge that a later
	 * call finishes (it returned -EINPROGRESS). Written under the DRM
	 * shrinker's lock, with WRITE_ONCE(); it fits in the padding after
	 * @allow_exported.
	 */
	bool pending;
};

/**
 * struct drm_shrinker_dev - the DRM shrinker's per-device state
 *
 * Embedded in &struct drm_device as its @shrinker member.
 */
struct drm_shrinker_dev {
	/** @stats: this device's numbers, under the DRM shrinker's lock */
	struct drm_shrinker_stats stats;
	/**
	 * @gone: the device is unregistered or released: its objects are
	 * not added to the LRU and scans no longer call into its driver.
	 * Under the DRM shrinker's lock.
	 */
	bool gone;
};

void drm_shrinker_add_locked(struct drm_gem_object *obj,
			     enum drm_shrinker_list list);
void drm_shrinker_remove_locked(struct drm_gem_object *obj);
void drm_shrinker_touch_locked(struct drm_gem_object *obj);

bool drm_shrinker_is_purgeable(struct drm_gem_object *obj);
long drm_shrinker_purge_locked(struct drm_gem_object *obj);

unsigned long drm_shrinker_count(void);
unsigned long drm_shrinker_scan(unsigned long nr_to_scan, gfp_t gfp_mask);
void drm_shrinker_read_stats(struct drm_device *dev,
			     struct drm_shrinker_stats *stats);

#if IS_ENABLED(CONFIG_KUNIT)
/* The &struct shrinker callbacks, for the KUnit tests. */
unsigned long drm_shrinker_count_objects(struct shrinker *shrinker,
					 struct shrink_control *sc);
unsigned long drm_shrinker_scan_objects(struct shrinker *shrinker,
					struct shrink_control *sc);
#endif

/* For DRM core only. */
void drm_shrinker_init(struct dentry *debugfs_root);
void drm_shrinker_fini(void);
int drm_shrinker_dev_init(struct drm_device *dev);
void drm_shrinker_dev_fini(struct drm_device *dev);
void drm_shrinker_forget(struct drm_gem_object *obj);

#endif /* __DRM_SHRINKER_H__ */
