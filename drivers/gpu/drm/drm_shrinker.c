// SPDX-License-Identifier: GPL-2.0 OR MIT

#include <linux/debugfs.h>
#include <linux/dma-resv.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/swap.h>
#include <linux/workqueue.h>

#include <kunit/visibility.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_shrinker.h>

#define CREATE_TRACE_POINTS
#include "drm_shrinker_trace.h"

/**
 * DOC: Overview
 *
 * DRM core registers one memory shrinker, named ``drm-shrinker``, for all
 * DRM devices. GEM objects whose backing store the kernel may take back
 * sit on device-independent LRU lists, least recently used first, so
 * reclaim takes the oldest objects first whichever device and whichever
 * memory manager they belong to, and no device can starve the others.
 *
 * Today there is one list, %DRM_SHRINKER_PURGEABLE: objects that
 * userspace marked as not needed (DONTNEED, through a driver's madvise
 * ioctl), whose contents reclaim may discard. An object takes part by
 * providing &drm_gem_object_funcs.purge; nothing here assumes shmem (the
 * GEM shmem helpers implement the callback for their users).
 *
 * The life cycle of an object, with its reservation lock held for each
 * step:
 *
 * 1. madvise(DONTNEED): the driver calls drm_shrinker_add_locked(), which
 *    puts the object at the tail of the purgeable list;
 * 2. GPU use: the driver calls drm_shrinker_touch_locked(), which moves
 *    it to the tail again (a driver should refuse GPU work on a DONTNEED
 *    object; touching keeps the order right for those that allow it);
 * 3. madvise(WILLNEED): the driver calls drm_shrinker_remove_locked();
 * 4. under memory pressure a scan calls &drm_gem_object_funcs.purge,
 *    which releases the backing store; the object then leaves the list.
 *
 * An object also leaves the list when it is freed, and all of a device's
 * objects leave it when the device is unregistered or released.
 *
 * A driver's madvise ioctl, with the shmem helpers, looks like this::
 *
 *	dma_resv_lock(obj->resv, NULL);
 *	if (madv == DONTNEED)
 *		drm_shrinker_add_locked(obj, DRM_SHRINKER_PURGEABLE);
 *	else
 *		drm_shrinker_remove_locked(obj);
 *	dma_resv_unlock(obj->resv);
 *
 * Counting (&shrinker.count_objects) reads a page counter kept up to date
 * on every list change: no lock, no walk. A scan (&shrinker.scan_objects,
 * or drm_shrinker_scan()) walks the purgeable list from its oldest end
 * and purges objects until it freed the pages it was asked for. Reclaim
 * is told the pages of every object the scan looked at, and is credited
 * with the pages purged, which went straight back to the page allocator.
 */

/**
 * DOC: Locking
 *
 * The lock order is::
 *
 *	dma_resv of a GEM object
 *	  drm_shrinker.lock (spinlock)
 *
 * - ``drm_shrinker.lock``, a spinlock, protects the LRU lists, the link of
 *   every object in them, and all statistics. Nothing sleeps or allocates
 *   under it, and no callback is called with it held. Reclaim takes it
 *   (never by trylock) only to pick the next object and to account.
 * - An object's list (&drm_shrinker_entry.list) is written only under
 *   ``drm_shrinker.lock``, and with WRITE_ONCE(). Adding an object and
 *   taking it off in madvise also hold its reservation lock, but two
 *   writers do not: freeing the object (nobody else holds a reference
 *   then) and drm_shrinker_dev_fini(), which takes all of a device's
 *   objects off. So ``drm_shrinker.lock`` is the lock that makes a read
 *   of the list stable; a reader holding only the reservation lock reads
 *   it with READ_ONCE(), as a hint that it checks again under
 *   ``drm_shrinker.lock`` before acting on it (or, in a scan, a stale
 *   "still purgeable" costs at most one purge of an object whose device
 *   is going away, inside drm_dev_enter()).
 * - Reclaim trylocks the object's reservation lock and takes no other
 *   lock that may be held while memory is allocated. Before it drops
 *   ``drm_shrinker.lock`` it takes a reference with kref_get_unless_zero();
 *   if that was the last reference when it is done, a worker drops it,
 *   since freeing an object takes its reservation lock.
 * - Scans call into a driver inside drm_dev_enter() and inside an SRCU
 *   read section. drm_shrinker_dev_fini() marks the device gone, takes its
 *   objects off the lists, waits for the SRCU grace period and the put
 *   worker: after it returns, no scan uses the device.
 *
 * Lockdep learns at boot that reclaim takes ``drm_shrinker.lock``, so an
 * inversion is reported on the first boot, not under load.
 */

