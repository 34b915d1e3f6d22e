/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One memory shrinker for all DRM devices: a device-independent LRU of GEM
 * objects whose backing store the kernel may reclaim.
 */

#ifndef __DRM_SHRINKER_H__
#define __DRM_SHRINKER_H__

#include <linux/types.h>

struct dentry;
struct drm_device;
struct drm_gem_object;
struct folio;
struct shrink_control;
struct shrinker;

/**
 * enum drm_shrinker_list - the LRU lists of the DRM shrinker
 * @DRM_SHRINKER_PURGEABLE: userspace marked the object as not needed
 *	(DONTNEED); reclaim may discard its backing store.
 * @DRM_SHRINKER_EVICTABLE: userspace needs the contents, and the object
 *	is idle and not pinned; reclaim may move them out of memory (to
 *	swap), and the object gets them back when it is used again.
 * @DRM_SHRINKER_NR_LISTS: number of LRU lists.
 * @DRM_SHRINKER_NONE: the object is on no list.
 *
 * Reclaim purges first, then evicts.
 */
enum drm_shrinker_list {
	DRM_SHRINKER_PURGEABLE,
	DRM_SHRINKER_EVICTABLE,
	DRM_SHRINKER_NR_LISTS,
	DRM_SHRINKER_NONE = DRM_SHRINKER_NR_LISTS,
};

/**
 * enum drm_shrinker_skip - why a scan passed over an object
 * @DRM_SHRINKER_SKIP_CONTENDED: its reservation lock was held by someone
 *	else (reclaim only trylocks it).
 * @DRM_SHRINKER_SKIP_BUSY: it has unsignaled fences of any usage.
 * @DRM_SHRINKER_SKIP_PINNED: its memory manager refused for now, because
 *	the object is pinned or vmapped (&drm_gem_object_funcs.purge or
 *	&drm_gem_object_funcs.evict returned -EBUSY).
 * @DRM_SHRINKER_SKIP_DMABUF: it is imported, or was ever exported, as a
 *	dma-buf (&drm_shrinker_entry.shared), and its driver did not allow
 *	purging exported objects.
 * @DRM_SHRINKER_SKIP_GONE: its device is unplugged or unregistered, or its
 *	last reference went while a scan had it isolated.
 * @DRM_SHRINKER_SKIP_FAILED: &drm_gem_object_funcs.purge or
 *	&drm_gem_object_funcs.evict failed with an error other than -EBUSY
 *	and -EINPROGRESS.
 * @DRM_SHRINKER_SKIP_PENDING: &drm_gem_object_funcs.purge started the
 *	purge but cannot free the pages yet (it returned -EINPROGRESS, for
 *	instance while a device still has to let go of them); a later scan
 *	frees them.
 * @DRM_SHRINKER_SKIP_REFERENCED: it was used since it went on its list or
 *	since a scan last met it (drm_shrinker_add_locked() on the list it is
 *	on): a second chance, as inodes and dentries get on their lists.
 * @DRM_SHRINKER_SKIP_NR: number of reasons.
 *
 * A skipped object goes to the tail of its list, so the next scan looks
 * at others first; except %DRM_SHRINKER_SKIP_DMABUF and
 * %DRM_SHRINKER_SKIP_GONE ones, which leave the list (and the count)
 * since no scan could reclaim them: they stay marked, and a gone
 * device's objects are freed with it.
 */
enum drm_shrinker_skip {
	DRM_SHRINKER_SKIP_CONTENDED,
	DRM_SHRINKER_SKIP_BUSY,
	DRM_SHRINKER_SKIP_PINNED,
	DRM_SHRINKER_SKIP_DMABUF,
	DRM_SHRINKER_SKIP_GONE,
	DRM_SHRINKER_SKIP_FAILED,
	DRM_SHRINKER_SKIP_PENDING,
	DRM_SHRINKER_SKIP_REFERENCED,
	DRM_SHRINKER_SKIP_NR,
};

/**
 * enum drm_shrinker_origin - who asked a scan to reclaim
 * @DRM_SHRINKER_KSWAPD: kswapd, the background reclaim of a node.
 * @DRM_SHRINKER_DIRECT: direct reclaim: by an allocating task that found a
 *	node short of memory, or the reclaim of a memory cgroup (by a task
 *	of it that reached its memory.max or memory.high, or by a write to
 *	its memory.reclaim), which a shrinker cannot tell apart.
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
 * One instance counts for all devices of a shrinker, and one per device
 * counts for that device's objects alone; the global numbers are the sums
 * of the devices'. Both are per-CPU: an update takes no lock and touches
 * no shared cache line, and drm_shrinker_read_stats() adds the CPUs'
 * numbers up, so a copy is exact for each number but not taken at one
 * instant across numbers. Per CPU, @objects and @pages count by the list
 * the objects are on, so that marking an object for the other list
 * where it is changes @stray_objects and @stray_pages alone; the copy
 * drm_shrinker_read_stats() makes counts them by the list they are
 * counted for, as said below.
 */
