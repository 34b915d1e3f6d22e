// SPDX-License-Identifier: GPL-2.0 OR MIT

#include <linux/debugfs.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/list_lru.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/swap.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

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
 * sit on the shrinker's LRU lists, least recently used first, whichever
 * device and whichever memory manager they belong to.
 *
 * The lists are the core MM's &struct list_lru: one list per NUMA node
 * and memory cgroup, and the shrinker is ``SHRINKER_MEMCG_AWARE`` and
 * ``SHRINKER_NUMA_AWARE``. An object goes on the list of the node and
 * memory cgroup its memory is charged to: that of its first folio, which
 * the driver passes (an object whose pages span nodes is counted on its
 * first page's node). So reclaim of a node frees that node's objects, and
 * a cgroup at its ``memory.max`` reclaims its own objects, not its
 * neighbours' (without kernel memory accounting, cgroup.memory=nokmem,
 * every object is on the root's lists and only global reclaim frees
 * them). When a cgroup goes away, list_lru hands its objects to the
 * parent cgroup, whose reclaim then frees them.
 *
 * There are two lists, each per node and cgroup:
 *
 * - %DRM_SHRINKER_PURGEABLE: objects that userspace marked as not needed
 *   (DONTNEED, through a driver's madvise ioctl), whose contents reclaim
 *   may discard. An object takes part by providing
 *   &drm_gem_object_funcs.purge.
 * - %DRM_SHRINKER_EVICTABLE: idle objects whose contents userspace needs
 *   and that nothing holds in memory (no pin, no kernel mapping, not
 *   shared); reclaim may move their contents out (to swap), and the
 *   memory manager brings them back on the next use. An object takes
 *   part by providing &drm_gem_object_funcs.evict; its memory manager
 *   puts it on the list and marks it used on each use (the next scan
 *   that meets it moves it to the tail: a second chance, as inodes and
 *   dentries get on their lists; the use takes no list lock, unless the
 *   object's cgroup went away, see drm_shrinker_add_locked()).
 *
 * Reclaim purges first, then evicts. Nothing here assumes shmem: the GEM
 * shmem helpers implement both callbacks for their users.
 *
 * The life cycle of an object, with its reservation lock held for each
 * step:
 *
 * 1. madvise(DONTNEED): the driver calls drm_shrinker_add_locked(), which
 *    marks the object and, if it holds memory, puts it at the tail of the
 *    list of its node and cgroup;
 * 2. its pages come back (a fault on a BO that had none): the driver
 *    calls drm_shrinker_add_locked() again with its first folio;
 * 3. madvise(WILLNEED): the driver calls drm_shrinker_remove_locked(),
 *    or drm_shrinker_add_locked() for %DRM_SHRINKER_EVICTABLE if the
 *    object may be evicted: it is counted as evictable at once and left
 *    on the purgeable list, without its lock, until a scan of that list
 *    meets it and moves it (made DONTNEED again before that, it has not
 *    moved at all, and is marked used: see drm_shrinker_add_locked());
 * 4. under memory pressure a scan calls &drm_gem_object_funcs.purge,
 *    which releases the backing store; the object then leaves the list.
 *
 * An object also leaves the list when it is freed. An evictable object
 * goes through the same steps with %DRM_SHRINKER_EVICTABLE, put there by
 * its memory manager rather than by madvise: on the list while it is
 * idle and resident, marked used on each use, off the list when a
 * scan evicted it, and back when its contents are (the memory manager
 * calls drm_shrinker_swapped_in_locked() and drm_shrinker_add_locked()).
 *
 * A driver's madvise ioctl, with the shmem helpers, looks like this::
 *
 *	dma_resv_lock(obj->resv, NULL);
 *	folio = page_folio(shmem->pages[0]);
 *	if (madv == DONTNEED)
 *		ret = drm_shrinker_add_locked(obj, DRM_SHRINKER_PURGEABLE, folio);
 *	else if (may_be_evicted)
 *		ret = drm_shrinker_add_locked(obj, DRM_SHRINKER_EVICTABLE, folio);
 *	else
 *		drm_shrinker_remove_locked(obj);
 *	dma_resv_unlock(obj->resv);
 *
 * An object that was ever shared as a dma-buf is never purged or evicted:
 * its pages may be mapped through the dma-buf, where purge and eviction
 * need not zap them, or attached by another device, for as long as the
 * dma-buf lives, also once &drm_gem_object.dma_buf is cleared (the last
 * GEM handle closed). DRM core marks it before it exports it
 * (drm_shrinker_share()), the mark is never cleared, and both places that
 * lead to a callback check it: drm_shrinker_add_locked() and the scan.
 * An imported object keeps &drm_gem_object.import_attach for life.
 *
 * Only memory reclaim (kswapd, direct reclaim, a memory cgroup's or a
 * node's reclaim) evicts: drop_caches and the core MM's debugfs scan only
 * purge, so nothing is written to swap that reclaim did not ask for.
 *
 * Only what a scan could free now is counted: objects that are marked,
 * hold memory and were never shared as dma-bufs; evictable objects only if
 * the reclaim allows I/O (%__GFP_IO, which writing to swap needs), its
 * swappiness is above 0 and swap space is free for the cgroup (its
 * ``memory.swap.max`` and its ancestors' included), no more pages than
 * that, as xe counts what it can back up, and weighed so that reclaim
 * asks for their pages as often as for anon pages: swappiness / 800 of
 * them, with the swappiness of the reclaim (&shrink_control.swappiness).
 * Busy objects (unsignaled fences) are counted: their fences signal.
 * Counting (&shrinker.count_objects) reads, without a lock or a walk, the
 * pages on one node's lists of one cgroup: list_lru counts the objects,
 * and the shrinker keeps their pages beside, per cgroup, node and list
 * (&struct drm_shrinker_memcg), so that a cgroup holding one large object
 * counts what it holds, whatever other cgroups hold; an evictable object
 * that is still on the purgeable list (step 3 above) counts as evictable,
 * and adds a page to the purgeable pages, what moving it costs a scan.
 * Objects that list_lru
 * handed over from a removed cgroup are the exception: the cgroup that has
 * them now counts each at the mean size of all listed objects (every
 * list, cgroup, node and device), those on its purgeable list as
 * purgeable, until a scan of its list or a use meets the object and moves
 * its pages onto the cgroup's counts; a removed cgroup's one 64 MiB
 * object counts as an average one under its parent until then.
 * A scan (&shrinker.scan_objects) looks at no more pages than reclaim
 * asked for (&shrink_control.nr_to_scan), from the least recently used end
 * of the purgeable list of &shrink_control.nid and &shrink_control.memcg,
 * then, with what is left and if it may evict, of the evictable list; what
 * it cannot reclaim now, and what was used since a scan last met it, goes
 * to the tail. Reclaim is told how many pages were looked at, and credited
 * with the pages purged, which went straight back to the page allocator;
 * evicted pages are shmem's again, and the LRU reclaim that frees them
 * once they are in swap counts them.
 */

/**
 * DOC: Locking
 *
 * The lock order is::
 *
 *	dma_resv of a GEM object
 *	  list_lru list lock (spinlock, inside list_lru)
 *	    dma_fence lock (through dma_resv_test_signaled())
 *
 * - An object's state (&struct drm_shrinker_entry but @isolated, and
 *   &drm_gem_object.shrinker_memcg) is written under its reservation
 *   lock: by madvise, and by a scan that trylocked it.
 * - The per-cgroup counts (&struct drm_shrinker_memcg) are atomics; a
 *   cgroup's entry lives while objects are counted in it, found by
 *   readers under RCU, added by the cgroup's first object and removed
 *   by its last one under the xarray's spinlock of &drm_shrinker.memcgs,
 *   taken with an object's reservation lock held or none, never with a
 *   list_lru lock.
 * - The lock of each list_lru list (one per node and cgroup) protects
 *   the list and the links (&drm_gem_object.lru_node) on it. Nothing
 *   sleeps or allocates under it; a scan tests an object's fences under
 *   it, which may signal a fence and run its callbacks there
 *   (dma_fence_is_signaled()), as a fence's own lock allows anywhere.
 *   The xarray's spinlock is the DRM shrinker's only lock of its own,
 *   and the madvise path takes it only for a cgroup's first and last
 *   objects: the statistics are per CPU, so nothing on that path is
 *   shared by all devices but the counts of a cgroup and node, shared by
 *   its objects, and the lock of its list, which a madvise that marks
 *   a listed purgeable object that may be evicted WILLNEED, or DONTNEED
 *   again before a scan moved it, does not take (see
 *   drm_shrinker_add_locked()).
 * - A scan walks a list under its lock, trylocks the reservation locks
 *   of up to %DRM_SHRINKER_BATCH objects (one on the evictable list)
 *   and takes them off (they are now @isolated), and drops the list's
 *   lock; it then purges each object, or puts it back at the tail, and
 *   drops its reservation lock,
 *   and at the end of the batch clears @isolated of each (a scan that
 *   meets an object still @isolated leaves it alone). Objects that
 *   share a reservation lock (a VM's private BOs) are taken off under
 *   the hold the batch took for the first of them, and the lock is
 *   dropped once the last of them is disposed of. An object marked
 *   used and idle (its fences tested under the list's lock) is not
 *   taken off, unless its cgroup went away: isolated for the while, its
 *   mark cleared, it goes to the tail and is let go at once. (An object
 *   of a removed cgroup goes through the dispose step, where it gets its
 *   second chance and is relinked to the cgroup's ancestor.) It takes no
 *   reference: drm_shrinker_forget(), which every object passes when its
 *   last reference goes, waits until no scan has the object isolated,
 *   and the isolate step skips objects whose last reference is gone. So
 *   reclaim never frees an object, and never waits for a free. While a
 *   free waits, the scan lets go, before each callback, of the objects it
 *   is done with and of those whose last reference went while they
 *   waited for their turn (it calls no callback for those): a free waits
 *   for the callback running when it came, and at most one more.
 * - Scans call into a driver inside drm_dev_enter() and an SRCU read
 *   section; drm_shrinker_dev_fini() marks the device gone and waits for
 *   the SRCU grace period: after it returns, no scan calls into the
 *   device's driver, and scans take the device's objects off the lists as
 *   they meet them.
 *
 * Lockdep learns at boot that reclaim takes the list_lru lock under
 * fs_reclaim, so an inversion is reported on the first boot, not under
 * load.
 */

/**
 * DOC: Driver callbacks
 *
 * &drm_gem_object_funcs.purge is called with the object's reservation lock
 * held, inside drm_dev_enter() and with PF_MEMALLOC, for an object that
 * is on the purgeable list, idle (no unsignaled fence of any usage), and
 * never imported or exported as a dma-buf. It releases the backing
 * store, marks the object purged in the memory manager's own state, and
 * returns the number of pages it freed.
 * It returns -EBUSY if the object cannot be purged now (pinned, vmapped,
 * a trylock failed); the object then goes to the tail of its list. The
 * core takes a purged object off the list; a purged object stays purged
 * until it is freed. The core holds no reference to the object: its last
 * reference may go during the call, and its free waits for the scan; the
 * callback drops no reference, and takes one only with
 * kref_get_unless_zero(), for work that outlives the call.
 *
 * The callback runs in memory reclaim and gets its &struct
 * shrink_control: it allocates nothing but with GFP_NOWAIT, takes the
 * driver's sleeping locks only by trylock, and waits for a device, host
 * or GPU only where drm_shrinker_may_wait() allows, for a bounded time;
 * of the core MM's sleeping locks it takes those the shmem
 * helpers need (the full contract is at &drm_gem_object_funcs.purge, and
 * why they cannot deadlock against reclaim in the documentation's "What
 * a callback may wait for"). Work that needs someone else first, such
 * as a host that must stop using the pages, is started and answered with
 * -EINPROGRESS: the object stays on the list, counts as pending, and a
 * later scan, or the driver through drm_shrinker_purge_locked() once the
 * work is done, frees the pages. A later call that answers with an error
 * other than -EBUSY and -EINPROGRESS abandons the purge: it is no longer
 * pending and counts as called off. Whatever a purge needs is allocated
 * before, when the object is marked DONTNEED.
 *
 * &drm_gem_object_funcs.evict is called the same way, with the same
 * contract, for an object on the evictable list, and only in memory
 * reclaim (or drm_shrinker_scan(), which a driver calls on purpose), when
 * the reclaim allows I/O, its swappiness is above 0 and swap space is
 * free. It keeps the contents: it
 * lets go of the object's memory (zapping CPU mappings, taking the object
 * off its device or host) so that it can go to swap, and may start that
 * writing, which reclaim allows, but waits for none of it, and writes no
 * more pages than &shrink_control.nr_to_scan says: what is left of the
 * scan's pages when it comes to the object (0 when an eviction is
 * finished outside reclaim, by drm_shrinker_evict_locked()); it returns the
 * pages it let go of or -EBUSY, or -EINPROGRESS if it waits for someone
 * (the host) first and finishes with drm_shrinker_evict_locked(), as a
 * purge does. The memory manager brings the contents
 * back on the next use, calls drm_shrinker_swapped_in_locked(), and puts
 * the object back on the list.
 *
 * &drm_gem_object_funcs.status needs no change: drm_show_memory_stats()
 * asks the core whether an object is marked purgeable, and an evicted
 * object is not resident.
 */

/**
 * DOC: debugfs and fdinfo
 *
 * ``/sys/kernel/debug/dri/shrinker`` shows the numbers for all devices and
 * ``/sys/kernel/debug/dri/<device>/shrinker`` those of one device, one
 * ``key: value`` per line, with the values in decimal::
 *
 *	purgeable_objects: 12         objects listed as purgeable now
 *	purgeable_pages: 3072         their pages
 *	evictable_objects: 30         objects listed as evictable now
 *	evictable_pages: 7680         their pages
 *	evictable_on_purgeable_objects: 2
 *	                              of them, marked WILLNEED while on the
 *	                              purgeable list and still there (the
 *	                              next scan of it moves them)
 *	evictable_on_purgeable_pages: 512
 *	                              their pages
 *	pending_objects: 2            of them, purges or evictions started
 *	called_off_objects: 1         purges or evictions started, never done
 *	scanned_objects: 40           objects scans looked at
 *	purged_objects: 20            objects purged
 *	purged_pages: 5120            pages their purge callbacks freed
 *	skipped_contended: 1          reservation lock held elsewhere
 *	skipped_busy: 3               unsignaled fences
 *	skipped_pinned: 0             pinned, vmapped, or not now (-EBUSY)
 *	skipped_dmabuf: 0             imported or exported
 *	skipped_gone: 0               device unplugged, or object freed
 *	                              while a scan held it
 *	skipped_failed: 0             purge callback failed
 *	skipped_pending: 4            purge or eviction started, finished later
 *	skipped_referenced: 2         used since listed or last met: to the tail
 *	purged_by_kswapd: 13          purges decided by kswapd's scans,
 *	purged_by_direct: 3           by direct or a memory cgroup's reclaim,
 *	purged_by_other: 4            by debugfs, drm_shrinker_scan() or
 *	                              the driver outside a scan
 *	evicted_objects: 9            objects evicted
 *	evicted_pages: 2304           pages they let go of
 *	evicted_by_kswapd: 6          evictions by kswapd's scans,
 *	evicted_by_direct: 2          by direct or a memory cgroup's reclaim,
 *	evicted_by_other: 1           by debugfs, drm_shrinker_scan() or
 *	                              the driver outside a scan
 *	swapped_in_objects: 5         evicted objects whose contents came back
 *	swapped_in_pages: 1280        their pages
 *
 * ``purged_by_*`` and ``evicted_by_*`` break ``purged_objects`` and
 * ``evicted_objects`` down by who decided each: they add up to them (in
 * a copy taken while no scan runs; each number is exact, the copy is
 * not taken at one instant). They tell an admin whether memory
 * pressure, not only a hand-started scan, reaches the shrinker. A purge
 * or an eviction that a callback finishes later (virtio-gpu waits for
 * the host to let go of the pages) is pending from the scan that starts
 * it until its pages are freed or handed to swap, by a later scan or by
 * drm_shrinker_purge_locked() or drm_shrinker_evict_locked(); then it
 * counts, by the scan that started it. One whose object leaves its list
 * first (a use brings an evicted object back, userspace marks it
 * WILLNEED, it is exported or freed, its device goes) or whose callback
 * fails where it was to end never finishes and counts in
 * ``called_off_objects`` only: a pending purge or eviction ends in
 * ``purged_objects`` or ``evicted_objects``, or in
 * ``called_off_objects``. An evicted object counts in
 * ``swapped_in_objects`` when its contents come back, and not at all if
 * it is freed while evicted.
 *
 * ``purgeable_*`` count what a scan could reclaim: objects marked
 * DONTNEED that hold memory and are not shared as dma-bufs; a marked
 * object that holds no pages (never faulted in) or is shared is not
 * counted. ``evictable_*`` count the objects listed as evictable,
 * whether or not there is swap: the shrinker's count leaves them out
 * without swap, these numbers do not. They include objects made
 * WILLNEED that are still on the purgeable list, until a scan of it
 * moves them (see drm_shrinker_add_locked()). The global file adds
 * ``scans:``, the number of scans. Every other global value is the sum
 * of the devices' values.
 *
 * The core MM's shrinker debugfs directory,
 * ``/sys/kernel/debug/shrinker/drm-shrinker-<id>/``, shows the same
 * objects per memory cgroup and NUMA node. ``count`` has one line per
 * cgroup that has objects on the lists: the cgroup's inode number (``stat
 * -c %i /sys/fs/cgroup/<path>``; 1 is the root) followed by what reclaim
 * would be told on each node, node 0 first: pages, purgeable ones and,
 * with swap, evictable ones. Writing ``<inode> <node> <pages>`` to
 * ``scan`` runs a scan of that cgroup's list on that node, looking at
 * objects until their pages reach that number. Like drop_caches, it is
 * not memory reclaim: it purges, and evicts only while
 * ``/sys/kernel/debug/dri/shrinker_scan_evicts`` is ``Y`` (for tests;
 * ``N`` at boot). ``count`` says what such a scan could take: the
 * evictable pages only while the switch is ``Y``, so a cgroup that holds
 * only evictable objects has a line only then::
 *
 *	# cat /sys/kernel/debug/shrinker/drm-shrinker-9/count
 *	1 40 0
 *	2345 12 7
 *	# echo "2345 1 7" > /sys/kernel/debug/shrinker/drm-shrinker-9/scan
 *
 * In fdinfo, ``drm-purgeable-*`` counts the idle, resident objects of the
 * file that are marked purgeable; an evicted object leaves
 * ``drm-resident-*`` for ``drm-evicted-*`` until its contents come back.
 */

/*
 * What happened to one object in a scan: a value of enum drm_shrinker_skip,
 * or one of these.
 */
#define DRM_SHRINKER_PURGED	DRM_SHRINKER_SKIP_NR
#define DRM_SHRINKER_LEFT	(DRM_SHRINKER_SKIP_NR + 1)
#define DRM_SHRINKER_EVICTED	(DRM_SHRINKER_SKIP_NR + 2)

static const char * const drm_shrinker_list_names[DRM_SHRINKER_NR_LISTS] = {
	[DRM_SHRINKER_PURGEABLE] = "purgeable",
	[DRM_SHRINKER_EVICTABLE] = "evictable",
};

static const char * const drm_shrinker_skip_names[DRM_SHRINKER_SKIP_NR] = {
	[DRM_SHRINKER_SKIP_CONTENDED] = "contended",
	[DRM_SHRINKER_SKIP_BUSY] = "busy",
	[DRM_SHRINKER_SKIP_PINNED] = "pinned",
	[DRM_SHRINKER_SKIP_DMABUF] = "dmabuf",
	[DRM_SHRINKER_SKIP_GONE] = "gone",
	[DRM_SHRINKER_SKIP_FAILED] = "failed",
	[DRM_SHRINKER_SKIP_PENDING] = "pending",
	[DRM_SHRINKER_SKIP_REFERENCED] = "referenced",
};

static const char * const drm_shrinker_origin_names[DRM_SHRINKER_ORIGIN_NR] = {
	[DRM_SHRINKER_KSWAPD] = "kswapd",
	[DRM_SHRINKER_DIRECT] = "direct",
	[DRM_SHRINKER_OTHER] = "other",
};

/**
 * struct drm_shrinker - a DRM shrinker: its lists, its statistics, and the
 * &struct shrinker that reclaim calls
 *
 * DRM core has one, registered at boot; tests make their own with
 * drm_shrinker_create(), which reclaim never sees.
 */
struct drm_shrinker {
	/**
	 * @lru: the objects of each &enum drm_shrinker_list, one list per
	 * node and memory cgroup, least recently used first; their node
	 * locks are the only locks of the core's that a scan takes other
	 * than by trylock (under them, dma_resv_test_signaled() may take
	 * fence locks; for the callbacks' see the DOC section Driver
	 * callbacks)
	 */
	struct list_lru lru[DRM_SHRINKER_NR_LISTS];
	/** @shrinker: the shrinker of the core MM, registered or not */
	struct shrinker *shrinker;
	/** @stats: numbers for all devices of this shrinker, per CPU */
	struct drm_shrinker_stats __percpu *stats;
	/**
	 * @root: the counts of the root cgroup's lists, which are every
	 * cgroup's without kernel memory accounting; never freed
	 */
	struct drm_shrinker_memcg *root;
	/**
	 * @memcgs: the counts of the other cgroups' lists, by private memcg ID,
	 * while objects are counted in them (RCU-freed). A removed cgroup's
	 * ID may go to a new cgroup while objects are still counted in the
	 * removed one's entry: an entry is a cgroup's while its obj_cgroup
	 * belongs to that cgroup, and the new cgroup's first object
	 * replaces the old entry here. Its spinlock
	 * is a leaf, the shrinker's only lock of its own: taken to add a
	 * cgroup's entry (with an object's reservation lock held, nothing
	 * allocated under it but GFP_NOWAIT) and to remove it (by the last
	 * object, also in a scan), never under a list_lru lock.
	 */
	struct xarray memcgs;
	/** @scans: number of scans */
	atomic_long_t scans;
	/** @ready: @lru is initialized; objects are not added before */
	bool ready;
	/**
	 * @assume_swap: a test's shrinker evicts as if swap space were
	 * free (KUnit runs before any swap is set up); see
	 * drm_shrinker_assume_swap()
	 */
	bool assume_swap;
};

/*
 * The objects and pages on one list of one node of one cgroup are one
 * atomic64_t, so that a link or an unlink changes them with one atomic
 * operation (a stray's, two; see %DRM_SHRINKER_TALLY_STRAY): the objects
 * above this bit, the pages below (2^36 pages, 256 TiB, per cgroup and
 * node).
 */
#define DRM_SHRINKER_TALLY_SHIFT	36

/*
 * The counts of one node of one cgroup: what is on the purgeable list,
 * what is on the evictable list (the first two, indexed by &enum
 * drm_shrinker_list), and, of what is on the purgeable list, what is
 * counted as evictable (STRAY, &drm_shrinker_entry.counted): a purgeable
 * object made evictable again (madvise(WILLNEED), a cache's hot path)
 * stays on the purgeable list until a scan of that list meets it and
 * moves it (drm_shrinker_dispose()); made purgeable again before, it has
 * not moved at all. Either mark changes the STRAY count alone: one atomic
 * operation. An object counted as purgeable is always on the purgeable
 * list, where a purge finds it.
 */
enum {
	DRM_SHRINKER_TALLY_STRAY = DRM_SHRINKER_NR_LISTS,
	DRM_SHRINKER_NR_TALLIES,
};

/**
 * struct drm_shrinker_memcg - the pages on a memory cgroup's lists
 *
 * list_lru counts the objects on each list of each node and cgroup; the
 * shrinker tells reclaim pages, and keeps them here. An object points to
 * the entry it is counted in (&drm_gem_object.shrinker_memcg) while it is
 * linked, and its lists are those of the cgroup @objcg belongs to
 * (drm_shrinker_sm_memcg()). When a cgroup goes offline, list_lru moves
 * its objects to the parent's lists, and then the core MM hands its
 * obj_cgroups to the parent (memcg_reparent_objcgs(), after
 * memcg_reparent_list_lrus()), while the objects stay counted here: the
 * parent's count weighs the objects it has beyond its own count at the
 * mean size of all objects on such lists, until a scan that puts it back
 * or a use moves each one onto the parent's entry
 * (drm_shrinker_relink_locked()).
 */
struct drm_shrinker_memcg {
	/**
	 * @objcg: an obj_cgroup of the cgroup, with a reference; NULL for
	 * the root. Not a reference on the cgroup itself, which would keep
	 * a removed cgroup in memory for as long as its objects are listed;
	 * an obj_cgroup follows the objects to the ancestor that took them,
	 * as zswap's entries follow theirs.
	 */
	struct obj_cgroup *objcg;
	/** @shrinker: the shrinker whose lists these are */
	struct drm_shrinker *shrinker;
	/**
	 * @key: the index in &drm_shrinker.memcgs it was stored at, the
	 * cgroup's private memcg ID: a removed cgroup's is released (by
	 * mem_cgroup_private_id_put(), at offline or once swap entries let
	 * go of it) and may go to a new cgroup, so such an entry is reached
	 * through its objects only. While @objcg's cgroup has this ID, it
	 * is the entry's own (see drm_shrinker_sm_gone()).
	 */
	unsigned long key;
	/** @users: the objects counted here; the root's is not counted */
	atomic_long_t users;
	/** @rcu: freed after the readers that may have found it */
	struct rcu_head rcu;
	/**
	 * @tally: per node, the objects and pages (see
	 * %DRM_SHRINKER_TALLY_SHIFT) on the purgeable list, on the evictable
	 * list, and those of the purgeable list's counted as evictable
	 * (%DRM_SHRINKER_TALLY_STRAY)
	 */
	atomic64_t tally[][DRM_SHRINKER_NR_TALLIES];
};

/* &drm_shrinker_entry.nid and &drm_shrinker_entry.origin fit their bits. */
static_assert(MAX_NUMNODES <= 1 << 13);
static_assert(DRM_SHRINKER_ORIGIN_NR <= 1 << 2);

static DEFINE_PER_CPU(struct drm_shrinker_stats, drm_shrinker_core_stats);

/*
 * Tasks in drm_shrinker_forget() waiting for a scan to let an object go:
 * while there are any, scans let go early of what they are done with and
 * of dying objects (drm_shrinker_let_go_early()), and wake up waiters
 * (drm_shrinker_let_go()).
 */
static atomic_t drm_shrinker_waiters = ATOMIC_INIT(0);

/* DRM core's, for every device; a static, so drm_shrinker_fini() is always safe. */
static struct drm_shrinker drm_shrinker_core = {
	.stats = &drm_shrinker_core_stats,
};

static struct dentry *drm_shrinker_debugfs, *drm_shrinker_debugfs_root;

DEFINE_STATIC_SRCU(drm_shrinker_srcu);

/*
 * The lockdep class of the lists' locks: the DRM shrinker's own, not the
 * one of every list_lru without a key (dcache, inodes, ...), so that a
 * report names it; its isolate step tests fences under that lock.
 */
static struct lock_class_key drm_shrinker_lru_key;

/*
 * For tests: scans outside memory reclaim (the core MM's debugfs scan,
 * drop_caches) evict too. Written through debugfs only.
 */
static bool drm_shrinker_scan_evicts;

static bool drm_shrinker_enable = true;
module_param_named(shrinker, drm_shrinker_enable, bool, 0400);
MODULE_PARM_DESC(shrinker,
		 "Register the DRM shrinker (default: true). When false, purgeable objects are tracked but never reclaimed under memory pressure.");

static struct drm_shrinker *drm_shrinker_of(struct drm_gem_object *obj)
{
	return obj->dev->shrinker.shrinker;
}

/*
 * Add @v to the statistic at @offset of @dev and of its shrinker. Inline:
 * two per-CPU additions, where a call would cost more (a madvise that
 * marks an object in place makes two of them).
 */
static __always_inline void drm_shrinker_stat_add(struct drm_device *dev,
						  size_t offset, unsigned long v)
{
	unsigned long __percpu *all = (void __percpu *)dev->shrinker.shrinker->stats +
				      offset;
	unsigned long __percpu *one = (void __percpu *)dev->shrinker.stats +
				      offset;

	this_cpu_add(*all, v);
	this_cpu_add(*one, v);
}

#define drm_shrinker_stat(obj, member, v) \
	drm_shrinker_stat_add((obj)->dev, \
			      offsetof(struct drm_shrinker_stats, member), v)

/*
 * A scan's run of objects of one device: the scan adds up the counts of
 * what it did there (objects looked at, skipped, purged or evicted, and
 * taken off the lists) to add them to the per-CPU numbers when the device
 * changes or drm_shrinker_walk() returns, and the objects and pages taken
 * off one node's lists of one cgroup (@sm, @nid) to take them off its
 * counts (and off the device's numbers in @stats), when the cgroup
 * changes or it pauses. It is inside drm_dev_enter() for the device while
 * it disposes of objects, and pauses (drm_shrinker_run_pause()) at the
 * end of a batch once a timer tick has passed since it entered, or when
 * need_resched() is set: so it calls into a driver whose device
 * drm_dev_unplug() marked unplugged for at most a jiffy and a batch
 * after that (a batch including any time the scan is preempted in it),
 * and drm_dev_unplug() waits for its drm_unplug_srcu reader that long at
 * most (drm_shrinker_dev_fini() then waits for the scans in progress to
 * end); reclaim's count of a cgroup lags as long at most, and the
 * per-CPU statistics (debugfs, drm_shrinker_count()) until the run ends.
 * Only what concerns a pending purge or eviction changes at once, under
 * the object's lock:
 * @pending, and the counts of the one that finishes it, so that a reader
 * that waits for no pending purge sees every purge counted.
 */
struct drm_shrinker_run {
	struct drm_device *dev;
	int idx;
	/* drm_dev_enter() was called for @dev (at the jiffy @since), not left. */
	bool inside;
	/* drm_dev_enter() succeeded: the driver may be called. */
	bool entered;
	unsigned long since;
	struct drm_shrinker_stats stats;
	struct drm_shrinker_memcg *sm;
	int nid;
	long objects[DRM_SHRINKER_NR_TALLIES], pages[DRM_SHRINKER_NR_TALLIES];
};

static __always_inline void
drm_shrinker_memcg_put_many(struct drm_shrinker_memcg *sm, long n);

/* Add @objects and @pages to @sm's counts @slot on @nid. */
static void drm_shrinker_tally_add(struct drm_shrinker_memcg *sm, int nid,
				   unsigned int slot, long objects, long pages)
{
	atomic64_add(((s64)objects << DRM_SHRINKER_TALLY_SHIFT) + pages,
		     &sm->tally[nid][slot]);
}

static unsigned long drm_shrinker_pages(const struct drm_gem_object *obj)
{
	return obj->size >> PAGE_SHIFT;
}

/*
 * Whether @obj, linked, is on the purgeable list and counted as evictable
 * (see %DRM_SHRINKER_TALLY_STRAY).
 */
static __always_inline bool drm_shrinker_stray(const struct drm_gem_object *obj)
{
	return obj->shrinker.counted != obj->shrinker.on;
}

/*
 * Count @obj, linked, @n (1 or -1) times more in @sm's counts: a stray
 * leaves the strays' count before its list's, so that a count, which
 * reads the list's first, does not see it twice as often as it is
 * there (see drm_shrinker_count_lists()).
 */
static void drm_shrinker_tally_obj(struct drm_shrinker_memcg *sm,
				   const struct drm_gem_object *obj, long n)
{
	long pages = n * (long)drm_shrinker_pages(obj);
	int nid = obj->shrinker.nid;
	bool stray = drm_shrinker_stray(obj);

	if (stray && n < 0)
		drm_shrinker_tally_add(sm, nid, DRM_SHRINKER_TALLY_STRAY, n,
				       pages);
	drm_shrinker_tally_add(sm, nid, obj->shrinker.on, n, pages);
	if (stray && n > 0)
		drm_shrinker_tally_add(sm, nid, DRM_SHRINKER_TALLY_STRAY, n,
				       pages);
}

/* Take what @run took off the lists off their counts. */
static void drm_shrinker_run_untally(struct drm_shrinker_run *run)
{
	long objects = 0;
	int i;

	if (!run->sm)
		return;
	/* The strays first, as drm_shrinker_tally_obj() takes them off. */
	for (i = DRM_SHRINKER_NR_TALLIES - 1; i >= 0; i--) {
		if (!run->objects[i])
			continue;
		drm_shrinker_tally_add(run->sm, run->nid, i, -run->objects[i],
				       -run->pages[i]);
		/* The same off the statistics of the run's device. */
		if (i == DRM_SHRINKER_TALLY_STRAY) {
			run->stats.stray_objects -= run->objects[i];
			run->stats.stray_pages -= run->pages[i];
		} else {
			run->stats.objects[i] -= run->objects[i];
			run->stats.pages[i] -= run->pages[i];
			/* A stray is counted on the purgeable list too. */
			objects += run->objects[i];
		}
		run->objects[i] = 0;
		run->pages[i] = 0;
	}
	drm_shrinker_memcg_put_many(run->sm, objects);
	run->sm = NULL;
}

/* Count @v in the statistic at @offset of @run, or of @obj's device. */
static void drm_shrinker_run_add(struct drm_shrinker_run *run,
				 struct drm_gem_object *obj, size_t offset,
				 unsigned long v)
{
	if (run)
		*(unsigned long *)((void *)&run->stats + offset) += v;
	else
		drm_shrinker_stat_add(obj->dev, offset, v);
}

#define drm_shrinker_run_stat(run, obj, member, v) \
	drm_shrinker_run_add(run, obj, \
			     offsetof(struct drm_shrinker_stats, member), v)

/*
 * Take what @run took off the lists off their counts, and leave its
 * device's SRCU section (which every device's unplug waits for).
 */
static void drm_shrinker_run_pause(struct drm_shrinker_run *run)
{
	drm_shrinker_run_untally(run);
	if (run->inside && run->entered)
		drm_dev_exit(run->idx);
	run->inside = false;
}

/* Add up what @run counted and leave its device. */
static void drm_shrinker_run_end(struct drm_shrinker_run *run)
{
	unsigned long *d = (unsigned long *)&run->stats;
	unsigned int i;

	drm_shrinker_run_pause(run);
	if (!run->dev)
		return;
	for (i = 0; i < sizeof(run->stats) / sizeof(*d); i++) {
		if (d[i])
			drm_shrinker_stat_add(run->dev, i * sizeof(*d), d[i]);
	}
	memset(&run->stats, 0, sizeof(run->stats));
	run->dev = NULL;
}

/* Make @run the run of @dev, entered if it is still there. */
static void drm_shrinker_run_dev(struct drm_shrinker_run *run,
				 struct drm_device *dev)
{
	if (run->dev != dev) {
		drm_shrinker_run_end(run);
		run->dev = dev;
	} else if (run->inside) {
		return;
	}
	run->entered = drm_dev_enter(dev, &run->idx);
	run->inside = true;
	run->since = jiffies;
}

/*
 * Whether @memcg is a cgroup with no list_lru lists of its own: with
 * kernel memory accounting off (cgroup.memory=nokmem) no cgroup has a
 * kmemcg_id, and list_lru gives such a cgroup the root's lists.
 */
static bool drm_shrinker_memcg_listless(struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	return memcg && parent_mem_cgroup(memcg) && memcg_kmem_id(memcg) < 0;
#else
	return false;
#endif
}

#ifdef CONFIG_MEMCG
/* Whether @memcg is the root cgroup. */
static bool drm_shrinker_memcg_is_root(struct mem_cgroup *memcg)
{
	return !parent_mem_cgroup(memcg);
}

/* The index of @memcg's counts in &drm_shrinker.memcgs. */
static unsigned long drm_shrinker_memcg_key(struct mem_cgroup *memcg)
{
	return mem_cgroup_private_id(memcg);
}
#endif

/*
 * The memory cgroup whose lists an object with @folio as first folio goes
 * on, with a reference, and in @objcg the obj_cgroup the folio is charged
 * to, with a reference, for the cgroup's counts to keep
 * (drm_shrinker_memcg_get()). The cgroup is the obj_cgroup's: the
 * folio's, or the ancestor that took its folios when it went offline,
 * which may be the root cgroup. NULL, and no obj_cgroup, stands for the
 * root's lists too, for an uncharged folio and for every cgroup without
 * lists of its own: without kernel memory accounting, objects are on the
 * root's lists, counted for the whole machine, and no cgroup's reclaim
 * reaches them (listed under the cgroup, they would mark its shrinker
 * bit, and its reclaim would count the root's lists: every cgroup's
 * objects).
 */
static struct mem_cgroup *drm_shrinker_folio_memcg(struct folio *folio,
						   struct obj_cgroup **objcg)
{
#ifdef CONFIG_MEMCG
	struct mem_cgroup *memcg;
	struct obj_cgroup *cg;

	*objcg = NULL;
	rcu_read_lock();
	cg = folio_objcg(folio);
	/*
	 * The caller holds the folio: it stays charged to this obj_cgroup
	 * (memcg_data changes only with the folio's refcount zero or
	 * frozen), and the obj_cgroup lives while it is.
	 */
	if (cg && !obj_cgroup_tryget(cg))
		cg = NULL;
	rcu_read_unlock();
	if (!cg)
		return NULL;
	/* As long as the cgroup takes to hand its obj_cgroups over. */
	memcg = get_mem_cgroup_from_objcg(cg);
	if (drm_shrinker_memcg_is_root(memcg) ||
	    drm_shrinker_memcg_listless(memcg)) {
		mem_cgroup_put(memcg);
		obj_cgroup_put(cg);
		return NULL;
	}
	*objcg = cg;
	return memcg;
#else
	*objcg = NULL;
	return NULL;
#endif
}

/*
 * The cgroup whose lists hold the objects counted in @sm, NULL for the
 * root: @sm's cgroup while it is there, else the ancestor that list_lru
 * handed its lists to when it went offline (its parent, or further up if
 * that went too), before its obj_cgroups (see &struct drm_shrinker_memcg).
 * Not the removed cgroup itself: list_lru finds a cgroup's lists by an ID
 * (memcg_kmem_id()) that a new cgroup may take once the old one is
 * offline. The caller holds the RCU read lock, which keeps the cgroup in
 * memory, as zswap's list_lru calls do.
 */
static struct mem_cgroup *
drm_shrinker_sm_memcg(const struct drm_shrinker_memcg *sm)
{
#ifdef CONFIG_MEMCG
	return sm->objcg ? obj_cgroup_memcg(sm->objcg) : NULL;
#else
	return NULL;
#endif
}

/*
 * Whether the cgroup of @sm went offline and its objects are on an
 * ancestor's lists: @sm's obj_cgroup belongs to a cgroup of another ID.
 * The cgroup and its ancestors have IDs of their own while it lives, and
 * its ID goes, once it is removed, only to a cgroup created after, never
 * to an ancestor.
 */
static bool drm_shrinker_sm_gone(const struct drm_shrinker_memcg *sm)
{
#ifdef CONFIG_MEMCG
	bool gone;

	if (!sm->objcg)
		return false;
	rcu_read_lock();
	gone = drm_shrinker_memcg_key(obj_cgroup_memcg(sm->objcg)) != sm->key;
	rcu_read_unlock();
	return gone;
#else
	return false;
#endif
}

/*
 * The counts of @memcg's lists (NULL: the root's), or NULL if no object
 * is counted in them. The caller holds the RCU read lock.
 */
static struct drm_shrinker_memcg *
drm_shrinker_memcg_find(struct drm_shrinker *shrinker, struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	struct drm_shrinker_memcg *sm;

	if (memcg && !drm_shrinker_memcg_is_root(memcg)) {
		sm = xa_load(&shrinker->memcgs, drm_shrinker_memcg_key(memcg));
		return sm && drm_shrinker_sm_memcg(sm) == memcg ? sm : NULL;
	}
#endif
	return shrinker->root;
}

/*
 * The counts of @memcg's lists, for one more object, taking over the
 * caller's reference on @objcg, an obj_cgroup of @memcg (dropped for
 * @memcg NULL or the root, whose counts are the shrinker's own; NULL only
 * with @memcg NULL); the caller keeps its reference on @memcg. The first
 * object of a cgroup adds them, allocating with GFP_KERNEL if @can_block,
 * else with GFP_NOWAIT and without the reserves that PF_MEMALLOC opens.
 * NULL if that failed; the reference on @objcg is dropped.
 */
static struct drm_shrinker_memcg *
drm_shrinker_memcg_get(struct drm_shrinker *shrinker, struct mem_cgroup *memcg,
		       struct obj_cgroup *objcg, bool can_block)
{
#ifdef CONFIG_MEMCG
	const gfp_t nowait = GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC;
	gfp_t gfp = can_block ? GFP_KERNEL : nowait;
	struct drm_shrinker_memcg *sm, *cur;
	unsigned long key;

	if (!memcg || drm_shrinker_memcg_is_root(memcg)) {
		if (objcg)
			obj_cgroup_put(objcg);
		return shrinker->root;
	}
	/* Without one, the entry would pass for the root's, never freed. */
	if (WARN_ON_ONCE(!objcg))
		return NULL;
	key = drm_shrinker_memcg_key(memcg);
	rcu_read_lock();
	sm = drm_shrinker_memcg_find(shrinker, memcg);
	if (sm && atomic_long_inc_not_zero(&sm->users)) {
		rcu_read_unlock();
		goto put;
	}
	rcu_read_unlock();

	sm = kzalloc(struct_size(sm, tally, nr_node_ids), gfp);
	/* The slot, so that the store under the lock need not allocate. */
	if (!sm || (can_block && xa_reserve(&shrinker->memcgs, key, gfp)))
		goto fail;
	sm->objcg = objcg;
	sm->shrinker = shrinker;
	sm->key = key;
	atomic_long_set(&sm->users, 1);
	xa_lock(&shrinker->memcgs);
	/* Added by another first object meanwhile? */
	rcu_read_lock();
	cur = xa_load(&shrinker->memcgs, key);
	if (cur && drm_shrinker_sm_memcg(cur) == memcg &&
	    atomic_long_inc_not_zero(&cur->users)) {
		rcu_read_unlock();
		xa_unlock(&shrinker->memcgs);
		kfree(sm);
		sm = cur;
		goto put;
	}
	rcu_read_unlock();
	/*
	 * Over an entry whose last object is leaving (its removal compares
	 * and finds this one), or that of a removed cgroup that had the ID.
	 */
	cur = __xa_store(&shrinker->memcgs, key, sm, nowait);
	xa_unlock(&shrinker->memcgs);
	if (xa_is_err(cur))
		goto fail;
	/* The entry holds the reference for all its objects. */
	return sm;

fail:
	kfree(sm);
	sm = NULL;
put:
	/* The entry holds one reference for all its objects. */
	obj_cgroup_put(objcg);
	return sm;
#else
	return shrinker->root;
#endif
}

/* @n objects fewer are counted in @sm, a cgroup's; the last one frees it. */
static void __drm_shrinker_memcg_put_many(struct drm_shrinker_memcg *sm,
					  long n)
{
#ifdef CONFIG_MEMCG
	if (!atomic_long_sub_and_test(n, &sm->users))
		return;
	/* Unless a new cgroup's entry took the ID's slot meanwhile. */
	xa_cmpxchg(&sm->shrinker->memcgs, sm->key, sm, NULL, 0);
	obj_cgroup_put(sm->objcg);
	kfree_rcu(sm, rcu);
#endif
}

/*
 * @n objects fewer are counted in @sm. The root's counts are never
 * freed: the unlink of a root cgroup's object, the madvise ioctl's
 * common case, makes no call for them.
 */
static __always_inline void
drm_shrinker_memcg_put_many(struct drm_shrinker_memcg *sm, long n)
{
	if (sm->objcg && n)
		__drm_shrinker_memcg_put_many(sm, n);
}

/*
 * The mean size of the objects on @shrinker's lists, all lists, cgroups
 * and nodes, at least a page: list_lru's count of them (a read per node)
 * and the sum of their pages in the shrinker's per-CPU statistics (a
 * read per CPU). Only a count of a cgroup that list_lru handed a removed
 * cgroup's objects to asks, until a scan moved their pages onto its
 * counts: a link or an unlink of an object updates nothing shared for it.
 */
static unsigned long drm_shrinker_mean_pages(struct drm_shrinker *shrinker)
{
	unsigned long objects = 0;
	unsigned int list;
	long pages = 0;
	int cpu;

	for (list = 0; list < DRM_SHRINKER_NR_LISTS; list++)
		objects += list_lru_count(&shrinker->lru[list]);
	/* Per CPU, a link and its unlink may come apart: the sum is right. */
	for_each_possible_cpu(cpu) {
		const struct drm_shrinker_stats *st = per_cpu_ptr(shrinker->stats, cpu);

		for (list = 0; list < DRM_SHRINKER_NR_LISTS; list++)
			pages += READ_ONCE(st->pages[list]);
	}
	return objects && pages > (long)objects ? pages / objects : 1;
}

/* The list_lru @obj is linked on. */
static struct list_lru *drm_shrinker_lru(struct drm_gem_object *obj)
{
	return &drm_shrinker_of(obj)->lru[obj->shrinker.on];
}

/*
 * Put @obj, off its list, back at the tail of it. If its cgroup went
 * offline, list_lru gave the cgroup's lists to its parent (or a further
 * ancestor, if that went too), which its obj_cgroup now belongs to:
 * the object follows, with its pages counted there, and
 * list_lru_add() marks that cgroup's list as not empty. Without memory
 * for the ancestor's counts (allocated with GFP_KERNEL if @can_block, by
 * a use; a scan that puts the object back allocates with GFP_NOWAIT) its
 * pages stay counted where they are, and it goes on the ancestor's list
 * all the same (drm_shrinker_sm_memcg() finds it there).
 */
static void drm_shrinker_relink_locked(struct drm_gem_object *obj,
				       bool can_block)
{
	struct drm_shrinker_memcg *sm = obj->shrinker_memcg;
#ifdef CONFIG_MEMCG
	struct drm_shrinker_memcg *to;
	struct mem_cgroup *memcg;

	if (drm_shrinker_sm_gone(sm)) {
		/* Its obj_cgroup is the ancestor's now: one for the counts. */
		obj_cgroup_get(sm->objcg);
		memcg = get_mem_cgroup_from_objcg(sm->objcg);
		to = drm_shrinker_memcg_get(sm->shrinker, memcg, sm->objcg,
					    can_block);
		mem_cgroup_put(memcg);
		if (to) {
			drm_shrinker_tally_obj(to, obj, 1);
			obj->shrinker_memcg = to;
			drm_shrinker_tally_obj(sm, obj, -1);
			drm_shrinker_memcg_put_many(sm, 1);
			sm = to;
		}
	}
#endif
	rcu_read_lock();
	list_lru_add(drm_shrinker_lru(obj), &obj->lru_node, obj->shrinker.nid,
		     drm_shrinker_sm_memcg(sm));
	rcu_read_unlock();
}

/*
 * Put @obj, off every list, on the list it is marked for, of its node and
 * cgroup.
 */
static int drm_shrinker_link_locked(struct drm_gem_object *obj,
				    struct folio *folio)
{
	struct drm_shrinker *shrinker = drm_shrinker_of(obj);
	unsigned long pages = drm_shrinker_pages(obj);
	unsigned int list = obj->shrinker.list;
	struct drm_shrinker_memcg *sm;
	int nid = folio_nid(folio);
	struct obj_cgroup *objcg;
	struct mem_cgroup *memcg;

	dma_resv_assert_held(obj->resv);

	/*
	 * The lists of the folio's cgroup and its ancestors are allocated
	 * when its first object comes (an ancestor that takes the cgroup's
	 * objects has them); the root's are the node's own, always there.
	 */
	if (folio_memcg_charged(folio)) {
		int ret;

		/* Only for a charged folio: it looks up the folio's memcg. */
		ret = folio_memcg_list_lru_alloc(folio, &shrinker->lru[list],
						 GFP_KERNEL);
		/*
		 * An object that may be evicted moves to the evictable list
		 * in a scan, which may not allocate (drm_shrinker_dispose()).
		 */
		if (!ret && list != DRM_SHRINKER_EVICTABLE && obj->funcs->evict)
			ret = folio_memcg_list_lru_alloc(folio,
							 &shrinker->lru[DRM_SHRINKER_EVICTABLE],
							 GFP_KERNEL);
		if (ret)
			return ret;
	}
	/* And its counts. */
	memcg = drm_shrinker_folio_memcg(folio, &objcg);
	sm = drm_shrinker_memcg_get(shrinker, memcg, objcg, true);
	mem_cgroup_put(memcg);
	if (!sm)
		return -ENOMEM;

	obj->shrinker_memcg = sm;
	obj->shrinker.nid = nid;
	obj->shrinker.on = list;
	obj->shrinker.counted = list;
	obj->shrinker.linked = true;
	/* A drm_gem_lru leaves the link poisoned. */
	INIT_LIST_HEAD(&obj->lru_node);
	drm_shrinker_tally_add(sm, nid, list, 1, pages);
	rcu_read_lock();
	list_lru_add(&shrinker->lru[list], &obj->lru_node, nid,
		     drm_shrinker_sm_memcg(sm));
	rcu_read_unlock();
	drm_shrinker_stat(obj, objects[list], 1);
	drm_shrinker_stat(obj, pages[list], pages);
	return 0;
}

/*
 * The "locked" of the functions below: @obj's reservation lock held, or
 * its last reference gone (drm_shrinker_forget(), a scan that meets it
 * dying), where nobody else reaches its entry.
 */
static __always_inline void drm_shrinker_assert_locked(struct drm_gem_object *obj)
{
	if (kref_read(&obj->refcount))
		dma_resv_assert_held(obj->resv);
}

/*
 * Forget that @obj is linked, once it is off its list: a scan isolated it
 * (and counts in @run), or drm_shrinker_unlink_locked() took it off.
 */
static __always_inline void
drm_shrinker_unlinked_locked(struct drm_gem_object *obj,
			     struct drm_shrinker_run *run)
{
	struct drm_shrinker_memcg *sm = obj->shrinker_memcg;
	unsigned long pages = drm_shrinker_pages(obj);
	bool stray = drm_shrinker_stray(obj);
	unsigned int on = obj->shrinker.on;
	int nid = obj->shrinker.nid;

	drm_shrinker_assert_locked(obj);

	/*
	 * A scan's run takes them off its cgroup's counts when it pauses or
	 * the cgroup changes, and off its device's numbers when it ends.
	 */
	if (run) {
		if (run->sm != sm || run->nid != nid) {
			drm_shrinker_run_untally(run);
			run->sm = sm;
			run->nid = nid;
		}
		run->objects[on]++;
		run->pages[on] += pages;
		if (stray) {
			run->objects[DRM_SHRINKER_TALLY_STRAY]++;
			run->pages[DRM_SHRINKER_TALLY_STRAY] += pages;
		}
	} else {
		drm_shrinker_tally_obj(sm, obj, -1);
		drm_shrinker_memcg_put_many(sm, 1);
		drm_shrinker_stat(obj, objects[on], -1);
		drm_shrinker_stat(obj, pages[on], -pages);
		if (stray) {
			drm_shrinker_stat(obj, stray_objects, -1);
			drm_shrinker_stat(obj, stray_pages, -pages);
		}
	}
	obj->shrinker_memcg = NULL;
	obj->shrinker.linked = false;
	obj->shrinker.referenced = false;
	/* Off its list before its purge or eviction finished. */
	if (obj->shrinker.pending) {
		obj->shrinker.pending = false;
		drm_shrinker_stat(obj, pending, -1);
		drm_shrinker_stat(obj, called_off, 1);
	}
}

/*
 * Count @obj, linked on the purgeable list and locked, for the other list
 * (@list) from now on, where it is (see %DRM_SHRINKER_TALLY_STRAY): one
 * atomic operation on its cgroup's counts, two additions to per-CPU
 * statistics of its device and two of the shrinker's.
 */
static void drm_shrinker_recount_locked(struct drm_gem_object *obj,
					unsigned int list)
{
	long n = list == DRM_SHRINKER_EVICTABLE ? 1 : -1;
	long pages = n * (long)drm_shrinker_pages(obj);

	if (drm_WARN_ON_ONCE(obj->dev,
			     obj->shrinker.on != DRM_SHRINKER_PURGEABLE ||
			     obj->shrinker.counted == list))
		return;
	obj->shrinker.counted = list;
	drm_shrinker_tally_add(obj->shrinker_memcg, obj->shrinker.nid,
			       DRM_SHRINKER_TALLY_STRAY, n, pages);
	drm_shrinker_stat(obj, stray_objects, n);
	drm_shrinker_stat(obj, stray_pages, pages);
}

static void drm_shrinker_unlink_locked(struct drm_gem_object *obj)
{
	drm_shrinker_assert_locked(obj);
	rcu_read_lock();
	list_lru_del(drm_shrinker_lru(obj), &obj->lru_node, obj->shrinker.nid,
		     drm_shrinker_sm_memcg(obj->shrinker_memcg));
	rcu_read_unlock();
	drm_shrinker_unlinked_locked(obj, NULL);
}

/*
 * Whether @obj's pages may be reachable through a dma-buf: it is
 * imported, or it was ever exported (&drm_shrinker_entry.shared stays
 * set after &drm_gem_object.dma_buf is cleared, while the dma-buf and its
 * mappings may live on).
 */
static __always_inline bool drm_shrinker_shared(const struct drm_gem_object *obj)
{
	return obj->import_attach || obj->shrinker.shared || obj->dma_buf;
}

/*
 * Whether the shrinker could free @obj at all: never shared as a
 * dma-buf, and its device still here.
 */
static __always_inline bool drm_shrinker_can_link(struct drm_gem_object *obj)
{
	return drm_shrinker_of(obj)->ready && !READ_ONCE(obj->dev->shrinker.gone) &&
	       !drm_shrinker_shared(obj);
}

/**
 * drm_shrinker_add_locked - mark an object for an LRU list
 * @obj: GEM object, with &drm_gem_object_funcs.purge for
 *	%DRM_SHRINKER_PURGEABLE, &drm_gem_object_funcs.evict for
 *	%DRM_SHRINKER_EVICTABLE
 * @list: the list
 * @folio: the first folio of @obj's memory, which the caller holds a
 *	reference to (as @obj's pages or otherwise), or NULL if @obj holds
 *	none now
 *
 * Marks @obj for @list and, if it holds memory (@folio) and could be
 * reclaimed (it is not imported or exported as a dma-buf), puts it at the
 * tail of the list of @folio's NUMA node and memory cgroup, where it is
 * counted; off the other list, if it was on it. An object that is
 * already counted for @list is marked used, without the list's lock
 * (unless its cgroup went away: it then follows its list to the ancestor
 * that took it, whose counts may be allocated, %GFP_KERNEL): this is how
 * a use of an evictable object makes it recently used. The scan that
 * meets it next moves it to the tail instead of reclaiming it (a second
 * chance, as inodes and dentries get on their lists), so it goes after
 * the objects not used since. A driver calls it again with a folio when a
 * marked object that held no memory gets pages (a CPU fault, for
 * instance).
 *
 * A purgeable object marked %DRM_SHRINKER_EVICTABLE (madvise(WILLNEED)
 * of an object that may be evicted) is counted as evictable at once but
 * stays on the purgeable list, without the list's lock: the next scan of
 * that list that meets it moves it to the tail of the evictable list, as
 * inode_lru_isolate() takes inodes in use off its list. Marked
 * %DRM_SHRINKER_PURGEABLE again before, it is counted as purgeable again
 * where it is and marked used: the next scan that meets it sends it to
 * the tail, where the move would have put it, as it does with any object
 * used since it was listed. So a cache that marks its objects DONTNEED
 * and WILLNEED over and over takes no list lock while they may be
 * evicted (an object that may not, pinned, mapped by the kernel or
 * without &drm_gem_object_funcs.evict, leaves the lists at WILLNEED and
 * goes on again at DONTNEED), and the counts are exact at every step.
 *
 * The caller holds the object's reservation lock. Memory is allocated
 * (%GFP_KERNEL) when the cgroup's first object arrives on a list, or
 * when an object whose cgroup went away is used.
 *
 * Return: 0, or -ENOMEM if the cgroup's list or its counts could not be
 * allocated; the object is then marked but not counted, and no scan
 * reclaims it.
 */
int drm_shrinker_add_locked(struct drm_gem_object *obj,
			    enum drm_shrinker_list list, struct folio *folio)
{
	dma_resv_assert_held(obj->resv);

	/*
	 * Used again: an object counted for @list, linked, and not a scan's,
	 * is marked for the next scan that meets it, which moves it (the
	 * checks below held when it was linked). First, as the commonest
	 * call.
	 */
	if (likely(obj->shrinker.linked && obj->shrinker.counted == list &&
		   !obj->shrinker.scanning &&
		   !drm_shrinker_sm_gone(obj->shrinker_memcg))) {
		obj->shrinker.list = list;
		obj->shrinker.referenced = true;
		return 0;
	}
	if (drm_WARN_ON_ONCE(obj->dev, list >= DRM_SHRINKER_NR_LISTS))
		return -EINVAL;
	if (drm_WARN_ON_ONCE(obj->dev, list == DRM_SHRINKER_PURGEABLE ?
				       !obj->funcs->purge : !obj->funcs->evict))
		return -EINVAL;
	/* The link and the memcg pointer are those of a drm_gem_lru. */
	if (drm_WARN_ON_ONCE(obj->dev, !obj->shrinker.linked && obj->lru))
		return -EINVAL;

	obj->shrinker.list = list;
	if (obj->shrinker.scanning) {
		/*
		 * Used again while a scan has it (a callback of an object
		 * that shares its lock): its second chance, as below; a new
		 * mark is counted when the scan puts it back.
		 */
		if (obj->shrinker.linked && obj->shrinker.counted == list)
			obj->shrinker.referenced = true;
		return 0;
	}
	if (obj->shrinker.linked &&
	    unlikely(drm_shrinker_sm_gone(obj->shrinker_memcg))) {
		/*
		 * Its cgroup went: follow its list to the ancestor that
		 * took it now, with its pages, rather than leave them
		 * counted where they are until a scan, which may not
		 * allocate the ancestor's counts.
		 */
		if (obj->shrinker.counted == list) {
			rcu_read_lock();
			list_lru_del(drm_shrinker_lru(obj), &obj->lru_node,
				     obj->shrinker.nid,
				     drm_shrinker_sm_memcg(obj->shrinker_memcg));
			rcu_read_unlock();
			drm_shrinker_relink_locked(obj, true);
			return 0;
		}
	} else if (obj->shrinker.linked) {
		/*
		 * Used again (counted for @list) took the short path above.
		 * Made evictable (madvise(WILLNEED)): counted so at once,
		 * left on the purgeable list, whose next scan moves it; or
		 * made purgeable again before that, and marked used, so
		 * that the next scan sends it to the tail, where it would
		 * have gone. No list lock for either: a cache that marks its
		 * objects DONTNEED and WILLNEED over and over takes none. A
		 * purge or eviction in progress is called off the usual way,
		 * below, as is an object that may no longer be listed.
		 */
		if ((list == DRM_SHRINKER_EVICTABLE || obj->shrinker.on == list) &&
		    folio && !obj->shrinker.pending && drm_shrinker_can_link(obj)) {
			drm_shrinker_recount_locked(obj, list);
			obj->shrinker.referenced = list == DRM_SHRINKER_PURGEABLE;
			return 0;
		}
	}
	if (obj->shrinker.linked)
		drm_shrinker_unlink_locked(obj);
	if (!folio || !drm_shrinker_can_link(obj))
		return 0;
	return drm_shrinker_link_locked(obj, folio);
}
EXPORT_SYMBOL_GPL(drm_shrinker_add_locked);

/**
 * drm_shrinker_remove_locked - take an object off its LRU list
 * @obj: GEM object
 *
 * Unmarks @obj and takes it off its list; nothing happens if it is on
 * none.
 *
 * The caller holds the object's reservation lock.
 */
void drm_shrinker_remove_locked(struct drm_gem_object *obj)
{
	dma_resv_assert_held(obj->resv);

	obj->shrinker.list = DRM_SHRINKER_NONE;
	/* A purge callback: the scan takes the object off. */
	if (obj->shrinker.linked && !obj->shrinker.scanning)
		drm_shrinker_unlink_locked(obj);
}
EXPORT_SYMBOL_GPL(drm_shrinker_remove_locked);

/**
 * drm_shrinker_is_purgeable - is an object marked purgeable?
 * @obj: GEM object
 *
 * Without the object's reservation lock the answer may be stale by the
 * time the caller uses it.
 *
 * Return: true if @obj is marked for the %DRM_SHRINKER_PURGEABLE list,
 * whether or not it holds memory, and could be purged: it was never
 * shared as a dma-buf.
 */
bool drm_shrinker_is_purgeable(struct drm_gem_object *obj)
{
	/* Unlocked by design: a hint for fdinfo, stale or not. */
	if (data_race((unsigned int)obj->shrinker.list) != DRM_SHRINKER_PURGEABLE)
		return false;
	/* The same hint: never purged once shared, see drm_shrinker_share(). */
	return !data_race(drm_shrinker_shared(obj));
}
EXPORT_SYMBOL_GPL(drm_shrinker_is_purgeable);

/* No scan has @obj isolated any more, and its last stores to it are seen. */
static bool drm_shrinker_released(struct drm_gem_object *obj)
{
	/* Pairs with the release that ends the isolation. */
	return !smp_load_acquire(&obj->shrinker.isolated);
}

/**
 * drm_shrinker_forget - take a dying object off its LRU list
 * @obj: GEM object whose last reference is gone
 *
 * Called by drm_gem_object_free() before the driver frees @obj, and again
 * by drm_gem_object_release() for objects freed without a reference count.
 * Waits until no scan has @obj isolated: for at most one callback of the
 * scan (a scan that sees a waiter lets go of the objects it is done
 * with, and of the dying ones without calling back for them, before its
 * next callback; the one running may be followed by one more that
 * started before the scan saw the waiter), and callbacks sleep for a
 * bounded time at most (see drm_shrinker_may_wait()).
 */
void drm_shrinker_forget(struct drm_gem_object *obj)
{
	/*
	 * Order the last reference's drop before the read of @isolated; the
	 * scan's isolate step orders them the other way round: either it
	 * sees no reference left and leaves @obj alone, or we see it
	 * isolated and wait.
	 */
	smp_mb();
	if (!drm_shrinker_released(obj)) {
		atomic_inc(&drm_shrinker_waiters);
		/*
		 * Count us before the condition is read again, under a full
		 * barrier: drm_shrinker_let_go() clears @isolated, then
		 * reads the count under one; either it sees us and wakes us
		 * up, or we see @isolated clear and do not sleep.
		 */
		smp_mb__after_atomic();
		wait_var_event(&obj->shrinker.isolated,
			       drm_shrinker_released(obj));
		atomic_dec(&drm_shrinker_waiters);
	}
	if (obj->shrinker.linked)
		drm_shrinker_unlink_locked(obj);
	obj->shrinker.list = DRM_SHRINKER_NONE;
}

/**
 * drm_shrinker_share - keep an object shared as a dma-buf off the lists
 * @obj: GEM object about to be exported as a dma-buf
 *
 * The pages of an object shared as a dma-buf may be mapped through the
 * dma-buf's file or attached by another device, for as long as the
 * dma-buf lives: after the last GEM handle is closed too, when
 * &drm_gem_object.dma_buf is cleared. Purge and eviction zap the object's
 * range of the DRM device's address space, which holds a dma-buf mapping
 * only if the driver exports through drm_gem_prime_export() and the
 * object has an mmap offset: a driver's own export (virtio-gpu's
 * virtio_dma_buf_export()) leaves the mappings in the dma-buf file's own
 * address space, and without an offset drm_gem_prime_mmap() maps at 0,
 * where nothing zaps them. So an object is
 * marked shared, for the rest of its life, before its dma-buf can reach
 * anyone: drm_shrinker_add_locked() does not list it and a scan that
 * meets it takes it off and leaves its pages alone, whatever path brings
 * it to the shrinker again (a fence signalled, a vunmap, an unpin, a
 * madvise through a self-import, a fault of the dma-buf's mapping).
 *
 * Called by DRM core before it exports an object; an export that fails
 * afterwards leaves the mark, which only keeps memory in. An imported object
 * needs no mark: &drm_gem_object.import_attach stays set for its life,
 * and a dma-buf that a device imports from itself gives back the object
 * it exported.
 *
 * Context: Process context; takes and releases the object's reservation
 * lock.
 *
 * Return: 0, or -EINTR if a signal interrupted the wait for the lock.
 */
int drm_shrinker_share(struct drm_gem_object *obj)
{
	int ret;

	/* Objects that never go on the lists need no mark. */
	if (!obj->funcs || (!obj->funcs->purge && !obj->funcs->evict))
		return 0;
	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		return ret;
	obj->shrinker.shared = true;
	/* Not isolated by a scan: a scan holds the lock while it works on it. */
	if (obj->shrinker.linked && drm_shrinker_shared(obj))
		drm_shrinker_unlink_locked(obj);
	dma_resv_unlock(obj->resv);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_share);

/**
 * drm_shrinker_count - objects a shrinker could purge now
 * @shrinker: the shrinker, or NULL for DRM core's
 *
 * Return: the objects counted as purgeable on the lists, all nodes and
 * cgroups: a sum over the CPUs' statistics.
 */
unsigned long drm_shrinker_count(struct drm_shrinker *shrinker)
{
	long objects = 0;
	int cpu;

	shrinker = shrinker ?: &drm_shrinker_core;
	if (!shrinker->ready)
		return 0;
	/* Per CPU, a link and its unlink may come apart: the sum is right. */
	for_each_possible_cpu(cpu) {
		const struct drm_shrinker_stats *st = per_cpu_ptr(shrinker->stats, cpu);

		/* Per CPU, by the list they are on (drm_shrinker_sum()). */
		objects += READ_ONCE(st->objects[DRM_SHRINKER_PURGEABLE]) -
			   READ_ONCE(st->stray_objects);
	}
	return max(objects, 0L);
}
EXPORT_SYMBOL_GPL(drm_shrinker_count);

/*
 * Check that @obj, marked for @list and locked, can be reclaimed, and
 * purge or evict it; @entered says whether the caller is inside
 * drm_dev_enter() for its device. Returns DRM_SHRINKER_PURGED or
 * DRM_SHRINKER_EVICTED with the pages freed or evicted in *@freed, or why
 * not. A scan gives an object used since a scan last met it its second
 * chance in drm_shrinker_isolate(), after the checks of the list, the
 * dma-buf, the device's removal and the fences (not drm_dev_enter(): an
 * object of a device going away is taken off by the next scan), as with
 * inodes, what is in use told apart first; here (@scan) an object whose
 * cgroup went away, which the dispose step must relink, gets it, and so
 * does a used object that was busy when the isolate step tested it and
 * is idle by its turn.
 */
static __always_inline unsigned int
drm_shrinker_try_reclaim_locked(struct drm_gem_object *obj,
				unsigned int list,
				struct shrink_control *sc,
				bool entered, bool scan,
				unsigned long *freed)
{
	long ret;

	dma_resv_assert_held(obj->resv);

	/*
	 * Marked for another list, or, in a scan, marked again by a callback
	 * while the scan had it and not counted so yet: the dispose step
	 * counts it for its mark first (a second chance for a DONTNEED one).
	 */
	if (obj->shrinker.list != list ||
	    (scan && obj->shrinker.counted != list))
		return DRM_SHRINKER_LEFT;
	if (drm_shrinker_shared(obj))
		return DRM_SHRINKER_SKIP_DMABUF;
	if (!entered || READ_ONCE(obj->dev->shrinker.gone))
		return DRM_SHRINKER_SKIP_GONE;
	if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
		return DRM_SHRINKER_SKIP_BUSY;
	if (scan && obj->shrinker.referenced) {
		obj->shrinker.referenced = false;
		return DRM_SHRINKER_SKIP_REFERENCED;
	}

	if (list == DRM_SHRINKER_EVICTABLE)
		ret = obj->funcs->evict(obj, sc);
	else
		ret = obj->funcs->purge(obj, sc);
	if (ret == -EBUSY)
		return DRM_SHRINKER_SKIP_PINNED;
	if (ret == -EINPROGRESS)
		return DRM_SHRINKER_SKIP_PENDING;
	if (ret < 0)
		return DRM_SHRINKER_SKIP_FAILED;

	/* Off the lists: an evicted object comes back when swapped in. */
	obj->shrinker.list = DRM_SHRINKER_NONE;
	*freed = ret;
	if (list == DRM_SHRINKER_EVICTABLE) {
		trace_drm_shrinker_evict(obj, ret);
		return DRM_SHRINKER_EVICTED;
	}
	trace_drm_shrinker_purge(obj, ret);
	return DRM_SHRINKER_PURGED;
}

/*
 * Account what happened to @obj, locked, on @list, in @run if a scan's.
 * @origin is the scan's, or %DRM_SHRINKER_ORIGIN_NR for a purge or an
 * eviction finished outside a scan; @was_pending is whether it had been
 * started before.
 */
static __always_inline void
drm_shrinker_record_locked(struct drm_gem_object *obj,
			   struct drm_shrinker_run *run,
			   unsigned int list,
			   enum drm_shrinker_origin origin,
			   bool was_pending, unsigned int what,
			   unsigned long freed)
{
	bool started = what == DRM_SHRINKER_SKIP_PENDING && !was_pending;
	bool done = what == DRM_SHRINKER_PURGED || what == DRM_SHRINKER_EVICTED;
	/* What finishes a pending purge counts at once (see the run). */
	struct drm_shrinker_run *sum = was_pending ? NULL : run;
	/*
	 * Who decided it: the scan that started a pending one, else the
	 * scan that did it; a purge a driver did outside a scan is "other".
	 */
	unsigned int by = was_pending ? obj->shrinker.origin :
			  origin < DRM_SHRINKER_ORIGIN_NR ? origin : DRM_SHRINKER_OTHER;

	drm_shrinker_assert_locked(obj);
	/* A scan's purge, of an object nobody had started on: in its run. */
	if (likely(what == DRM_SHRINKER_PURGED && !was_pending && run &&
		   origin < DRM_SHRINKER_ORIGIN_NR)) {
		run->stats.scanned++;
		run->stats.purged_objects++;
		run->stats.purged_pages += freed;
		run->stats.purged_by[origin]++;
		return;
	}
	if (started && obj->shrinker.linked) {
		obj->shrinker.pending = true;
		obj->shrinker.origin = by;
		drm_shrinker_stat(obj, pending, 1);
	}
	if (origin < DRM_SHRINKER_ORIGIN_NR)
		drm_shrinker_run_stat(run, obj, scanned, 1);
	if (what == DRM_SHRINKER_PURGED) {
		drm_shrinker_run_stat(sum, obj, purged_objects, 1);
		drm_shrinker_run_stat(sum, obj, purged_pages, freed);
		drm_shrinker_run_stat(sum, obj, purged_by[by], 1);
	} else if (what == DRM_SHRINKER_EVICTED) {
		drm_shrinker_run_stat(sum, obj, evicted_objects, 1);
		drm_shrinker_run_stat(sum, obj, evicted_pages, freed);
		drm_shrinker_run_stat(sum, obj, evicted_by[by], 1);
	} else if (what < DRM_SHRINKER_SKIP_NR) {
		drm_shrinker_run_stat(run, obj, skipped[what], 1);
	}
	/* Finished: counted above, before pending drops; not called off. */
	if (done && obj->shrinker.pending) {
		obj->shrinker.pending = false;
		drm_shrinker_stat(obj, pending, -1);
	}
	/* Failed where it was to end: nothing is in flight any more. */
	if (was_pending && what == DRM_SHRINKER_SKIP_FAILED && obj->shrinker.pending) {
		obj->shrinker.pending = false;
		drm_shrinker_stat(obj, pending, -1);
		drm_shrinker_stat(obj, called_off, 1);
	}
}

/*
 * Whether the caller is memory reclaim: kswapd, direct reclaim, a memory
 * cgroup's reclaim and node reclaim set current->reclaim_state;
 * drop_caches (drop_slab()) and the core MM's debugfs scan do not.
 */
static bool drm_shrinker_in_reclaim(void)
{
	return current->reclaim_state;
}

/*
 * Whether a scan called by the core MM may evict: in memory reclaim, or
 * when a test asked for it. drop_caches and the core MM's debugfs scan
 * write nothing to swap, and their count leaves the evictable objects out.
 */
static bool drm_shrinker_may_evict(void)
{
	return drm_shrinker_in_reclaim() || READ_ONCE(drm_shrinker_scan_evicts);
}

/**
 * drm_shrinker_may_wait - may a callback wait for its device now?
 * @sc: the &struct shrink_control the callback got
 *
 * A purge or evict callback waits for its device, host or GPU only where
 * this says so, and then for a bounded time that the driver sets and
 * documents (virtio-gpu: 10 ms per purge, 20 ms per device per window
 * of a second): in memory reclaim (kswapd, direct, a memory cgroup's or a
 * node's reclaim), whose pages the wait lets the scan free and count in
 * the same pass, when its allocation may block and is not one that gives
 * up early (%__GFP_NORETRY), and not in a workqueue worker, which could be
 * the one the device's answer needs. drop_caches and scans started by hand
 * or by a driver never wait.
 *
 * Return: true if the callback may wait.
 */
bool drm_shrinker_may_wait(const struct shrink_control *sc)
{
	return drm_shrinker_in_reclaim() && gfpflags_allow_blocking(sc->gfp_mask) &&
	       !(sc->gfp_mask & __GFP_NORETRY) && !(current->flags & PF_WQ_WORKER);
}
EXPORT_SYMBOL_GPL(drm_shrinker_may_wait);

/*
 * Who is scanning: kswapd runs with PF_KSWAPD; direct reclaim and a
 * memory cgroup's reclaim both run in the task that needs the memory (or
 * writes memory.reclaim) with a reclaim_state and pass look-alike
 * shrink_controls: both are "direct".
 */
static enum drm_shrinker_origin drm_shrinker_origin(void)
{
	if (current_is_kswapd())
		return DRM_SHRINKER_KSWAPD;
	if (!drm_shrinker_in_reclaim())
		return DRM_SHRINKER_OTHER;
	return DRM_SHRINKER_DIRECT;
}

/*
 * Objects one batch of a walk of the purgeable list isolates at most,
 * with their reservation locks held until each is disposed of (a lock
 * that objects of the batch share, until the last of them is): the
 * list's lock is taken once per batch, not once per object. It stays
 * well below lockdep's MAX_LOCK_DEPTH, and bounds how long a task that
 * locks an isolated object (a munmap, a submission, a madvise) waits for
 * the scan to come to it: the purges before it, each about as long as a
 * free of the same object. A walk of the evictable list isolates one object:
 * an eviction writes to swap, and nobody waits for more than one.
 */
#define DRM_SHRINKER_BATCH	16UL

/* A walk of a list (drm_shrinker_walk()), and the batch it has isolated. */
struct drm_shrinker_walk {
	/*
	 * The batch's objects, off their list (their links empty), in the
	 * order it isolated them; NULL once disposed of out of turn.
	 */
	struct drm_gem_object *objs[DRM_SHRINKER_BATCH];
	unsigned int nr_objs;
	/*
	 * The reservation locks the batch holds, and for how many of the
	 * objects it isolated: objects that share a lock (a VM's private
	 * BOs) are isolated under the hold taken for the first of them,
	 * which the dispose step of the last of them drops.
	 */
	struct dma_resv *resv[DRM_SHRINKER_BATCH];
	unsigned int resv_users[DRM_SHRINKER_BATCH];
	/* Slots used; below @first_resv, all were dropped (NULL). */
	unsigned int nr_resv, first_resv;
	/* The pages of the objects looked at, and how many to look at. */
	unsigned long pages, budget;
	enum drm_shrinker_origin origin;
	/* The &enum drm_shrinker_list walked. */
	unsigned int list;
	/*
	 * Objects passed over as used (a second chance), or moved to the
	 * evictable list (made evictable while on the purgeable one).
	 */
	unsigned long aged;
};

/*
 * The slot of @resv among the locks @walk holds, or -1: for the isolate
 * step, and for the dispose step of an object whose lock the batch holds
 * for other objects too (drm_shrinker_walk_unlock()).
 */
static int drm_shrinker_walk_held(const struct drm_shrinker_walk *walk,
				  const struct dma_resv *resv)
{
	unsigned int i;

	for (i = walk->first_resv; i < walk->nr_resv; i++) {
		if (walk->resv[i] == resv)
			return i;
	}
	return -1;
}

/* Drop the batch's lock in slot @i, which no object of it holds any more. */
static __always_inline void drm_shrinker_walk_drop(struct drm_shrinker_walk *walk,
						   unsigned int i)
{
	dma_resv_unlock(walk->resv[i]);
	walk->resv[i] = NULL;
	while (walk->first_resv < walk->nr_resv &&
	       !walk->resv[walk->first_resv])
		walk->first_resv++;
}

/* drm_shrinker_walk_unlock() for a lock that objects of the batch share. */
static noinline void drm_shrinker_walk_unlock_shared(struct drm_shrinker_walk *walk,
						     struct dma_resv *resv)
{
	int i = drm_shrinker_walk_held(walk, resv);

	if (WARN_ON_ONCE(i < 0) || --walk->resv_users[i])
		return;
	drm_shrinker_walk_drop(walk, i);
}

/*
 * One object fewer holds @resv in @walk; the last one drops the lock.
 * Inline for the common case, the dispose step of an object whose lock
 * is the oldest the batch holds, for it alone.
 */
static __always_inline void drm_shrinker_walk_unlock(struct drm_shrinker_walk *walk,
						     struct dma_resv *resv)
{
	unsigned int i = walk->first_resv;

	if (likely(i < walk->nr_resv && walk->resv[i] == resv &&
		   walk->resv_users[i] == 1)) {
		walk->resv_users[i] = 0;
		drm_shrinker_walk_drop(walk, i);
		return;
	}
	drm_shrinker_walk_unlock_shared(walk, resv);
}

/*
 * The list_lru isolate callback, under the list's lock: trylock the
 * object, unless the batch holds its reservation lock already (for an
 * object it isolated that shares the lock), and take it to the walk's
 * batch, or send it to the tail (locked elsewhere, dying, or used
 * since a scan last met it); stop once the objects looked at hold the
 * pages the walk was asked for. The object cannot be freed under us:
 * drm_shrinker_forget() takes it off its list under the list's lock,
 * which we hold.
 */
static enum lru_status drm_shrinker_isolate(struct list_head *item,
					    struct list_lru_one *list,
					    void *arg)
{
	struct drm_gem_object *obj = container_of(item, struct drm_gem_object,
						  lru_node);
	struct drm_shrinker_walk *walk = arg;
	/* The batch's hold of the object's lock, or -1: ours to drop. */
	int held;

	if (walk->pages >= walk->budget) {
		/* The walk ends here and leaves the unlocking to us. */
		spin_unlock(&list->lock);
		return LRU_STOP;
	}
	/*
	 * An object made evictable while on this (the purgeable) list, and
	 * counted so, costs a page: the dispose step only moves it (read
	 * unlocked, it may be stale: a budget, no more).
	 */
	if (data_race((unsigned int)obj->shrinker.counted) != walk->list)
		walk->pages++;
	else
		walk->pages += drm_shrinker_pages(obj);
	held = -1;
	if (!dma_resv_trylock(obj->resv)) {
		/* Held by this batch, for an object that shares it? */
		held = drm_shrinker_walk_held(walk, obj->resv);
		if (held < 0)
			goto contended;
	}
	/*
	 * Another scan put it back and dropped its lock, but has not let it
	 * go yet: leave it to that scan, whose release must not end our
	 * isolation.
	 */
	if (READ_ONCE(obj->shrinker.isolated)) {
		if (held < 0)
			dma_resv_unlock(obj->resv);
		goto contended;
	}

	/*
	 * Order the store before the read of the refcount below (one xchg
	 * on x86); pairs with the barrier in drm_shrinker_forget(), which
	 * orders the last reference's drop before its read of @isolated.
	 */
	smp_store_mb(obj->shrinker.isolated, true);
	if (!kref_read(&obj->refcount)) {
		/* Dying: drm_shrinker_forget() takes it off after our lock. */
		if (held < 0)
			dma_resv_unlock(obj->resv);
		/* Pairs with the acquire in drm_shrinker_released(). */
		store_release_wake_up(&obj->shrinker.isolated, false);
		return LRU_ROTATE;
	}
	/*
	 * Used since a scan last met it, and none of the reasons to take it
	 * off, to count it otherwise (see drm_shrinker_try_reclaim_locked())
	 * or to move its pages from a removed cgroup's counts to an
	 * ancestor's (drm_shrinker_relink_locked()): its second chance, in place, as
	 * inode_lru_isolate() gives one.
	 */
	if (obj->shrinker.referenced && obj->shrinker.list == walk->list &&
	    !drm_shrinker_shared(obj) && !READ_ONCE(obj->dev->shrinker.gone) &&
	    !drm_shrinker_sm_gone(obj->shrinker_memcg) &&
	    dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP)) {
		obj->shrinker.referenced = false;
		walk->aged++;
		drm_shrinker_stat(obj, scanned, 1);
		drm_shrinker_stat(obj, skipped[DRM_SHRINKER_SKIP_REFERENCED], 1);
		if (held < 0)
			dma_resv_unlock(obj->resv);
		store_release_wake_up(&obj->shrinker.isolated, false);
		return LRU_ROTATE;
	}

	/* At most one lock per object isolated: a slot is free. */
	if (held < 0) {
		held = walk->nr_resv++;
		walk->resv[held] = obj->resv;
		walk->resv_users[held] = 0;
	}
	walk->resv_users[held]++;
	obj->shrinker.scanning = true;
	list_lru_isolate(list, item);
	/* The walk was given at most %DRM_SHRINKER_BATCH objects to look at. */
	walk->objs[walk->nr_objs++] = obj;
	return LRU_REMOVED;

contended:
	drm_shrinker_stat(obj, scanned, 1);
	drm_shrinker_stat(obj, skipped[DRM_SHRINKER_SKIP_CONTENDED], 1);
	return LRU_ROTATE;
}

/*
 * @obj, locked, counted as evictable and taken off the purgeable list
 * (%DRM_SHRINKER_TALLY_STRAY), goes to the tail of the evictable list,
 * where a use would have put it.
 */
static void drm_shrinker_unstray_locked(struct drm_gem_object *obj)
{
	struct drm_shrinker_memcg *sm = obj->shrinker_memcg;
	unsigned long pages = drm_shrinker_pages(obj);

	drm_shrinker_tally_obj(sm, obj, -1);
	obj->shrinker.on = DRM_SHRINKER_EVICTABLE;
	drm_shrinker_tally_obj(sm, obj, 1);
	drm_shrinker_stat(obj, stray_objects, -1);
	drm_shrinker_stat(obj, stray_pages, -pages);
	drm_shrinker_stat(obj, objects[DRM_SHRINKER_PURGEABLE], -1);
	drm_shrinker_stat(obj, pages[DRM_SHRINKER_PURGEABLE], -pages);
	drm_shrinker_stat(obj, objects[DRM_SHRINKER_EVICTABLE], 1);
	drm_shrinker_stat(obj, pages[DRM_SHRINKER_EVICTABLE], pages);
	obj->shrinker.referenced = false;
	drm_shrinker_relink_locked(obj, false);
}

/*
 * Purge or evict an object a walk of @list isolated, or put it back at
 * the tail of its list (an evictable object met on the purgeable list:
 * at the tail of the evictable one), and unlock it (the last of the
 * batch's objects that share its lock unlocks it); the walk then lets it go
 * (drm_shrinker_let_go()). Returns the pages freed or evicted; *@evicted
 * says which. Its steps are __always_inline: a call less per object is
 * measurable on a scan's cost (the benchmark module's scan case).
 */
static __always_inline unsigned long
drm_shrinker_dispose(struct shrink_control *sc, struct drm_gem_object *obj,
		     struct drm_shrinker_run *run, struct drm_shrinker_walk *walk,
		     bool *evicted)
{
	bool was_pending = obj->shrinker.pending;
	unsigned long freed = 0;
	unsigned int what;
	bool done;

	drm_shrinker_run_dev(run, obj->dev);
	/* Being freed: drm_shrinker_forget() waits for us, not for a purge. */
	if (!kref_read(&obj->refcount))
		what = DRM_SHRINKER_SKIP_GONE;
	else
		what = drm_shrinker_try_reclaim_locked(obj, walk->list, sc,
						       run->entered, true,
						       &freed);
	*evicted = what == DRM_SHRINKER_EVICTED;
	if (what == DRM_SHRINKER_SKIP_REFERENCED)
		walk->aged++;

	/* Before the unlink: the purge is counted before pending drops. */
	drm_shrinker_record_locked(obj, run, walk->list, walk->origin,
				   was_pending, what, freed);
	obj->shrinker.scanning = false;
	done = what == DRM_SHRINKER_PURGED || what == DRM_SHRINKER_EVICTED ||
	       what == DRM_SHRINKER_SKIP_DMABUF || what == DRM_SHRINKER_SKIP_GONE;
	/*
	 * Marked again by a callback (of an object that shares its lock)
	 * while the scan had it: counted so now, as
	 * drm_shrinker_add_locked() would have.
	 */
	if (!done && obj->shrinker.list != obj->shrinker.counted &&
	    obj->shrinker.list < DRM_SHRINKER_NR_LISTS &&
	    (obj->shrinker.list == DRM_SHRINKER_EVICTABLE ||
	     obj->shrinker.on == obj->shrinker.list) &&
	    !obj->shrinker.pending && drm_shrinker_can_link(obj)) {
		drm_shrinker_recount_locked(obj, obj->shrinker.list);
		obj->shrinker.referenced = obj->shrinker.list == DRM_SHRINKER_PURGEABLE;
	}
	if (done || obj->shrinker.list != obj->shrinker.counted ||
	    !drm_shrinker_can_link(obj)) {
		/*
		 * Off for good: no scan could free it, or it is no longer
		 * marked for a list it may be counted on here (also when
		 * the callback gave up on it, see
		 * drm_shrinker_remove_locked()).
		 */
		drm_shrinker_unlinked_locked(obj, was_pending ? NULL : run);
	} else if (obj->shrinker.on != obj->shrinker.counted) {
		/* Made evictable while on the purgeable list. */
		drm_shrinker_unstray_locked(obj);
		walk->aged++;
	} else {
		drm_shrinker_relink_locked(obj, false);
	}

	drm_shrinker_walk_unlock(walk, obj->resv);
	return freed;
}

/*
 * End the isolation of the @n objects a batch disposed of, as
 * store_release_wake_up() would for each, with two full barriers for the
 * batch, and with wake-ups only while someone waits
 * (drm_shrinker_forget() counts itself in drm_shrinker_waiters). From
 * its release on, an object may be freed: waking up its waiters only
 * hashes its address.
 */
static void drm_shrinker_let_go(struct drm_gem_object **objs, unsigned int n)
{
	unsigned int i;

	/*
	 * A release for all: what the scan did to the objects is seen
	 * before @isolated clears; pairs with the acquire in
	 * drm_shrinker_released().
	 */
	smp_mb();
	for (i = 0; i < n; i++)
		WRITE_ONCE(objs[i]->shrinker.isolated, false);
	/* Pairs with the barrier after the count in drm_shrinker_forget(). */
	smp_mb();
	if (likely(!atomic_read(&drm_shrinker_waiters)))
		return;
	for (i = 0; i < n; i++)
		wake_up_var(&objs[i]->shrinker.isolated);
}

/*
 * A free waits for the batch (drm_shrinker_forget() counted itself in
 * drm_shrinker_waiters): before the next callback, let go of the @n
 * objects of @held the batch is done with, and dispose of the ones still
 * waiting for their turn (from @walk->objs[@next] on) whose last
 * reference is gone, without a callback, and let go of them too. A free
 * then waits for the callback that was running when it came, and at
 * most one more (its count may come just after the scan read it).
 * Returns the objects left in @held: none.
 */
static unsigned int drm_shrinker_let_go_early(struct shrink_control *sc,
					      struct drm_shrinker_run *run,
					      struct drm_shrinker_walk *walk,
					      unsigned int next,
					      struct drm_gem_object **held,
					      unsigned int n)
{
	struct drm_gem_object *obj;
	unsigned int i;
	bool out;

	/*
	 * See the references dropped before the waiter counted itself;
	 * pairs with the barrier at the top of drm_shrinker_forget().
	 */
	smp_rmb();
	for (i = next; i < walk->nr_objs; i++) {
		obj = walk->objs[i];
		if (!obj || kref_read(&obj->refcount))
			continue;
		drm_shrinker_dispose(sc, obj, run, walk, &out);
		walk->objs[i] = NULL;
		held[n++] = obj;
	}
	drm_shrinker_let_go(held, n);
	return 0;
}

/*
 * Look at objects of one list (@walk->list of @memcg on @nid), or of all
 * cgroups' lists on @nid if @all_memcgs, least recently used first, until
 * their pages reach *@nr_to_scan, in batches of up to %DRM_SHRINKER_BATCH
 * (one object on the evictable list) isolated under one hold of the
 * list's lock; *@nr_to_scan is decreased
 * by the pages looked at, *@scanned increased. No object is looked at
 * twice: at most as many as the lists held at the start. Returns the
 * pages purged; *@evicted gets the pages evicted added.
 */
static unsigned long drm_shrinker_walk(struct drm_shrinker *shrinker,
				       struct shrink_control *sc,
				       struct drm_shrinker_walk *walk, int nid,
				       struct mem_cgroup *memcg, bool all_memcgs,
				       unsigned long *nr_to_scan,
				       unsigned long *scanned,
				       unsigned long *evicted)
{
	struct list_lru *lru = &shrinker->lru[walk->list];
	struct drm_shrinker_run run = {};
	unsigned long freed = 0, left;

	left = all_memcgs ? list_lru_count_node(lru, nid) :
			    list_lru_count_one(lru, nid, memcg);

	while (left && *nr_to_scan) {
		/* An evict callback writes no more than is left. */
		unsigned long budget = *nr_to_scan;
		/* A walk of batch objects isolates at most as many. */
		struct drm_gem_object *held[DRM_SHRINKER_BATCH];
		unsigned long batch = min(left, walk->list == DRM_SHRINKER_PURGEABLE ?
						DRM_SHRINKER_BATCH : 1);
		unsigned long nr = batch;
		unsigned int i, n = 0;

		walk->nr_objs = 0;
		walk->nr_resv = 0;
		walk->first_resv = 0;
		walk->pages = 0;
		walk->budget = budget;
		if (all_memcgs)
			list_lru_walk_node(lru, nid, drm_shrinker_isolate, walk,
					   &nr);
		else
			list_lru_walk_one(lru, nid, memcg, drm_shrinker_isolate,
					  walk, &nr);
		if (!walk->pages)
			break;	/* nothing left to look at */
		left -= min(left, batch - nr);
		*nr_to_scan -= min(*nr_to_scan, walk->pages);
		*scanned += walk->pages;

		if (walk->list == DRM_SHRINKER_EVICTABLE)
			sc->nr_to_scan = budget;

		for (i = 0; i < walk->nr_objs; i++) {
			struct drm_gem_object *obj;
			unsigned long pages;
			bool out;

			if (unlikely(atomic_read(&drm_shrinker_waiters)))
				n = drm_shrinker_let_go_early(sc, &run, walk, i,
							      held, n);
			obj = walk->objs[i];
			if (!obj)
				continue;	/* disposed of out of turn */
			pages = drm_shrinker_dispose(sc, obj, &run, walk, &out);
			held[n++] = obj;
			if (out)
				*evicted += pages;
			else
				freed += pages;
		}
		drm_shrinker_let_go(held, n);
		/*
		 * Not every batch: the SRCU section's full barriers, and the
		 * counts' atomics, made the benchmark module's scans 7 to 8%
		 * slower so.
		 */
		if (run.inside &&
		    (time_after(jiffies, run.since) || need_resched()))
			drm_shrinker_run_pause(&run);
		/* A long list of busy objects must not hog the CPU. */
		cond_resched();
	}
	drm_shrinker_run_end(&run);
	return freed;
}

/*
 * The swap space that eviction for @sc may fill: what is free, and what
 * @sc->memcg and its ancestors may still use of it (memory.swap.max); a
 * cgroup that may not swap would only see shmem keep the pages. Read
 * without a lock; a scan that finds none after all writes nothing.
 */
static unsigned long drm_shrinker_swap_pages(const struct drm_shrinker *shrinker,
					     const struct shrink_control *sc)
{
	long pages;

	if (shrinker->assume_swap)
		return ULONG_MAX;
	pages = sc->memcg ? mem_cgroup_get_nr_swap_pages(sc->memcg) :
			    get_nr_swap_pages();
	return max(pages, 0L);
}

/*
 * Whether a scan for @sc may evict: writing to swap needs I/O, swap, and
 * a swappiness above 0 (&shrink_control.swappiness: vm.swappiness, a
 * cgroup v1 memory.swappiness, or memory.reclaim's swappiness=), with
 * which a memory cgroup's reclaim scans no anon memory
 * (get_scan_count()). Global reclaim with swappiness 0 still swaps anon
 * memory when little file memory is left; eviction does not.
 */
static bool drm_shrinker_can_evict(const struct drm_shrinker *shrinker,
				   const struct shrink_control *sc)
{
	return (sc->gfp_mask & __GFP_IO) && sc->swappiness &&
	       drm_shrinker_swap_pages(shrinker, sc);
}

/*
 * The scan of @sc->memcg's lists on @sc->nid, or with @all of every
 * cgroup's and node's, inside fs_reclaim_acquire(@sc->gfp_mask): outside
 * memory reclaim (debugfs, drm_shrinker_scan()), lockdep then sees what a
 * callback does as done in reclaim, so a lock that is held elsewhere
 * around an allocation that may recurse into reclaim is reported on the
 * first such scan. Where the caller already runs with PF_MEMALLOC (direct
 * reclaim, kswapd, a memory cgroup's reclaim) the annotation is a no-op.
 * The callbacks run with PF_MEMALLOC, as in reclaim: outside it too,
 * writing to swap (zswap allocates its entries with GFP_KERNEL) must not
 * enter reclaim from within a scan, which would be reclaim inside
 * reclaim's annotation (a recursive fs_reclaim for lockdep) and a second
 * scan of the lists this one holds objects of. Their GFP_NOWAIT
 * allocations may then use the reserves, as in reclaim. It purges first,
 * looking at objects until their
 * pages reach @sc->nr_to_scan; with what is left of that, it evicts, if
 * @evict and drm_shrinker_can_evict(). @sc->nr_scanned gets the pages of
 * the objects looked at (objects go whole, so it may pass
 * @sc->nr_to_scan by one object per list). Returns the pages purged;
 * *@evicted gets the pages evicted, *@aged the objects passed over as
 * used (their second chance taken) or moved to the evictable list.
 */
static unsigned long __drm_shrinker_scan(struct drm_shrinker *shrinker,
					 struct shrink_control *sc, bool all,
					 bool evict, unsigned long *evicted,
					 unsigned long *aged)
{
	unsigned long asked = sc->nr_to_scan, nr = asked, freed = 0, scanned = 0;
	struct drm_shrinker_walk walk = { .origin = drm_shrinker_origin() };
	unsigned int noreclaim;
	int nid, srcu;

	might_sleep();
	*evicted = 0;
	*aged = 0;
	sc->nr_scanned = 0;
	if (!shrinker->ready)
		return 0;
	trace_drm_shrinker_scan_start(all ? NUMA_NO_NODE : sc->nid, nr);
	atomic_long_inc(&shrinker->scans);
	/* One SRCU section for the scan: drm_shrinker_dev_fini() waits for it. */
	srcu = srcu_read_lock(&drm_shrinker_srcu);
	fs_reclaim_acquire(sc->gfp_mask);
	/* After the annotation, which PF_MEMALLOC would make a no-op. */
	noreclaim = memalloc_noreclaim_save();
	for (walk.list = 0; walk.list < DRM_SHRINKER_NR_LISTS; walk.list++) {
		if (walk.list == DRM_SHRINKER_EVICTABLE &&
		    (!evict || !drm_shrinker_can_evict(shrinker, sc)))
			break;
		if (!all) {
			freed += drm_shrinker_walk(shrinker, sc, &walk, sc->nid,
						   sc->memcg, false, &nr,
						   &scanned, evicted);
			continue;
		}
		for_each_node(nid) {
			if (!nr)
				break;
			freed += drm_shrinker_walk(shrinker, sc, &walk, nid,
						   NULL, true, &nr, &scanned,
						   evicted);
		}
	}
	memalloc_noreclaim_restore(noreclaim);
	fs_reclaim_release(sc->gfp_mask);
	srcu_read_unlock(&drm_shrinker_srcu, srcu);
	/* The walks of the evictable list told each callback what was left. */
	sc->nr_to_scan = asked;
	sc->nr_scanned = scanned;
	*aged = walk.aged;

	trace_drm_shrinker_scan(asked, freed + *evicted, scanned);
	return freed;
}

/**
 * drm_shrinker_scan - reclaim the least recently used objects
 * @shrinker: the shrinker, or NULL for DRM core's
 * @nr_to_scan: pages to look at
 * @gfp_mask: the allocation context the scan stands for: what the
 *	callbacks may do (%GFP_KERNEL: everything reclaim may do)
 *
 * Looks at objects of every node's and cgroup's purgeable lists, least
 * recently used first, until their pages reach @nr_to_scan, and purges
 * those that can be purged now; then, with what is left of @nr_to_scan,
 * and if @gfp_mask allows I/O and swap space is free, at the evictable
 * lists, and evicts. The others go to the tail of their list. The memory
 * shrinker scans one node's lists of one cgroup; drivers and tests may
 * scan them all with this. The scan runs as reclaim would (see the DOC
 * section Locking).
 *
 * Context: Process context; yields the CPU between batches of objects.
 *
 * Return: the number of pages purged or evicted.
 */
unsigned long drm_shrinker_scan(struct drm_shrinker *shrinker,
				unsigned long nr_to_scan, gfp_t gfp_mask)
{
	struct shrink_control sc = {
		.gfp_mask = gfp_mask,
		.nr_to_scan = nr_to_scan,
		.nid = NUMA_NO_NODE,
		/* Asked for: whatever the swappiness. */
		.swappiness = SHRINKER_MAX_SWAPPINESS,
	};
	unsigned long freed, evicted, aged;

	freed = __drm_shrinker_scan(shrinker ?: &drm_shrinker_core, &sc, true,
				    true, &evicted, &aged);
	return freed + evicted;
}
EXPORT_SYMBOL_GPL(drm_shrinker_scan);

/*
 * Finish a purge or an eviction of @obj, locked, that its callback left
 * in progress: the checks and the call of a scan of @list, counted as a
 * scan's would be, less the scan itself.
 */
static long drm_shrinker_finish_locked(struct drm_gem_object *obj,
				       unsigned int list)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		/*
		 * A purge: the whole object, what the scan that started it
		 * looked at. An eviction writes nothing to swap here, outside
		 * the reclaim that asked for it: the pages go back to shmem,
		 * and LRU reclaim writes them when it needs to.
		 */
		.nr_to_scan = list == DRM_SHRINKER_EVICTABLE ? 0 :
			      drm_shrinker_pages(obj),
		.nid = NUMA_NO_NODE,
		.swappiness = SHRINKER_MAX_SWAPPINESS,
	};
	bool was_pending = obj->shrinker.pending;
	unsigned int what, noreclaim;
	unsigned long pages = 0;
	int srcu, idx;
	bool entered;

	dma_resv_assert_held(obj->resv);
	/*
	 * A scan has it, isolated under a reservation lock it shares with
	 * the object whose callback calls us: the link is that scan's, and
	 * its dispose step gets to the object.
	 */
	if (obj->shrinker.scanning)
		return -EBUSY;

	srcu = srcu_read_lock(&drm_shrinker_srcu);
	entered = drm_dev_enter(obj->dev, &idx);
	/*
	 * As in a scan, the link is ours until the result is counted: a
	 * callback that takes the object off (drm_shrinker_remove_locked())
	 * only unmarks it, so that pending does not drop before the purge
	 * counts (a reader that waits for no pending purge must see it).
	 */
	obj->shrinker.scanning = true;
	fs_reclaim_acquire(sc.gfp_mask);
	noreclaim = memalloc_noreclaim_save();
	what = drm_shrinker_try_reclaim_locked(obj, list, &sc, entered, false,
					       &pages);
	memalloc_noreclaim_restore(noreclaim);
	fs_reclaim_release(sc.gfp_mask);
	obj->shrinker.scanning = false;
	if (entered)
		drm_dev_exit(idx);
	srcu_read_unlock(&drm_shrinker_srcu, srcu);

	drm_shrinker_record_locked(obj, NULL, list, DRM_SHRINKER_ORIGIN_NR,
				   was_pending, what, pages);
	/* Not if it is counted for the other list, where it belongs. */
	if (obj->shrinker.linked && obj->shrinker.counted == list &&
	    (what == DRM_SHRINKER_PURGED || what == DRM_SHRINKER_EVICTED ||
	     obj->shrinker.list != list))
		drm_shrinker_unlink_locked(obj);

	switch (what) {
	case DRM_SHRINKER_PURGED:
	case DRM_SHRINKER_EVICTED:
		return pages;
	case DRM_SHRINKER_SKIP_GONE:
		return -ENODEV;
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

/**
 * drm_shrinker_purge_locked - finish a purge that was left in progress
 * @obj: GEM object, its reservation lock held
 *
 * For a driver whose &drm_gem_object_funcs.purge answered -EINPROGRESS:
 * once what it waited for is done (a host let go of the pages), it calls
 * this from its own context, so that the pages go now rather than at the
 * next scan. The object goes through the checks of a scan (still marked
 * purgeable, idle, not shared) and its purge callback is called the same
 * way, inside drm_dev_enter() and fs_reclaim_acquire(); the result is
 * counted as a scan's would be, less the scan itself.
 *
 * Context: Process context; the caller must not hold locks that the
 * purge callback trylocks in vain.
 *
 * Return: the pages freed, or a negative errno: -ENODEV if the device is
 * gone, -EBUSY (also if a scan has the object: a callback called for
 * another object that shares @obj's reservation lock), -EINPROGRESS,
 * another error of the callback, or -EAGAIN if the object is no longer
 * purgeable or not idle.
 */
long drm_shrinker_purge_locked(struct drm_gem_object *obj)
{
	return drm_shrinker_finish_locked(obj, DRM_SHRINKER_PURGEABLE);
}
EXPORT_SYMBOL_GPL(drm_shrinker_purge_locked);

/**
 * drm_shrinker_evict_locked - finish an eviction that was left in progress
 * @obj: GEM object, its reservation lock held
 *
 * drm_shrinker_purge_locked() for &drm_gem_object_funcs.evict: once the
 * device or host let go of the pages, the driver calls this so that the
 * eviction ends now; the evict callback is called as a scan would, with a
 * reclaim context that allows I/O, and the eviction is counted once, to
 * the origin of the scan that started it.
 *
 * Context: Process context; the caller must not hold locks that the
 * evict callback trylocks in vain.
 *
 * Return: the pages evicted, or a negative errno as for
 * drm_shrinker_purge_locked(); -EAGAIN if the object is no longer marked
 * evictable or not idle.
 */
long drm_shrinker_evict_locked(struct drm_gem_object *obj)
{
	return drm_shrinker_finish_locked(obj, DRM_SHRINKER_EVICTABLE);
}
EXPORT_SYMBOL_GPL(drm_shrinker_evict_locked);

/**
 * drm_shrinker_swapped_in_locked - count an evicted object that came back
 * @obj: GEM object, its reservation lock held
 * @pages: the pages it got back
 *
 * For memory managers whose &drm_gem_object_funcs.evict moved @obj's
 * contents out: they call this once the contents are back in memory, for
 * the statistics and the ``drm_shrinker_swapin`` tracepoint. Putting the
 * object back on the evictable list is drm_shrinker_add_locked()'s job.
 */
void drm_shrinker_swapped_in_locked(struct drm_gem_object *obj,
				    unsigned long pages)
{
	dma_resv_assert_held(obj->resv);

	drm_shrinker_stat(obj, swapped_in_objects, 1);
	drm_shrinker_stat(obj, swapped_in_pages, pages);
	trace_drm_shrinker_swapin(obj, pages);
}
EXPORT_SYMBOL_GPL(drm_shrinker_swapped_in_locked);

/*
 * Add up the per-CPU statistics @pcpu into @sum. Per CPU, @objects and
 * @pages count the objects by the list they are on, so that a mark that
 * does not move an object adds to @stray_objects and @stray_pages only
 * (see drm_shrinker_recount_locked()); the sum counts them by the list
 * they are counted for, as &struct drm_shrinker_stats says.
 */
static void drm_shrinker_sum(struct drm_shrinker_stats __percpu *pcpu,
			     struct drm_shrinker_stats *sum)
{
	unsigned int cpu, i, n = sizeof(*sum) / sizeof(unsigned long);
	unsigned long *out = (unsigned long *)sum;

	BUILD_BUG_ON(sizeof(*sum) % sizeof(unsigned long));
	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const unsigned long *in = (void *)per_cpu_ptr(pcpu, cpu);

		for (i = 0; i < n; i++)
			out[i] += READ_ONCE(in[i]);
	}
	sum->objects[DRM_SHRINKER_PURGEABLE] -= sum->stray_objects;
	sum->pages[DRM_SHRINKER_PURGEABLE] -= sum->stray_pages;
	sum->objects[DRM_SHRINKER_EVICTABLE] += sum->stray_objects;
	sum->pages[DRM_SHRINKER_EVICTABLE] += sum->stray_pages;
}

/**
 * drm_shrinker_read_stats - add up a shrinker's numbers
 * @shrinker: the shrinker, or NULL for DRM core's
 * @dev: the device whose numbers to read, or NULL for those of all
 *	devices of @shrinker
 * @stats: where to put them
 *
 * Each number is exact, but they are not read at one instant: objects
 * may move while the CPUs' numbers are added up.
 */
void drm_shrinker_read_stats(struct drm_shrinker *shrinker,
			     struct drm_device *dev,
			     struct drm_shrinker_stats *stats)
{
	shrinker = shrinker ?: &drm_shrinker_core;
	drm_shrinker_sum(dev ? dev->shrinker.stats : shrinker->stats, stats);
}
EXPORT_SYMBOL_GPL(drm_shrinker_read_stats);

/* The objects and pages in @sm's counts @slot on @nid (@sm NULL: none). */
static void drm_shrinker_tally_read(const struct drm_shrinker_memcg *sm,
				    int nid, unsigned int slot,
				    unsigned long *objects, unsigned long *pages)
{
	u64 tally = sm ? atomic64_read(&sm->tally[nid][slot]) : 0;

	*objects = tally >> DRM_SHRINKER_TALLY_SHIFT;
	*pages = tally & (BIT_ULL(DRM_SHRINKER_TALLY_SHIFT) - 1);
}

/*
 * The pages on @sc's lists, purgeable ones in *@purgeable and evictable
 * ones in *@evictable: those counted in its cgroup's entry @sm (NULL:
 * none) on its node, and for objects list_lru moved there from a removed
 * cgroup (a list holds more objects than the entry counts on it), the
 * mean object size; those on the purgeable list count as purgeable (an
 * approximation: some may be evictable objects not moved yet). Each
 * evictable object still on the purgeable list adds a page to the
 * purgeable pages: what moving it costs a walk of that list
 * (drm_shrinker_isolate()), which must reach the purgeable objects behind
 * it. At least a page per object: the counts and list_lru's are read in no
 * particular order, and a weakly ordered CPU may see an object listed
 * before its pages are counted. Returns the objects on the lists.
 */
static unsigned long drm_shrinker_count_lists(struct drm_shrinker *shrinker,
					      struct shrink_control *sc,
					      struct drm_shrinker_memcg *sm,
					      unsigned long *purgeable,
					      unsigned long *evictable)
{
	unsigned long on_p = list_lru_shrink_count(&shrinker->lru[DRM_SHRINKER_PURGEABLE], sc);
	unsigned long on_e = list_lru_shrink_count(&shrinker->lru[DRM_SHRINKER_EVICTABLE], sc);
	unsigned long p_obj, p_pages, e_obj, e_pages, s_obj, s_pages;
	unsigned long extra_p = 0, extra_e = 0, mean = 0;

	*purgeable = 0;
	*evictable = 0;
	if (!on_p && !on_e)
		return 0;
	drm_shrinker_tally_read(sm, sc->nid, DRM_SHRINKER_PURGEABLE,
				&p_obj, &p_pages);
	drm_shrinker_tally_read(sm, sc->nid, DRM_SHRINKER_EVICTABLE,
				&e_obj, &e_pages);
	drm_shrinker_tally_read(sm, sc->nid, DRM_SHRINKER_TALLY_STRAY,
				&s_obj, &s_pages);
	/*
	 * The strays are on the purgeable list too: a stray read after its
	 * object was linked and made evictable, but not on the list's
	 * count read before, is not one.
	 */
	s_obj = min(s_obj, p_obj);
	s_pages = min(s_pages, p_pages);
	p_obj -= s_obj;
	p_pages -= s_pages;
	if (on_p > p_obj + s_obj)
		extra_p = on_p - p_obj - s_obj;
	if (on_e > e_obj)
		extra_e = on_e - e_obj;
	if (extra_p || extra_e)
		mean = drm_shrinker_mean_pages(shrinker);
	*purgeable = max(p_pages + extra_p * mean + s_obj, p_obj + extra_p);
	*evictable = max(e_pages + s_pages + extra_e * mean,
			 e_obj + s_obj + extra_e);
	return on_p + on_e;
}

/*
 * The count is in pages, reclaim's unit, so that a list of a few large
 * objects weighs what it holds. The evictable pages count only if a scan
 * for @sc, in this context, could evict (in memory reclaim: a count that
 * drop_caches' scan cannot meet would be deferred by the core MM and
 * asked of the next reclaim), and no more than free swap can take, as xe
 * counts what it can back up. They are anon memory to reclaim, which
 * scans anon LRU pages at swappiness / SHRINKER_MAX_SWAPPINESS of their number
 * when anon and file memory cost the same to reclaim (get_scan_count()),
 * and do_shrink_slab() asks a shrinker for 4 / seeks times its count's
 * share of each priority, where LRU reclaim scans that share of an LRU
 * once: the evictable pages count at swappiness / SHRINKER_MAX_SWAPPINESS times
 * seeks / 4 (7.5% at the default swappiness of 60 and this shrinker's
 * seeks of 1, none at 0), so that an idle object's page is asked for as
 * often as the classic LRU scans an anon page (MGLRU picks anon or file
 * by its own cost model), and the DONTNEED pages whole, as they cost
 * less to reclaim than file memory.
 *
 * SHRINK_EMPTY only when both lists of @sc are empty, or @sc->memcg has
 * no lists of its own (cgroup.memory=nokmem): on it,
 * shrink_slab_memcg() clears the cgroup's bit of this shrinker, and
 * list_lru sets it again only when a list goes from empty to one object.
 * A cgroup whose evictable objects cannot be evicted now (a reclaim
 * without __GFP_IO, no swap for a moment) gets 0, and the next reclaim
 * that may evict still calls us.
 */
VISIBLE_IF_KUNIT unsigned long
drm_shrinker_count_objects(struct shrinker *mm, struct shrink_control *sc)
{
	struct drm_shrinker *shrinker = mm->private_data;
	unsigned long pages, swap, evictable, objects;
	struct drm_shrinker_memcg *sm;

	/* Its lists would be the root's: see drm_shrinker_folio_memcg(). */
	if (drm_shrinker_memcg_listless(sc->memcg))
		return SHRINK_EMPTY;
	rcu_read_lock();
	sm = drm_shrinker_memcg_find(shrinker, sc->memcg);
	objects = drm_shrinker_count_lists(shrinker, sc, sm, &pages, &evictable);
	rcu_read_unlock();
	if (!objects)
		return SHRINK_EMPTY;
	/* What the scan checks: drm_shrinker_can_evict(), swap asked once. */
	swap = evictable && drm_shrinker_may_evict() && sc->swappiness &&
	       (sc->gfp_mask & __GFP_IO) ? drm_shrinker_swap_pages(shrinker, sc) : 0;
	/* Weighed as anon memory; rounded up, so that a few pages count. */
	return pages + DIV_ROUND_UP_ULL((u64)min(swap, evictable) *
					sc->swappiness * mm->seeks,
					SHRINKER_MAX_SWAPPINESS * 4);
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_count_objects);

VISIBLE_IF_KUNIT unsigned long
drm_shrinker_scan_objects(struct shrinker *mm, struct shrink_control *sc)
{
	unsigned long freed, evicted, aged;

	if (drm_shrinker_memcg_listless(sc->memcg))
		return SHRINK_STOP;
	/*
	 * Only memory reclaim evicts: drop_caches and the debugfs scan of
	 * the core MM purge DONTNEED objects and write nothing to swap,
	 * unless a test asked for it (drm_shrinker_scan_evicts).
	 */
	freed = __drm_shrinker_scan(mm->private_data, sc, false,
				    drm_shrinker_may_evict(), &evicted, &aged);
	/*
	 * The purged pages went back to the page allocator: credit reclaim with
	 * them, as slab does for its pages. Otherwise direct reclaim sees no
	 * progress, goes through every priority and then waits, and kswapd
	 * counts a failure, while the memory is free. The reclaim of a memory
	 * cgroup counts them as they are uncharged from @sc->memcg or a
	 * descendant (uncharge_batch()): an object is on the lists of its
	 * first folio's cgroup (see drm_shrinker_add_locked()). Evicted pages
	 * are not free yet: they are shmem's again, and the LRU reclaim that
	 * frees them once they are written to swap counts them.
	 */
	mm_account_reclaimed_pages(freed);
	if (freed + evicted)
		return freed + evicted;
	/*
	 * Nothing reclaimed: the pass stops here, unless the scan passed
	 * over used objects, whose bit it cleared and which it sent to the
	 * tail, or moved evictable objects off the purgeable list; the next
	 * batch of the same pass looks at the objects behind them (so
	 * drop_caches, which ends when a pass frees little, still purges
	 * what sits behind a run of re-marked or re-made evictable objects).
	 */
	return aged ? 0 : SHRINK_STOP;
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
	seq_printf(m, "evictable_on_purgeable_objects: %lu\n", stats->stray_objects);
	seq_printf(m, "evictable_on_purgeable_pages: %lu\n", stats->stray_pages);
	seq_printf(m, "pending_objects: %lu\n", stats->pending);
	seq_printf(m, "called_off_objects: %lu\n", stats->called_off);
	seq_printf(m, "scanned_objects: %lu\n", stats->scanned);
	seq_printf(m, "purged_objects: %lu\n", stats->purged_objects);
	seq_printf(m, "purged_pages: %lu\n", stats->purged_pages);
	for (i = 0; i < DRM_SHRINKER_SKIP_NR; i++)
		seq_printf(m, "skipped_%s: %lu\n", drm_shrinker_skip_names[i],
			   stats->skipped[i]);
	for (i = 0; i < DRM_SHRINKER_ORIGIN_NR; i++)
		seq_printf(m, "purged_by_%s: %lu\n", drm_shrinker_origin_names[i],
			   stats->purged_by[i]);
	seq_printf(m, "evicted_objects: %lu\n", stats->evicted_objects);
	seq_printf(m, "evicted_pages: %lu\n", stats->evicted_pages);
	for (i = 0; i < DRM_SHRINKER_ORIGIN_NR; i++)
		seq_printf(m, "evicted_by_%s: %lu\n", drm_shrinker_origin_names[i],
			   stats->evicted_by[i]);
	seq_printf(m, "swapped_in_objects: %lu\n", stats->swapped_in_objects);
	seq_printf(m, "swapped_in_pages: %lu\n", stats->swapped_in_pages);
}

static int drm_shrinker_global_show(struct seq_file *m, void *unused)
{
	struct drm_shrinker_stats stats;

	drm_shrinker_read_stats(NULL, NULL, &stats);
	seq_printf(m, "scans: %lu\n", atomic_long_read(&drm_shrinker_core.scans));
	drm_shrinker_print(m, &stats);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_shrinker_global);

static int drm_shrinker_dev_show(struct seq_file *m, void *unused)
{
	struct drm_shrinker_stats stats;

	drm_shrinker_read_stats(NULL, m->private, &stats);
	drm_shrinker_print(m, &stats);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_shrinker_dev);

static void drm_shrinker_dev_release(struct drm_device *dev, void *unused)
{
	/*
	 * A scan that met objects of the device after drm_shrinker_dev_fini()
	 * may still be adding their numbers to its statistics: wait for it.
	 */
	if (READ_ONCE(dev->shrinker.gone))
		synchronize_srcu(&drm_shrinker_srcu);
	else
		drm_shrinker_dev_fini(dev);
	if (!IS_ERR_OR_NULL(dev->debugfs_root))
		debugfs_lookup_and_remove("shrinker", dev->debugfs_root);
	free_percpu(dev->shrinker.stats);
	dev->shrinker.stats = NULL;
}

/**
 * drm_shrinker_dev_init - set up a device's shrinker state
 * @dev: DRM device, being initialized
 *
 * Puts the device on DRM core's shrinker, allocates its statistics,
 * creates its statistics file in debugfs and arranges for
 * drm_shrinker_dev_fini() to run when the device is released. Called by
 * drm_dev_init().
 *
 * Return: 0 on success, or -ENOMEM.
 */
int drm_shrinker_dev_init(struct drm_device *dev)
{
	dev->shrinker.shrinker = &drm_shrinker_core;
	dev->shrinker.stats = alloc_percpu(struct drm_shrinker_stats);
	if (!dev->shrinker.stats)
		return -ENOMEM;
	if (!IS_ERR_OR_NULL(dev->debugfs_root))
		debugfs_create_file("shrinker", 0444, dev->debugfs_root, dev,
				    &drm_shrinker_dev_fops);
	return drmm_add_action_or_reset(dev, drm_shrinker_dev_release, NULL);
}

/**
 * drm_shrinker_dev_fini - stop using a device
 * @dev: DRM device, being unregistered or released
 *
 * Keeps the device's objects off the lists and waits for the scans in
 * progress to end, whichever devices they are at: after it returns, the
 * shrinker calls nothing of the driver's. Objects already on the lists
 * stay there, uncallable, until a scan meets them or they are freed; no
 * scan holds a reference to them.
 * Called by drm_dev_unregister() and on release; the second call does
 * nothing.
 */
void drm_shrinker_dev_fini(struct drm_device *dev)
{
	if (READ_ONCE(dev->shrinker.gone))
		return;
	WRITE_ONCE(dev->shrinker.gone, true);
	synchronize_srcu(&drm_shrinker_srcu);
}

/* Tell lockdep at boot that reclaim takes the lists' locks. */
static void drm_shrinker_prime_lockdep(struct drm_shrinker *shrinker)
{
	unsigned int list;
	int nid;

	if (!IS_ENABLED(CONFIG_LOCKDEP))
		return;

	fs_reclaim_acquire(GFP_KERNEL);
	for (list = 0; list < DRM_SHRINKER_NR_LISTS; list++)
		for_each_node(nid)
			might_lock(&shrinker->lru[list].node[nid].lru.lock);
	/* A scan's last object of a cgroup removes the cgroup's counts. */
	might_lock(&shrinker->memcgs.xa_lock);
	fs_reclaim_release(GFP_KERNEL);
}

/*
 * Set up @shrinker's lists and its &struct shrinker, which is registered
 * only if @reg.
 */
static int drm_shrinker_setup(struct drm_shrinker *shrinker, const char *name,
			      bool reg)
{
	unsigned int list;
	int ret;

	shrinker->root = kzalloc(struct_size(shrinker->root, tally, nr_node_ids),
				 GFP_KERNEL);
	if (!shrinker->root)
		return -ENOMEM;
	shrinker->root->shrinker = shrinker;
	xa_init(&shrinker->memcgs);

	/*
	 * Not SHRINKER_NONSLAB: without kernel memory accounting
	 * (cgroup.memory=nokmem) a cgroup has no lists of its own, and its
	 * reclaim must not be called to count the root's.
	 */
	shrinker->shrinker = shrinker_alloc(SHRINKER_MEMCG_AWARE |
					    SHRINKER_NUMA_AWARE, "%s", name);
	if (!shrinker->shrinker) {
		ret = -ENOMEM;
		goto err_root;
	}
	for (list = 0; list < DRM_SHRINKER_NR_LISTS; list++) {
		ret = list_lru_init_memcg_key(&shrinker->lru[list],
					      shrinker->shrinker,
					      &drm_shrinker_lru_key);
		if (ret)
			goto err_destroy;
	}
	drm_shrinker_prime_lockdep(shrinker);

	/*
	 * Userspace declared the contents garbage, and rebuilds them with
	 * no I/O if it needs them again, while the page cache reclaim
	 * takes instead must be read back: twice the default share.
	 * Measured: seeks = 0 asked for half of everything on kswapd's
	 * lightest pass and purged about twice what make demo's hog lacked;
	 * with this value it purged 1.09 times. make bench's pressure case
	 * took the same share of the hog's memory from DONTNEED BOs (88%)
	 * with DEFAULT_SEEKS and with this value, so it does not decide
	 * between the two.
	 */
	shrinker->shrinker->seeks = DEFAULT_SEEKS / 2;
	shrinker->shrinker->count_objects = drm_shrinker_count_objects;
	shrinker->shrinker->scan_objects = drm_shrinker_scan_objects;
	shrinker->shrinker->private_data = shrinker;
	shrinker->ready = true;
	if (reg)
		shrinker_register(shrinker->shrinker);
	return 0;

err_destroy:
	while (list--)
		list_lru_destroy(&shrinker->lru[list]);
	shrinker_free(shrinker->shrinker);
	shrinker->shrinker = NULL;
err_root:
	kfree(shrinker->root);
	shrinker->root = NULL;
	return ret;
}

static void drm_shrinker_teardown(struct drm_shrinker *shrinker)
{
	unsigned int list;

	if (!shrinker->ready)
		return;
	shrinker->ready = false;
	/* Unregisters it: no scan runs after this. */
	shrinker_free(shrinker->shrinker);
	shrinker->shrinker = NULL;
	for (list = 0; list < DRM_SHRINKER_NR_LISTS; list++)
		list_lru_destroy(&shrinker->lru[list]);
	/* Every object is gone, and with it every cgroup's counts. */
	WARN_ON_ONCE(!xa_empty(&shrinker->memcgs));
	xa_destroy(&shrinker->memcgs);
	kfree(shrinker->root);
	shrinker->root = NULL;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * drm_shrinker_create - make a DRM shrinker that reclaim never calls
 * @name: its name
 *
 * For tests: a shrinker with its own lists and statistics, never
 * registered, which only drm_shrinker_scan() and the callbacks called by
 * hand scan. Devices go on it with drm_shrinker_dev_use().
 *
 * Return: the shrinker, or NULL without memory.
 */
struct drm_shrinker *drm_shrinker_create(const char *name)
{
	struct drm_shrinker *shrinker = kzalloc(sizeof(*shrinker), GFP_KERNEL);

	if (!shrinker)
		return NULL;
	shrinker->stats = alloc_percpu(struct drm_shrinker_stats);
	if (!shrinker->stats || drm_shrinker_setup(shrinker, name, false)) {
		free_percpu(shrinker->stats);
		kfree(shrinker);
		return NULL;
	}
	return shrinker;
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_create);

/**
 * drm_shrinker_destroy - free a shrinker of drm_shrinker_create()
 * @shrinker: the shrinker, whose objects are all freed
 */
void drm_shrinker_destroy(struct drm_shrinker *shrinker)
{
	if (!shrinker)
		return;
	drm_shrinker_teardown(shrinker);
	free_percpu(shrinker->stats);
	kfree(shrinker);
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_destroy);

/**
 * drm_shrinker_dev_use - put a new device on a test's shrinker
 * @dev: DRM device that has no object on a list yet
 * @shrinker: the shrinker
 */
void drm_shrinker_dev_use(struct drm_device *dev, struct drm_shrinker *shrinker)
{
	dev->shrinker.shrinker = shrinker;
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_dev_use);

/**
 * drm_shrinker_assume_swap - let a test's shrinker evict without swap
 * @shrinker: a shrinker of drm_shrinker_create()
 *
 * Its scans and counts then treat swap space as free: evict callbacks
 * run, and shmem keeps the pages it cannot write to swap.
 */
void drm_shrinker_assume_swap(struct drm_shrinker *shrinker)
{
	shrinker->assume_swap = true;
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_assume_swap);

/**
 * drm_shrinker_mm - the core MM shrinker of a DRM shrinker
 * @shrinker: the shrinker
 *
 * Return: its &struct shrinker, for calling its callbacks by hand.
 */
struct shrinker *drm_shrinker_mm(struct drm_shrinker *shrinker)
{
	return shrinker->shrinker;
}
EXPORT_SYMBOL_IF_KUNIT(drm_shrinker_mm);
#endif

/**
 * drm_shrinker_init - register the DRM shrinker
 * @debugfs_root: the DRM debugfs directory, for the global statistics
 *
 * Called once by DRM core at init. It cannot fail: DRM runs without the
 * shrinker if there is no memory to register it, and says so in the
 * kernel log. With the module parameter ``drm.shrinker=0`` the shrinker
 * is set up but not registered: objects are still tracked and counted,
 * but memory pressure never reclaims them.
 */
void drm_shrinker_init(struct dentry *debugfs_root)
{
	drm_shrinker_debugfs = debugfs_create_file("shrinker", 0444,
						   debugfs_root, NULL,
						   &drm_shrinker_global_fops);
	drm_shrinker_debugfs_root = debugfs_root;
	debugfs_create_bool("shrinker_scan_evicts", 0600, debugfs_root,
			    &drm_shrinker_scan_evicts);

	if (drm_shrinker_setup(&drm_shrinker_core, "drm-shrinker",
			       drm_shrinker_enable)) {
		pr_warn("drm: no memory for the shrinker: purgeable objects will not be reclaimed under memory pressure\n");
		return;
	}
	if (!drm_shrinker_enable)
		pr_info("drm: shrinker disabled by drm.shrinker=0\n");
}

/**
 * drm_shrinker_fini - unregister the DRM shrinker
 *
 * Called once by DRM core at exit, when no device is left, and when
 * drm_core_init() fails, whether or not drm_shrinker_init() ran.
 */
void drm_shrinker_fini(void)
{
	debugfs_remove(drm_shrinker_debugfs);
	if (!IS_ERR_OR_NULL(drm_shrinker_debugfs_root))
		debugfs_lookup_and_remove("shrinker_scan_evicts",
					  drm_shrinker_debugfs_root);
	drm_shrinker_teardown(&drm_shrinker_core);
}