/**
 * DOC: Driver callbacks
 *
 * &drm_gem_object_funcs.purge is called with the object's reservation lock
 * held, inside drm_dev_enter(), for an object that is on the purgeable
 * list, idle (no unsignaled fence of any usage), neither imported nor
 * exported as a dma-buf (unless &drm_shrinker_entry.allow_exported is
 * set). It releases the backing store, marks the object purged in the
 * memory manager's own state, and returns the number of pages it freed.
 * It returns -EBUSY if the object cannot be purged now (pinned, vmapped,
 * a trylock failed); the object then keeps its place. The core takes a
 * purged object off the list; a purged object stays purged until it is
 * freed.
 *
 * The callback runs in memory reclaim and gets its &struct
 * shrink_control: it allocates nothing but with GFP_NOWAIT, takes no lock
 * but by trylock, and waits for nothing (the full contract is at
 * &drm_gem_object_funcs.purge). Work that needs someone else first, such
 * as a host that must stop using the pages, is started and answered with
 * -EINPROGRESS: the object keeps its place, counts as pending, and a
 * later scan, or the driver through drm_shrinker_purge_locked() once the
 * work is done, frees the pages. Whatever a purge needs is allocated
 * before, when the object is marked DONTNEED.
 *
 * &drm_gem_object_funcs.evict, which exists for drivers that move
 * contents out of memory and back, keeps the contents: it is the callback
 * for an evictable list, later. &drm_gem_object_funcs.status needs no
 * change: drm_show_memory_stats() asks the core whether an object is on
 * the purgeable list.
 */

/**
 * DOC: debugfs and fdinfo
 *
 * ``/sys/kernel/debug/dri/shrinker`` shows the numbers for all devices and
 * ``/sys/kernel/debug/dri/<device>/shrinker`` those of one device, one
 * ``key: value`` per line, with the values in decimal::
 *
 *	purgeable_objects: 12         objects on the purgeable list now
 *	purgeable_pages: 3072         their pages
 *	pending_objects: 2            of them, purges started, pages not freed yet
 *	scanned_objects: 40           objects scans looked at
 *	purged_objects: 20            objects purged
 *	purged_pages: 5120            pages their purge callbacks freed
 *	skipped_contended: 1          reservation lock held elsewhere
 *	skipped_busy: 3               unsignaled fences
 *	skipped_pinned: 0             pinned, vmapped, or not now (-EBUSY)
 *	skipped_dmabuf: 0             imported or exported
 *	skipped_gone: 0               device unplugged
 *	skipped_failed: 0             purge callback failed
 *	skipped_pending: 4            purge started, finished later
 *	purged_by_kswapd: 15          purges decided by kswapd's scans,
 *	purged_by_direct: 3           by direct (and memcg limit) reclaim's,
 *	purged_by_other: 4            by debugfs or drm_shrinker_scan()
 *
 * A purge that a callback finishes later (virtio-gpu waits for the host
 * to let go of the pages) counts in ``purged_by_*`` when a scan starts it
 * and in ``purged_objects`` when its pages are freed, by a later scan or
 * by drm_shrinker_purge_locked(). ``purged_by_*`` tells an admin whether
 * memory pressure, not only a hand-started scan, reaches the shrinker.
 *
 * The global file adds ``scans:``, the number of scans. Every other
 * global value is the sum of the devices' values. A scan can be started by
 * hand through ``/sys/kernel/debug/shrinker/drm-shrinker-<id>/scan``.
 *
 * In fdinfo, ``drm-purgeable-*`` counts the idle, resident objects of the
 * file that are on the purgeable list.
 */

/*
 * What happened to one object in a scan: a value of enum drm_shrinker_skip,
 * or one of these.
 */
#define DRM_SHRINKER_PURGED	DRM_SHRINKER_SKIP_NR
#define DRM_SHRINKER_LEFT	(DRM_SHRINKER_SKIP_NR + 1)

static const char * const drm_shrinker_list_names[DRM_SHRINKER_NR_LISTS] = {
	[DRM_SHRINKER_PURGEABLE] = "purgeable",
};

static const char * const drm_shrinker_skip_names[DRM_SHRINKER_SKIP_NR] = {
	[DRM_SHRINKER_SKIP_CONTENDED] = "contended",
	[DRM_SHRINKER_SKIP_BUSY] = "busy",
	[DRM_SHRINKER_SKIP_PINNED] = "pinned",
	[DRM_SHRINKER_SKIP_DMABUF] = "dmabuf",
	[DRM_SHRINKER_SKIP_GONE] = "gone",
	[DRM_SHRINKER_SKIP_FAILED] = "failed",
	[DRM_SHRINKER_SKIP_PENDING] = "pending",
};

static const char * const drm_shrinker_origin_names[DRM_SHRINKER_ORIGIN_NR] = {
	[DRM_SHRINKER_KSWAPD] = "kswapd",
	[DRM_SHRINKER_DIRECT] = "direct",
	[DRM_SHRINKER_OTHER] = "other",
};