struct drm_shrinker_stats {
	/**
	 * @objects: objects on the LRU lists, by the list they are counted
	 * for (&drm_shrinker_entry.counted): resident and not shared, so a
	 * scan could reclaim them (what the shrinker counts)
	 */
	unsigned long objects[DRM_SHRINKER_NR_LISTS];
	/** @pages: pages of the objects counted in @objects */
	unsigned long pages[DRM_SHRINKER_NR_LISTS];
	/**
	 * @pending: objects on the lists whose purge or eviction was started
	 * and is not done yet (&drm_shrinker_entry.pending)
	 */
	unsigned long pending;
	/**
	 * @called_off: purges or evictions started (pending) that never
	 * finished: their object left its list first (used, marked again,
	 * exported, freed, its device gone), or their callback failed where
	 * it was to end
	 */
	unsigned long called_off;
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
	 * the scan that purged them or started their purge; they add up to
	 * @purged_objects
	 */
	unsigned long purged_by[DRM_SHRINKER_ORIGIN_NR];
	/** @evicted_objects: objects whose contents were evicted */
	unsigned long evicted_objects;
	/**
	 * @evicted_pages: pages the evict callbacks let go of (reclaimable
	 * now, written to swap or on their way)
	 */
	unsigned long evicted_pages;
	/**
	 * @evicted_by: objects evicted, by the &enum drm_shrinker_origin of
	 * the scan that evicted them or started their eviction; they add up
	 * to @evicted_objects
	 */
	unsigned long evicted_by[DRM_SHRINKER_ORIGIN_NR];
	/**
	 * @swapped_in_objects: evicted objects whose contents came back
	 * (drm_shrinker_swapped_in_locked())
	 */
	unsigned long swapped_in_objects;
	/** @swapped_in_pages: their pages */
	unsigned long swapped_in_pages;
	/**
	 * @stray_objects: of @objects[%DRM_SHRINKER_EVICTABLE], those still
	 * on the purgeable list: made evictable there and not moved yet
	 * (see drm_shrinker_add_locked())
	 */
	unsigned long stray_objects;
	/** @stray_pages: their pages */
	unsigned long stray_pages;
};

/**
 * struct drm_shrinker_entry - a GEM object's state in the DRM shrinker
 *
 * Embedded in &struct drm_gem_object as its @shrinker member, where it
 * fills the hole after &drm_gem_object.name on 64-bit. The link in the
 * shrinker's &struct list_lru is &drm_gem_object.lru_node, and the counts
 * of the memory cgroup of the list, which hold the object's pages, are
 * &drm_gem_object.shrinker_memcg: an object is on
 * a driver's &struct drm_gem_lru or on the DRM shrinker, never both.
 * Drivers do not touch it; they use drm_shrinker_add_locked() and
 * friends.
 *
 * All members but @isolated are written under the object's reservation
 * lock, or by drm_shrinker_forget() once nobody else can reach the
 * object.
 */