static void drm_shrinker_put_work(struct work_struct *work);

/**
 * struct drm_shrinker_core - the one DRM shrinker
 */
static struct drm_shrinker_core {
	/**
	 * @lock: protects @lists, every &drm_shrinker_entry.node, @stats,
	 * @scans and every &drm_shrinker_dev. Innermost: taken under an
	 * object's reservation lock, never around a callback; reclaim takes
	 * it, so nothing allocates memory under it.
	 */
	spinlock_t lock;
	/** @lists: the LRU lists, least recently used first */
	struct list_head lists[DRM_SHRINKER_NR_LISTS];
	/** @stats: numbers for all devices */
	struct drm_shrinker_stats stats;
	/** @scans: number of scans */
	unsigned long scans;
	/** @shrinker: the shrinker registered with the core MM */
	struct shrinker *shrinker;
	/** @puts: object references the put worker drops (lockless) */
	struct llist_head puts;
	/** @put_work: drops the references on @puts */
	struct work_struct put_work;
	/** @debugfs: the global statistics file */
	struct dentry *debugfs;
} drm_shrinker = {
	/*
	 * Initialized statically, so that drm_shrinker_fini() is safe
	 * whether or not drm_shrinker_init() ran: drm_core_init() calls
	 * drm_core_exit() on any failure.
	 */
	.lock = __SPIN_LOCK_UNLOCKED(drm_shrinker.lock),
	.lists = {
		[DRM_SHRINKER_PURGEABLE] =
			LIST_HEAD_INIT(drm_shrinker.lists[DRM_SHRINKER_PURGEABLE]),
	},
	.puts = LLIST_HEAD_INIT(drm_shrinker.puts),
	.put_work = __WORK_INITIALIZER(drm_shrinker.put_work,
				       drm_shrinker_put_work),
};

DEFINE_STATIC_SRCU(drm_shrinker_srcu);

static bool drm_shrinker_enable = true;
module_param_named(shrinker, drm_shrinker_enable, bool, 0400);
MODULE_PARM_DESC(shrinker,
		 "Register the DRM shrinker (default: true). When false, purgeable objects are tracked but never reclaimed under memory pressure.");

static void drm_shrinker_stats_add(struct drm_shrinker_stats *stats,
				   unsigned int list, long pages)
{
	if (pages < 0)
		stats->objects[list]--;
	else
		stats->objects[list]++;
	/* Read without the lock by drm_shrinker_count(). */
	WRITE_ONCE(stats->pages[list], stats->pages[list] + pages);
}

static void drm_shrinker_link_locked(struct drm_gem_object *obj,
				     enum drm_shrinker_list list)
{
	long pages = obj->size >> PAGE_SHIFT;

	lockdep_assert_held(&drm_shrinker.lock);

	list_add_tail(&obj->shrinker.node, &drm_shrinker.lists[list]);
	drm_shrinker_stats_add(&drm_shrinker.stats, list, pages);
	drm_shrinker_stats_add(&obj->dev->shrinker.stats, list, pages);
	WRITE_ONCE(obj->shrinker.list, list);
}

static void drm_shrinker_unlink_locked(struct drm_gem_object *obj)
{
	unsigned int list = obj->shrinker.list;
	long pages = obj->size >> PAGE_SHIFT;

	lockdep_assert_held(&drm_shrinker.lock);

	list_del_init(&obj->shrinker.node);
	drm_shrinker_stats_add(&drm_shrinker.stats, list, -pages);
	drm_shrinker_stats_add(&obj->dev->shrinker.stats, list, -pages);
	if (obj->shrinker.pending) {
		WRITE_ONCE(obj->shrinker.pending, false);
		drm_shrinker.stats.pending--;
		obj->dev->shrinker.stats.pending--;
	}
	WRITE_ONCE(obj->shrinker.list, DRM_SHRINKER_NONE);
}

/**
 * drm_shrinker_add_locked - put an object at the tail of an LRU list
 * @obj: GEM object, with &drm_gem_object_funcs.purge
 * @list: the list, such as %DRM_SHRINKER_PURGEABLE
 *
 * Makes @obj the most recently used object of @list, taking it off the
 * list it was on, if any. Nothing happens if the device is gone.
 *
 * The caller holds the object's reservation lock.
 */
void drm_shrinker_add_locked(struct drm_gem_object *obj,
			     enum drm_shrinker_list list)
{
	dma_resv_assert_held(obj->resv);

	if (drm_WARN_ON_ONCE(obj->dev, list >= DRM_SHRINKER_NR_LISTS))
		return;
	if (drm_WARN_ON_ONCE(obj->dev, !obj->funcs->purge))
		return;