struct drm_shrinker_entry {
	/**
	 * @list: the &enum drm_shrinker_list the object is marked for (by
	 * userspace's madvise, or by its memory manager for
	 * %DRM_SHRINKER_EVICTABLE). Read without the lock only as a hint
	 * (fdinfo).
	 */
	u8 list : 2;
	/**
	 * @linked: the object is on the list_lru of list @on, on node @nid,
	 * of the memory cgroup whose counts, which count it, are
	 * &drm_gem_object.shrinker_memcg;
	 * or a scan has it isolated (@isolated).
	 */
	u8 linked : 1;
	/**
	 * @on: the &enum drm_shrinker_list the object is linked on: @counted,
	 * or %DRM_SHRINKER_PURGEABLE for an evictable object that was
	 * purgeable when it was last moved (a use does not move it)
	 */
	u8 on : 1;
	/**
	 * @pending: the object's purge or evict callback started work that
	 * a later call finishes (it returned -EINPROGRESS).
	 */
	u8 pending : 1;
	/**
	 * @shared: the object was exported as a dma-buf
	 * (drm_shrinker_share()). Its pages may be mapped or attached
	 * through the dma-buf, which nothing here can zap or detach, for as
	 * long as the dma-buf lives, and that may be longer than
	 * &drm_gem_object.dma_buf is set (it is cleared when the last GEM
	 * handle goes): never cleared, so such an object is never purged
	 * or evicted. Imported objects keep
	 * &drm_gem_object.import_attach instead.
	 */
	u8 shared : 1;
	/**
	 * @scanning: a scan has the object off its list and locked, or
	 * drm_shrinker_purge_locked() or drm_shrinker_evict_locked() is
	 * calling its callback; only
	 * that caller puts it back or takes it off for good, so
	 * drm_shrinker_remove_locked() from a purge callback leaves the link
	 * alone.
	 */
	u8 scanning : 1;
	/**
	 * @referenced: the object was used while on its list: the scan that
	 * meets it next sends it to the tail instead of reclaiming it, so a
	 * use costs no lock of the list (drm_shrinker_add_locked()).
	 */
	u8 referenced : 1;
	/**
	 * @isolated: a scan took the object off its list to work on it, or
	 * is giving it its second chance on the list, or (for the moment
	 * it takes to see it) found it dying (drm_shrinker_isolate()).
	 * Set with the reservation lock held (trylocked) and the list's lock,
	 * cleared by the scan after it released the reservation lock, with
	 * release semantics (store_release_wake_up(), or for a batch one
	 * smp_mb() before the WRITE_ONCE() of each, drm_shrinker_let_go());
	 * drm_shrinker_forget() waits for it to clear,
	 * so a scan may work on an object whose last reference is gone. A
	 * scan that finds it set, with the reservation lock, leaves the
	 * object to the scan that is letting it go.
	 */
	u8 isolated;
	/** @nid: the NUMA node of the list the object is on, if @linked */
	u16 nid : 13;
	/**
	 * @counted: the &enum drm_shrinker_list the shrinker's counts and
	 * statistics count the object for, if @linked: the one it was
	 * marked for (while a scan has it, @scanning, a callback's new mark
	 * waits for the scan to put the object back). Not @on: an evictable
	 * object still on the purgeable list (a stray).
	 */
	u16 counted : 1;
	/**
	 * @origin: the &enum drm_shrinker_origin of the scan that started
	 * the purge or eviction that is @pending; it counts for that scan's
	 * origin when it finishes
	 */
	u16 origin : 2;
};

struct drm_shrinker;
struct drm_shrinker_memcg;

/**
 * struct drm_shrinker_dev - the DRM shrinker's per-device state
 *
 * Embedded in &struct drm_device as its @shrinker member.
 */
struct drm_shrinker_dev {
	/**
	 * @shrinker: the shrinker the device's objects go to: DRM core's,
	 * or a test's own
	 */
	struct drm_shrinker *shrinker;
	/** @stats: this device's numbers, per CPU */
	struct drm_shrinker_stats __percpu *stats;
	/**
	 * @gone: the device is unregistered or released: its objects are
	 * not added to the lists, scans take them off and no longer call
	 * into its driver. Written once, read with READ_ONCE().
	 */
	bool gone;
};

int drm_shrinker_add_locked(struct drm_gem_object *obj,
			    enum drm_shrinker_list list, struct folio *folio);
void drm_shrinker_remove_locked(struct drm_gem_object *obj);

bool drm_shrinker_is_purgeable(struct drm_gem_object *obj);
bool drm_shrinker_may_wait(const struct shrink_control *sc);
long drm_shrinker_purge_locked(struct drm_gem_object *obj);
long drm_shrinker_evict_locked(struct drm_gem_object *obj);
void drm_shrinker_swapped_in_locked(struct drm_gem_object *obj,
				    unsigned long pages);

unsigned long drm_shrinker_count(struct drm_shrinker *shrinker);
unsigned long drm_shrinker_scan(struct drm_shrinker *shrinker,
				unsigned long nr_to_scan, gfp_t gfp_mask);
void drm_shrinker_read_stats(struct drm_shrinker *shrinker,
			     struct drm_device *dev,
			     struct drm_shrinker_stats *stats);

#if IS_ENABLED(CONFIG_KUNIT)
/* A shrinker of a test's own, never registered, and its callbacks. */
struct drm_shrinker *drm_shrinker_create(const char *name);
void drm_shrinker_destroy(struct drm_shrinker *shrinker);
void drm_shrinker_dev_use(struct drm_device *dev, struct drm_shrinker *shrinker);
void drm_shrinker_assume_swap(struct drm_shrinker *shrinker);
struct shrinker *drm_shrinker_mm(struct drm_shrinker *shrinker);
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
int drm_shrinker_share(struct drm_gem_object *obj);

#endif /* __DRM_SHRINKER_H__ */