	spin_lock(&drm_shrinker.lock);
	if (obj->shrinker.list != DRM_SHRINKER_NONE)
		drm_shrinker_unlink_locked(obj);
	if (!obj->dev->shrinker.gone)
		drm_shrinker_link_locked(obj, list);
	spin_unlock(&drm_shrinker.lock);
}
EXPORT_SYMBOL_GPL(drm_shrinker_add_locked);

/**
 * drm_shrinker_remove_locked - take an object off its LRU list
 * @obj: GEM object
 *
 * Nothing happens if @obj is on no list.
 *
 * The caller holds the object's reservation lock.
 */
void drm_shrinker_remove_locked(struct drm_gem_object *obj)
{
	dma_resv_assert_held(obj->resv);

	/* Unlocked peek: drm_shrinker_dev_fini() may clear it meanwhile. */
	if (READ_ONCE(obj->shrinker.list) == DRM_SHRINKER_NONE)
		return;

	spin_lock(&drm_shrinker.lock);
	if (obj->shrinker.list != DRM_SHRINKER_NONE)
		drm_shrinker_unlink_locked(obj);
	spin_unlock(&drm_shrinker.lock);
}
EXPORT_SYMBOL_GPL(drm_shrinker_remove_locked);

/**
 * drm_shrinker_touch_locked - record a use of an object
 * @obj: GEM object
 *
 * Makes @obj the most recently used object of the list it is on; nothing
 * happens if it is on none. Drivers call it when they submit GPU work
 * that uses @obj.
 *
 * The caller holds the object's reservation lock.
 */
void drm_shrinker_touch_locked(struct drm_gem_object *obj)
{
	dma_resv_assert_held(obj->resv);

	/* Unlocked peek: drm_shrinker_dev_fini() may clear it meanwhile. */
	if (READ_ONCE(obj->shrinker.list) == DRM_SHRINKER_NONE)
		return;

	spin_lock(&drm_shrinker.lock);
	if (obj->shrinker.list < DRM_SHRINKER_NR_LISTS)
		list_move_tail(&obj->shrinker.node,
			       &drm_shrinker.lists[obj->shrinker.list]);
	spin_unlock(&drm_shrinker.lock);
}
EXPORT_SYMBOL_GPL(drm_shrinker_touch_locked);

/**
 * drm_shrinker_is_purgeable - is an object on the purgeable list?
 * @obj: GEM object
 *
 * Without the object's reservation lock the answer may be stale by the
 * time the caller uses it.
 *
 * Return: true if @obj is on the %DRM_SHRINKER_PURGEABLE list.
 */
bool drm_shrinker_is_purgeable(struct drm_gem_object *obj)
{
	return READ_ONCE(obj->shrinker.list) == DRM_SHRINKER_PURGEABLE;
}
EXPORT_SYMBOL_GPL(drm_shrinker_is_purgeable);

/**
 * drm_shrinker_forget - take a dying object off its LRU list
 * @obj: GEM object whose last reference is gone
 *
 * Called by drm_gem_object_free() before the driver frees @obj, and again
 * by drm_gem_object_release() for objects freed without a reference count.
 */
void drm_shrinker_forget(struct drm_gem_object *obj)
{
	/* Only the core takes a dying object off a list; never onto one. */
	if (READ_ONCE(obj->shrinker.list) == DRM_SHRINKER_NONE)
		return;

	spin_lock(&drm_shrinker.lock);
	if (obj->shrinker.list != DRM_SHRINKER_NONE)
		drm_shrinker_unlink_locked(obj);
	spin_unlock(&drm_shrinker.lock);
}

/**
 * drm_shrinker_count - pages the shrinker could free now
 *
 * Reads a counter; takes no lock and walks nothing.
 *
 * Return: the pages of the objects on the purgeable list.
 */
unsigned long drm_shrinker_count(void)
{
	return READ_ONCE(drm_shrinker.stats.pages[DRM_SHRINKER_PURGEABLE]);
}
EXPORT_SYMBOL_GPL(drm_shrinker_count);

static void drm_shrinker_put_work(struct work_struct *work)
{
	struct llist_node *puts = llist_del_all(&drm_shrinker.puts);
	struct drm_gem_object *obj, *next;

	llist_for_each_entry_safe(obj, next, puts, shrinker.put_node)
		drm_gem_object_put(obj);
}

/* Drop a scan's reference; never free in reclaim. */
static void drm_shrinker_put(struct drm_gem_object *obj)
{
	if (refcount_dec_not_one(&obj->refcount.refcount))
		return;
	if (llist_add(&obj->shrinker.put_node, &drm_shrinker.puts))
		queue_work(system_unbound_wq, &drm_shrinker.put_work);
}

/* The next object after @cursor, which moves past it. */
static struct drm_gem_object *
drm_shrinker_next_locked(struct list_head *head,
			 struct drm_shrinker_entry *cursor)
{
	struct drm_shrinker_entry *entry = cursor;

	lockdep_assert_held(&drm_shrinker.lock);

	list_for_each_entry_continue(entry, head, node) {
		if (entry->list == DRM_SHRINKER_CURSOR)
			continue;
		list_move(&cursor->node, &entry->node);
		return container_of(entry, struct drm_gem_object, shrinker);
	}
	return NULL;
}

/* Purge @obj if nothing holds it; its reservation lock is held. */
static unsigned int drm_shrinker_purge_locked_one(struct drm_gem_object *obj,
						  struct shrink_control *sc,
						  unsigned long *freed)
{
	long ret;

	dma_resv_assert_held(obj->resv);

	/*
	 * Made WILLNEED, purged by another scan, or taken off by
	 * drm_shrinker_dev_fini() (which does not hold the resv) since it
	 * was picked.
	 */
	if (READ_ONCE(obj->shrinker.list) != DRM_SHRINKER_PURGEABLE)
		return DRM_SHRINKER_LEFT;
	if (obj->import_attach ||
	    (obj->dma_buf && !obj->shrinker.allow_exported))
		return DRM_SHRINKER_SKIP_DMABUF;
	if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
		return DRM_SHRINKER_SKIP_BUSY;

	ret = obj->funcs->purge(obj, sc);
	if (ret == -EBUSY)
		return DRM_SHRINKER_SKIP_PINNED;
	if (ret == -EINPROGRESS)
		return DRM_SHRINKER_SKIP_PENDING;
	if (ret < 0)
		return DRM_SHRINKER_SKIP_FAILED;

	trace_drm_shrinker_purge(obj, ret);
	drm_shrinker_remove_locked(obj);
	*freed = ret;
	return DRM_SHRINKER_PURGED;
}

/* Try to purge @obj; the caller holds a reference, not the LRU lock. */
static unsigned int drm_shrinker_purge_one(struct drm_gem_object *obj,
					   struct shrink_control *sc,
					   unsigned long *freed)
{
	unsigned int what;
	int idx;

	if (!drm_dev_enter(obj->dev, &idx))
		return DRM_SHRINKER_SKIP_GONE;

	if (dma_resv_trylock(obj->resv)) {
		what = drm_shrinker_purge_locked_one(obj, sc, freed);
		dma_resv_unlock(obj->resv);
	} else {
		what = DRM_SHRINKER_SKIP_CONTENDED;
	}

	drm_dev_exit(idx);
	return what;
}

/*
 * Account what happened to @obj. @origin is the scan's, or
 * %DRM_SHRINKER_ORIGIN_NR for a purge finished outside a scan;
 * @was_pending says whether the object's purge had been started before.
 */
static void drm_shrinker_record_locked(struct drm_gem_object *obj,
				       enum drm_shrinker_origin origin,
				       bool was_pending,
				       unsigned int what, unsigned long freed)
{
	struct drm_shrinker_stats *stats[] = {
		&drm_shrinker.stats, &obj->dev->shrinker.stats,
	};
	bool started = what == DRM_SHRINKER_SKIP_PENDING && !was_pending;
	/* Unless the driver finished it meanwhile. */
	bool pending = started &&
		       obj->shrinker.list == DRM_SHRINKER_PURGEABLE &&
		       !obj->shrinker.pending;
	unsigned int i;

	lockdep_assert_held(&drm_shrinker.lock);

	if (pending)
		WRITE_ONCE(obj->shrinker.pending, true);

	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		if (origin < DRM_SHRINKER_ORIGIN_NR)
			stats[i]->scanned++;
		if (pending)
			stats[i]->pending++;
		if (what == DRM_SHRINKER_PURGED) {
			stats[i]->purged_objects++;
			stats[i]->purged_pages += freed;
		} else if (what < DRM_SHRINKER_SKIP_NR) {
			stats[i]->skipped[what]++;
		}
		/*
		 * Counted once per object, by the scan that decided the
		 * purge: the one that purged it, or that started it.
		 */
		if (origin < DRM_SHRINKER_ORIGIN_NR &&
		    ((what == DRM_SHRINKER_PURGED && !was_pending) || started))
			stats[i]->purged_by[origin]++;
	}
}

/* Who is scanning: memory reclaim runs with PF_MEMALLOC, kswapd also PF_KSWAPD. */
static enum drm_shrinker_origin drm_shrinker_origin(void)
{
	if (current_is_kswapd())
		return DRM_SHRINKER_KSWAPD;
	if (current->flags & PF_MEMALLOC)
		return DRM_SHRINKER_DIRECT;
	return DRM_SHRINKER_OTHER;
}

/*
 * Purges from the least recently used end until @sc->nr_to_scan pages are
 * freed, or will be by purges started here, or the list ends; *@scanned
 * gets the pages of every object looked at, purged or skipped. Returns
 * the pages freed now.
 *
 * Outside memory reclaim (debugfs, drm_shrinker_scan()) the scan runs
 * inside fs_reclaim_acquire(@sc->gfp_mask), so that lockdep sees what a
 * purge callback does as done in reclaim: an allocation that may recurse
 * into reclaim, or a lock held elsewhere around one, is reported on the
 * first such scan. In reclaim the annotation is a no-op, reclaim itself
 * holds it.
 */
static unsigned long __drm_shrinker_scan(struct shrink_control *sc,
					 unsigned long *scanned)
{
	struct list_head *head = &drm_shrinker.lists[DRM_SHRINKER_PURGEABLE];
	struct drm_shrinker_entry cursor = { .list = DRM_SHRINKER_CURSOR };
	enum drm_shrinker_origin origin = drm_shrinker_origin();
	unsigned long freed = 0, started = 0, skipped = 0;
	struct drm_gem_object *obj;

	might_sleep();
	*scanned = 0;
	fs_reclaim_acquire(sc->gfp_mask);
	spin_lock(&drm_shrinker.lock);
	drm_shrinker.scans++;
	list_add(&cursor.node, head);

	while (freed + started < sc->nr_to_scan &&
	       (obj = drm_shrinker_next_locked(head, &cursor))) {
		unsigned long pages = 0, size;
		unsigned int what;
		bool was_pending;
		int srcu;

		/* Being freed: drm_shrinker_forget() takes it off. */
		if (!kref_get_unless_zero(&obj->refcount))
			continue;
		srcu = srcu_read_lock(&drm_shrinker_srcu);
		was_pending = obj->shrinker.pending;
		size = obj->size >> PAGE_SHIFT;
		spin_unlock(&drm_shrinker.lock);

		what = drm_shrinker_purge_one(obj, sc, &pages);
		/* A long list of busy objects must not hog the CPU. */
		cond_resched();

		spin_lock(&drm_shrinker.lock);
		drm_shrinker_record_locked(obj, origin, was_pending, what, pages);
		*scanned += size;
		/* From here on @obj may be gone. */
		drm_shrinker_put(obj);
		srcu_read_unlock(&drm_shrinker_srcu, srcu);

		freed += pages;
		/*
		 * A purge started here frees its pages later: they count
		 * against what was asked, or the scan would go on and purge
		 * more than asked for.
		 */
		if (what == DRM_SHRINKER_SKIP_PENDING && !was_pending)
			started += size;
		if (what < DRM_SHRINKER_SKIP_NR)
			skipped++;
	}

	list_del(&cursor.node);
	spin_unlock(&drm_shrinker.lock);
	fs_reclaim_release(sc->gfp_mask);

	trace_drm_shrinker_scan(sc->nr_to_scan, freed, skipped);
	return freed;
}

/**
 * drm_shrinker_scan - purge the least recently used purgeable objects
 * @nr_to_scan: pages to free
 * @gfp_mask: the allocation context the scan stands for: what the purge
 *	callbacks may do (%GFP_KERNEL: everything reclaim may do)
 *
 * Walks the purgeable list from its least recently used end and purges
 * objects until their purge callbacks freed @nr_to_scan pages or the list
 * ends. Objects that cannot be purged now are skipped and keep their
 * place. The memory shrinker calls this; drivers and tests may too. The
 * scan runs as reclaim would (see the DOC section Locking).
 *
 * Context: Process context; yields the CPU between objects.
 *
 * Return: the number of pages freed.
 */
unsigned long drm_shrinker_scan(unsigned long nr_to_scan, gfp_t gfp_mask)
{
	struct shrink_control sc = {
		.gfp_mask = gfp_mask,
		.nr_to_scan = nr_to_scan,
		.nid = NUMA_NO_NODE,
	};
	unsigned long scanned;

	return __drm_shrinker_scan(&sc, &scanned);
}
EXPORT_SYMBOL_GPL(drm_shrinker_scan);

/**
 * drm_shrinker_purge_locked - finish a purge that was left in progress
 * @obj: GEM object, its reservation lock held
 *
 * For a driver whose &drm_gem_object_funcs.purge answered -EINPROGRESS:
 * once what it waited for is done (a host let go of the pages), it calls
 * this from its own context, so that the pages go now rather than at the
 * next scan. The object goes through the checks of a scan (still on the
 * purgeable list, idle, not shared) and its purge callback is called the
 * same way, inside drm_dev_enter() and fs_reclaim_acquire(); the result
 * is counted as a scan's would be, less the scan itself.
 *
 * Context: Process context; the caller must not hold locks that the
 * purge callback trylocks in vain.
 *
 * Return: the pages freed, or a negative errno: -ENODEV if the device is
 * gone, -EBUSY, -EINPROGRESS, another error of the callback, or -EAGAIN
 * if the object is no longer purgeable or not idle.
 */
long drm_shrinker_purge_locked(struct drm_gem_object *obj)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nr_to_scan = obj->size >> PAGE_SHIFT,
		.nid = NUMA_NO_NODE,
	};
	unsigned long pages = 0;
	unsigned int what;
	bool was_pending;
	int idx;

	dma_resv_assert_held(obj->resv);

	if (!drm_dev_enter(obj->dev, &idx))
		return -ENODEV;
	was_pending = READ_ONCE(obj->shrinker.pending);
	fs_reclaim_acquire(sc.gfp_mask);
	what = drm_shrinker_purge_locked_one(obj, &sc, &pages);
	fs_reclaim_release(sc.gfp_mask);
	drm_dev_exit(idx);

	spin_lock(&drm_shrinker.lock);
	drm_shrinker_record_locked(obj, DRM_SHRINKER_ORIGIN_NR, was_pending,
				   what, pages);
	spin_unlock(&drm_shrinker.lock);

	switch (what) {
	case DRM_SHRINKER_PURGED:
		return pages;
	case DRM_SHRINKER_SKIP_PINNED:
	case DRM_SHRINKER_SKIP_CONTENDED:
		return -EBUSY;
	case DRM_SHRINKER_SKIP_PENDING:
		return -EINPROGRESS;
	case DRM_SHRINKER_SKIP_FAILED:
		return -EIO;
	default:
		return -EAGAIN;
	}
}
EXPORT_SYMBOL_GPL(drm_shrinker_purge_locked);

/**
 * drm_shrinker_read_stats - copy the shrinker's numbers
 * @dev: the device, or NULL for the numbers of all devices
 * @stats: where to copy them
 *
 * The copy is consistent: taken at one instant under the shrinker's lock.
 */
void drm_shrinker_read_stats(struct drm_device *dev,
			     struct drm_shrinker_stats *stats)
{
	spin_lock(&drm_shrinker.lock);
	*stats = dev ? dev->shrinker.stats : drm_shrinker.stats;
	spin_unlock(&drm_shrinker.lock);
}
EXPORT_SYMBOL_GPL(drm_shrinker_read_stats);

VISIBLE_IF_KUNIT unsigned long
drm_shrinker_count_objects(struct shrinker *shrinker, struct shrink_control *sc)
{
	return drm_shrinker_count() ?: SHRINK_EMPTY;
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_count_objects);

VISIBLE_IF_KUNIT unsigned long
drm_shrinker_scan_objects(struct shrinker *shrinker, struct shrink_control *sc)
{
	unsigned long freed, scanned;

	freed = __drm_shrinker_scan(sc, &scanned);
	/*
	 * Objects are purged whole, so a scan may look at more pages than
	 * asked for: say so, or reclaim would ask again for pages it got.
	 */
	sc->nr_scanned = scanned;
	/*
	 * The pages went back to the page allocator: credit reclaim with
	 * them, as slab does for its pages. Otherwise direct reclaim sees no
	 * progress, goes through every priority and then waits, and kswapd
	 * counts a failure, while the memory is free.
	 */
	mm_account_reclaimed_pages(freed);
	return freed ?: SHRINK_STOP;
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_scan_objects);

static void drm_shrinker_print(struct seq_file *m,
			       const struct drm_shrinker_stats *stats)
{
	unsigned int i;

	for (i = 0; i < DRM_SHRINKER_NR_LISTS; i++) {
		seq_printf(m, "%s_objects: %lu\n", drm_shrinker_list_names[i],
			   stats->objects[i]);
		seq_printf(m, "%s_pages: %lu\n", drm_shrinker_list_names[i],
			   stats->pages[i]);
	}
	seq_printf(m, "pending_objects: %lu\n", stats->pending);
	seq_printf(m, "scanned_objects: %lu\n", stats->scanned);
	seq_printf(m, "purged_objects: %lu\n", stats->purged_objects);
	seq_printf(m, "purged_pages: %lu\n", stats->purged_pages);
	for (i = 0; i < DRM_SHRINKER_SKIP_NR; i++)
		seq_printf(m, "skipped_%s: %lu\n", drm_shrinker_skip_names[i],
			   stats->skipped[i]);
	for (i = 0; i < DRM_SHRINKER_ORIGIN_NR; i++)
		seq_printf(m, "purged_by_%s: %lu\n", drm_shrinker_origin_names[i],
			   stats->purged_by[i]);
}

static int drm_shrinker_global_show(struct seq_file *m, void *unused)
{
	struct drm_shrinker_stats stats;
	unsigned long scans;

	spin_lock(&drm_shrinker.lock);
	stats = drm_shrinker.stats;
	scans = drm_shrinker.scans;
	spin_unlock(&drm_shrinker.lock);

	seq_printf(m, "scans: %lu\n", scans);
	drm_shrinker_print(m, &stats);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_shrinker_global);

static int drm_shrinker_dev_show(struct seq_file *m, void *unused)
{
	struct drm_shrinker_stats stats;

	drm_shrinker_read_stats(m->private, &stats);
	drm_shrinker_print(m, &stats);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_shrinker_dev);

static void drm_shrinker_dev_release(struct drm_device *dev, void *unused)
{
	drm_shrinker_dev_fini(dev);
	if (!IS_ERR_OR_NULL(dev->debugfs_root))
		debugfs_lookup_and_remove("shrinker", dev->debugfs_root);
}

/**
 * drm_shrinker_dev_init - set up a device's shrinker state
 * @dev: DRM device, being initialized
 *
 * Creates the device's statistics file in debugfs and arranges for
 * drm_shrinker_dev_fini() to run when the device is released. Called by
 * drm_dev_init().
 *
 * Return: 0 on success, or -ENOMEM.
 */
int drm_shrinker_dev_init(struct drm_device *dev)
{
	if (!IS_ERR_OR_NULL(dev->debugfs_root))
		debugfs_create_file("shrinker", 0444, dev->debugfs_root, dev,
				    &drm_shrinker_dev_fops);
	return drmm_add_action_or_reset(dev, drm_shrinker_dev_release, NULL);
}

/**
 * drm_shrinker_dev_fini - stop using a device
 * @dev: DRM device, being unregistered or released
 *
 * Takes the device's objects off the LRU lists and keeps new ones off,
 * then waits until no scan uses the device: after it returns, the
 * shrinker calls nothing of the driver's and holds no reference to its
 * objects. Called by drm_dev_unregister() and on release; the second call
 * does nothing.
 */
void drm_shrinker_dev_fini(struct drm_device *dev)
{
	struct drm_shrinker_entry *entry, *next;
	struct drm_gem_object *obj;
	unsigned int list;

	spin_lock(&drm_shrinker.lock);
	if (dev->shrinker.gone) {
		spin_unlock(&drm_shrinker.lock);
		return;
	}
	dev->shrinker.gone = true;
	for (list = 0; list < DRM_SHRINKER_NR_LISTS; list++) {
		list_for_each_entry_safe(entry, next, &drm_shrinker.lists[list],
					 node) {
			if (entry->list == DRM_SHRINKER_CURSOR)
				continue;
			obj = container_of(entry, struct drm_gem_object, shrinker);
			if (obj->dev == dev)
				drm_shrinker_unlink_locked(obj);
		}
	}
	spin_unlock(&drm_shrinker.lock);

	synchronize_srcu(&drm_shrinker_srcu);
	flush_work(&drm_shrinker.put_work);
}

static void drm_shrinker_prime_lockdep(void)
{
	if (!IS_ENABLED(CONFIG_LOCKDEP))
		return;

	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&drm_shrinker.lock);
	fs_reclaim_release(GFP_KERNEL);
}

/**
 * drm_shrinker_init - register the DRM shrinker
 * @debugfs_root: the DRM debugfs directory, for the global statistics
 *
 * Called once by DRM core at init. It cannot fail: DRM runs without the
 * shrinker if there is no memory to register it, and says so in the
 * kernel log. With the module parameter ``drm.shrinker=0`` the shrinker
 * is not registered: objects are still tracked and counted, but memory
 * pressure never reclaims them.
 */
void drm_shrinker_init(struct dentry *debugfs_root)
{
	drm_shrinker_prime_lockdep();

	drm_shrinker.debugfs = debugfs_create_file("shrinker", 0444,
						   debugfs_root, NULL,
						   &drm_shrinker_global_fops);

	if (!drm_shrinker_enable) {
		pr_info("drm: shrinker disabled by drm.shrinker=0\n");
		return;
	}
	drm_shrinker.shrinker = shrinker_alloc(0, "drm-shrinker");
	if (!drm_shrinker.shrinker) {
		pr_warn("drm: no memory for the shrinker: purgeable objects will not be reclaimed under memory pressure\n");
		return;
	}
	/*
	 * Purging costs no I/O and userspace declared the contents garbage:
	 * let reclaim ask for half of them at once, as for other objects
	 * that are free to drop, instead of a share that grows only as
	 * reclaim's priority rises.
	 */
	drm_shrinker.shrinker->seeks = 0;
	drm_shrinker.shrinker->count_objects = drm_shrinker_count_objects;
	drm_shrinker.shrinker->scan_objects = drm_shrinker_scan_objects;
	shrinker_register(drm_shrinker.shrinker);
}

/**
 * drm_shrinker_fini - unregister the DRM shrinker
 *
 * Called once by DRM core at exit, when no device is left, and when
 * drm_core_init() fails, whether or not drm_shrinker_init() ran.
 */
void drm_shrinker_fini(void)
{
	debugfs_remove(drm_shrinker.debugfs);
	shrinker_free(drm_shrinker.shrinker);
	drm_shrinker.shrinker = NULL;
	flush_work(&drm_shrinker.put_work);
}
