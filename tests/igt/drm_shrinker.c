// SPDX-License-Identifier: MIT
/*
 * Several drivers, one shrinker: BOs of two virtio-gpu devices and vgem sit
 * on one LRU and are reclaimed oldest first, whichever driver owns them.
 */
#include "igt.h"
#include "drm_shrinker_helpers.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "drm_mode.h"
#include "vgem_drm.h"
#include "virtgpu_drm.h"

/**
 * TEST: One DRM shrinker shared by virtio-gpu and vgem
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DRM shrinker across drivers
 * Functionality: GEM shrinker
 * Feature: memory management
 * Test category: functionality test
 *
 * SUBTEST: interleaved
 * Description: BOs marked DONTNEED in turn on virtio-gpu #1, vgem and
 *	virtio-gpu #2: a scan of N pages purges exactly the BOs of the oldest N
 *	pages, whichever driver owns them.
 *
 * SUBTEST: busy-skipped
 * Description: A vgem BO with an unsignaled fence is skipped and goes to
 *	the tail of the LRU, as if just used; once the fence signals, it is
 *	purged after the BOs that were newer.
 *
 * SUBTEST: fairness
 * Description: A device with many more DONTNEED BOs does not keep the
 *	others' older BOs from being reclaimed in LRU order.
 *
 * SUBTEST: debugfs
 * Description: The global statistics are the sums of the devices' and move
 *	exactly as predicted; fdinfo counts the purgeable bytes.
 *
 * SUBTEST: willneed-survives-drop-caches
 * Description: A WILLNEED BO written through a mapping and unmapped keeps
 *	its data over drop_caches: dropping the page cache (1) must not take its
 *	pages as clean cache, and running every shrinker (2) purges only the
 *	DONTNEED BOs next to it.
 *
 * SUBTEST: memory-pressure
 * Description: Memory pressure, not a scan started by hand, purges the
 *	DONTNEED BOs of all three devices (kswapd and direct reclaim), while
 *	another process keeps transferring a WILLNEED BO on each virtio-gpu
 *	device: the memory hog is not OOM-killed and the WILLNEED BOs keep every
 *	word.
 *
 * SUBTEST: evict-vgem
 * Description: Idle WILLNEED vgem BOs held by a CPU mapping: without swap
 *	the count leaves them out and a scan evicts none; with swap on zram they
 *	are counted, a scan evicts them but for one with an unsignaled fence and
 *	one exported as a dma-buf, fdinfo counts them in drm-evicted-memory, a
 *	fence attach brings one back, and every word reads back through the
 *	mappings.
 *
 * SUBTEST: evict-never-shared
 * Description: Shared BOs are never evicted, with swap: a virtio-gpu BO
 *	exported as a dma-buf stays, and its import into vgem is never on vgem's
 *	evictable list, while an unshared BO of the same file is evicted by the
 *	same scan.
 *
 * SUBTEST: evict-only-in-reclaim
 * Description: With swap on zram, mapped idle WILLNEED vgem BOs and a
 *	DONTNEED one: drop_caches and the core MM's debugfs scan, which are not
 *	memory reclaim, purge the DONTNEED BO and evict nothing; with the DRM
 *	shrinker's shrinker_scan_evicts switch on, the same scan evicts them,
 *	and every word reads back.
 *
 * SUBTEST: willneed-moves-in-cgroup
 * Description: In a new memory cgroup, a vgem BO that got its pages while
 *	DONTNEED and was then marked WILLNEED stays on the purgeable list,
 *	counted as evictable (the cgroup's count outside reclaim is one page,
 *	for moving it); a scan of the cgroup's lists moves it to the
 *	cgroup's evictable list, which was allocated when the BO was listed,
 *	and with the shrinker_scan_evicts switch on evicts it there, never
 *	purges it; every word reads back.
 *
 * SUBTEST: evict-writes-what-asked
 * Description: A scan that asks for 64 pages per node and evicts a mapped,
 *	idle vgem BO of 64 MiB writes at most 64 pages per node to swap at once
 *	(the rest wait for reclaim's LRU scan), and every word reads back.
 *
 * SUBTEST: evict-after-swapoff
 * Description: A cgroup whose only BOs are mapped, idle WILLNEED vgem BOs:
 *	memory.reclaim while swap is off (nothing can be evicted), then swap on
 *	and memory.reclaim again evicts them: the cgroup's shrinker bit was not
 *	cleared.
 *
 * SUBTEST: evict-swappiness
 * Description: The same BOs with swap on: memory.reclaim with
 *	vm.swappiness 0 evicts none of them, as the cgroup's reclaim then swaps
 *	no anon memory; with the swappiness as it was, it evicts them.
 *
 * SUBTEST: dmabuf-%s
 * Description: BOs exported as dma-bufs and mapped through them, before or
 *	only after their GEM handles were closed: vgem attaches and detaches a
 *	virtio-gpu dma-buf, a self-import marks them DONTNEED and WILLNEED, maps
 *	them, uses them (fence or transfer), one stays DONTNEED; with swap,
 *	scans that may evict and a memory hog evict an unshared control BO but
 *	neither purge nor evict the shared ones, whose words all read back
 *	through the dma-buf mappings.
 *
 * arg[1]:
 *
 * @virtio0:  the first virtio-gpu device (3D, virgl)
 * @vgem:     vgem
 * @virtio1:  the second virtio-gpu device (2D)
 *
 * SUBTEST: evict-swap
 * Description: Mapped, idle WILLNEED BOs of 1.5 times the guest's memory,
 *	each page with its own pattern, on virtio-gpu 3D, vgem and virtio-gpu 2D
 *	in turn: memory pressure (kswapd, direct reclaim) evicts them to swap on
 *	zram on every device, every word reads back (virtio BOs also after a
 *	transfer to the host, which attaches them again), and nothing is OOM-
 *	killed.
 *
 * SUBTEST: memcg-%s
 * Description: Two sibling cgroups at their memory.max, no swap: the
 *	process that goes past its limit survives because its own DONTNEED BOs
 *	are purged, the other cgroup's BOs all keep their data, and once the
 *	cgroup is removed its BOs are counted and purged under its parent.
 *
 * arg[1]:
 *
 * @virtio0:  the first virtio-gpu device (3D, virgl)
 * @vgem:     vgem
 * @virtio1:  the second virtio-gpu device (2D)
 *
 * SUBTEST: memcg-evict-vgem
 * Description: Two sibling cgroups at their memory.max: the process whose
 *	mapped WILLNEED vgem BOs and locked memory do not fit in its limit (swap
 *	allowed) survives because its own BOs are evicted to swap by its
 *	cgroup's reclaim, and gets every word back; the other cgroup, whose
 *	memory.swap.max is 0, has its BOs neither counted nor evicted by a scan,
 *	and they stay resident (nothing of it swapped) with their words. Booted
 *	with drm.shrinker=0, the first process is OOM-killed.
 *
 * SUBTEST: count-pages-per-cgroup
 * Description: Two sibling cgroups, swap on: one holds a DONTNEED vgem BO
 *	of 64 MiB, the other 512 of 64 KiB, each beside 32 MiB of anonymous
 *	memory. Each cgroup's count is its own pages (within 1%), and
 *	memory.reclaim of each purges its BOs rather than swap its anonymous
 *	memory, which keeps every word.
 *
 * SUBTEST: cgroup-id-reuse
 * Description: A removed cgroup's DONTNEED vgem BOs, still open, are
 *	counted under its parent while a new cgroup of the same name, which most
 *	likely reuses the removed one's memory cgroup ID, counts exactly its own
 *	BOs' pages; scans and the frees of both leave nothing counted (run it on
 *	the KASAN kernel for the freed counts).
 *
 * SUBTEST: removed-cgroup-released
 * Description: A removed cgroup whose DONTNEED vgem BOs are still open is
 *	freed (its parent's nr_dying_descendants goes back to 0) while the BOs
 *	stay listed and counted under the parent; a use moves their pages onto
 *	the parent's counts. Skips if the same BOs, exported as dma-bufs and so
 *	never listed, keep the cgroup.
 *
 * SUBTEST: numa
 * Description: On a guest with two NUMA nodes, BOs whose pages are on node
 *	1 are counted under node 1 of their cgroup, each node with its own BOs'
 *	pages (64-page BOs on node 1, 16-page ones on node 0), a scan of node 0
 *	purges none of them, and a scan of node 1 purges them.
 *
 * SUBTEST: unbind
 * Description: Unbinding a virtio-gpu device while its DONTNEED BOs are on
 *	the LRU and scans run takes them off cleanly; the other devices' BOs are
 *	still reclaimed, and the device binds again.
 */

IGT_TEST_DESCRIPTION("One DRM shrinker shared by virtio-gpu and vgem");

#define XBO_PAGE 4096

enum xdev { XDEV_VIRTIO0, XDEV_VGEM, XDEV_VIRTIO1, XDEV_NR };

static const char * const xdev_names[XDEV_NR] = { "virtio0", "vgem", "virtio1" };
static int xfd[XDEV_NR] = { -1, -1, -1 };

struct xbo {
	enum xdev dev;
	uint32_t handle;
	uint32_t size;
};

static struct xbo xbo_create(enum xdev dev, unsigned int pages)
{
	struct xbo bo = { .dev = dev, .size = pages * XBO_PAGE };

	if (dev == XDEV_VGEM) {
		struct drm_mode_create_dumb create = {
			.width = 1024, .height = pages, .bpp = 32,
		};

		do_ioctl(xfd[dev], DRM_IOCTL_MODE_CREATE_DUMB, &create);
		igt_assert_eq_u64(create.size, bo.size);
		bo.handle = create.handle;
	} else {
		struct drm_virtgpu_resource_create rc = {
			.target = 2, .format = 2, .bind = 2 | 8,
			.width = 1024, .height = pages, .depth = 1,
			.array_size = 1, .size = bo.size,
		};
		struct drm_virtgpu_3d_wait wait = {};

		do_ioctl(xfd[dev], DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);
		bo.handle = rc.bo_handle;
		wait.handle = bo.handle;
		do_ioctl(xfd[dev], DRM_IOCTL_VIRTGPU_WAIT, &wait);
	}
	return bo;
}

/* A CPU mapping of the BO. */
static void *xbo_map_raw(struct xbo *bo)
{
	uint64_t offset;
	void *ptr;

	if (bo->dev == XDEV_VGEM) {
		struct drm_mode_map_dumb map = { .handle = bo->handle };

		do_ioctl(xfd[bo->dev], DRM_IOCTL_MODE_MAP_DUMB, &map);
		offset = map.offset;
	} else {
		struct drm_virtgpu_map map = { .handle = bo->handle };

		do_ioctl(xfd[bo->dev], DRM_IOCTL_VIRTGPU_MAP, &map);
		offset = map.offset;
	}
	ptr = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   xfd[bo->dev], offset);
	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

/* Make the BO's pages exist: write a pattern through a CPU mapping. */
static void *xbo_map(struct xbo *bo)
{
	void *ptr = xbo_map_raw(bo);

	memset(ptr, 0x5a, bo->size);
	return ptr;
}

static void xbo_populate(struct xbo *bo)
{
	munmap(xbo_map(bo), bo->size);
}

/* Returns retained (0 or 1). */
static int xbo_madvise(struct xbo *bo, uint32_t madv)
{
	if (bo->dev == XDEV_VGEM) {
		struct drm_vgem_madvise args = { .handle = bo->handle, .madv = madv };

		do_ioctl(xfd[bo->dev], DRM_IOCTL_VGEM_MADVISE, &args);
		return args.retained;
	} else {
		struct drm_virtgpu_madvise args = { .bo_handle = bo->handle, .madv = madv };

		do_ioctl(xfd[bo->dev], DRM_IOCTL_VIRTGPU_MADVISE, &args);
		return args.retained;
	}
}

static void xbo_dontneed(struct xbo *bo)
{
	igt_assert_eq(xbo_madvise(bo, 1), 1);
}

/* WILLNEED again; true if the BO was purged. */
static bool xbo_purged(struct xbo *bo)
{
	return xbo_madvise(bo, 0) == 0;
}

/* A virtio-gpu BO: all its rows to the host, and wait for it. */
static void xbo_to_host(struct xbo *bo)
{
	struct drm_virtgpu_3d_transfer_to_host to = {
		.bo_handle = bo->handle,
		.box = { .w = 1024, .h = bo->size / XBO_PAGE, .d = 1 },
	};
	struct drm_virtgpu_3d_wait wait = { .handle = bo->handle };

	do_ioctl(xfd[bo->dev], DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &to);
	do_ioctl(xfd[bo->dev], DRM_IOCTL_VIRTGPU_WAIT, &wait);
}

static void xbo_close(struct xbo *bo)
{
	gem_close(xfd[bo->dev], bo->handle);
}

/*
 * Word @w of page @p of BO @b in the eviction tests: every page holds its
 * BO's and its own number, so a lost, zeroed or misplaced page shows; the
 * pattern repeats every 16 words inside a page so that zram compresses
 * it and BOs of more than the guest's memory fit in its swap.
 */
static uint32_t xev_word(uint32_t b, uint32_t p, uint32_t w)
{
	return 0xa5000000u ^ (b << 12) ^ (p << 4) ^ (w & 15);
}

static void xev_fill(uint32_t *map, uint32_t b, uint32_t pages)
{
	for (uint32_t p = 0; p < pages; p++)
		for (uint32_t w = 0; w < XBO_PAGE / 4; w++)
			map[p * (XBO_PAGE / 4) + w] = xev_word(b, p, w);
}

/* The words of the mapping that are not what xev_fill() wrote. */
static uint64_t xev_mismatches(const uint32_t *map, uint32_t b, uint32_t pages)
{
	uint64_t bad = 0;

	for (uint32_t p = 0; p < pages; p++)
		for (uint32_t w = 0; w < XBO_PAGE / 4; w++)
			bad += map[p * (XBO_PAGE / 4) + w] != xev_word(b, p, w);
	return bad;
}

/*
 * Scan the lists of the cgroup of inode @ino on every node through the
 * core MM's debugfs `scan`, asking for @pages on each, whatever `count`
 * says (shrinker_scan() only scans what is counted).
 */
static void xev_scan_pages(unsigned long ino, uint32_t pages)
{
	char path[PATH_MAX + 16], cmd[64];
	int fd, len;

	snprintf(path, sizeof(path), "%s/scan", shrinker_debugfs_dir());
	fd = open(path, O_WRONLY);
	igt_assert_f(fd >= 0, "%s: %m\n", path);
	for (int nid = 0;; nid++) {
		len = snprintf(cmd, sizeof(cmd), "%lu %d %u", ino, nid, pages);
		if (write(fd, cmd, len) != len) {
			/* Past the last node. */
			igt_assert_f(errno == EINVAL && nid > 0, "%s: %s: %m\n",
				     path, cmd);
			break;
		}
	}
	close(fd);
}

static void xev_scan(unsigned long ino)
{
	xev_scan_pages(ino, UINT32_MAX);
}

/* What the shrinker counts for the calling process's cgroup, all nodes. */
static uint64_t xev_count(void)
{
	uint64_t per_node[64], sum = 0;
	int nodes = shrinker_count_read(shrinker_memcg_ino(), per_node, 64);

	for (int i = 0; i < nodes; i++)
		sum += per_node[i];
	return sum;
}


static void xdev_stats(struct shrinker_stats *stats)
{
	for (int i = 0; i < XDEV_NR; i++)
		shrinker_stats_device(xfd[i], &stats[i]);
}

static volatile sig_atomic_t xworker_stop;

static void xworker_sigterm(int sig)
{
	xworker_stop = 1;
}

/*
 * Until SIGTERM: transfer a WILLNEED BO to the host on each virtio-gpu
 * device and check its pattern; exit 0 if every word survived.
 */
static void xworker(void)
{
	enum xdev devs[] = { XDEV_VIRTIO0, XDEV_VIRTIO1 };
	uint32_t *ptr[ARRAY_SIZE(devs)];
	struct xbo bo[ARRAY_SIZE(devs)];
	unsigned int words = 16 * XBO_PAGE / 4;

	signal(SIGTERM, xworker_sigterm);
	for (unsigned int d = 0; d < ARRAY_SIZE(devs); d++) {
		bo[d] = xbo_create(devs[d], 16);
		ptr[d] = xbo_map_raw(&bo[d]);
		for (unsigned int i = 0; i < words; i++)
			ptr[d][i] = 0xc0de0000 ^ i ^ d;
	}
	while (!xworker_stop) {
		for (unsigned int d = 0; d < ARRAY_SIZE(devs); d++) {
			struct drm_virtgpu_3d_transfer_to_host to = {
				.bo_handle = bo[d].handle,
				.box = { .w = 1024, .h = 16, .d = 1 },
			};
			struct drm_virtgpu_3d_wait wait = { .handle = bo[d].handle };

			if (igt_ioctl(xfd[devs[d]], DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &to) ||
			    igt_ioctl(xfd[devs[d]], DRM_IOCTL_VIRTGPU_WAIT, &wait))
				_exit(3);
			for (unsigned int i = 0; i < words; i++)
				if (ptr[d][i] != (0xc0de0000 ^ i ^ d))
					_exit(4);
		}
	}
	_exit(0);
}


/*
 * The memcg subtests: two sibling cgroups A and B under XMC_ROOT, each
 * limited to XMC_LIMIT with no swap, and a child process in each.
 */
#define XMC_ROOT "/sys/fs/cgroup/drm-shrinker-memcg"
#define XMC_LIMIT (64ull << 20)

/* A "key value" line of a cgroup file, or -1. */
static int64_t xmc_key(const char *path, const char *key)
{
	char name[64];
	int64_t value, ret = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %" SCNd64, name, &value) == 2)
		if (!strcmp(name, key))
			ret = value;
	fclose(f);
	return ret;
}

static int64_t xmc_value(const char *path)
{
	int64_t value = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%" SCNd64, &value) != 1)
			value = -1;
		fclose(f);
	}
	return value;
}

/*
 * What the shrinker counts of @pages evictable pages, at least: swappiness
 * / 200 of them, the share of anon pages reclaim scans, times its seeks
 * (1) / 4, as reclaim asks shrinkers for 4 / seeks of their count.
 */
static uint64_t xev_weighed(uint64_t pages)
{
	int64_t swappiness = xmc_value("/proc/sys/vm/swappiness");

	/* A fail, not a skip: a failed evict-swappiness may have left 0. */
	igt_assert_f(swappiness > 0, "vm.swappiness is %" PRId64 "\n", swappiness);
	return pages * swappiness / 800;
}

/* What the shrinker counts for the cgroup of inode @ino, all nodes. */
static uint64_t xmc_count(unsigned long ino)
{
	uint64_t per_node[64], sum = 0;
	int nodes = shrinker_count_read(ino, per_node, 64);

	for (int n = 0; n < nodes; n++)
		sum += per_node[n];
	return sum;
}

static unsigned long xmc_ino(const char *path)
{
	struct stat st;

	igt_assert_eq(stat(path, &st), 0);
	return st.st_ino;
}

static void xmc_rmdir_all(void)
{
	rmdir(XMC_ROOT "/A");
	rmdir(XMC_ROOT "/B");
	rmdir(XMC_ROOT);
}

/* A and B with @swap: no swap at all, or as much as they like. */
static void xmc_setup(bool swap)
{
	igt_require_f(!access("/sys/fs/cgroup/cgroup.controllers", F_OK),
		      "needs cgroup2 on /sys/fs/cgroup\n");
	xmc_rmdir_all();
	igt_assert_eq(shrinker_write("/sys/fs/cgroup/cgroup.subtree_control", "+memory"), 0);
	igt_assert_eq(mkdir(XMC_ROOT, 0755), 0);
	igt_assert_eq(shrinker_write(XMC_ROOT "/cgroup.subtree_control", "+memory"), 0);
	for (const char *cg = "AB"; *cg; cg++) {
		char path[128], dir[64];

		snprintf(dir, sizeof(dir), XMC_ROOT "/%c", *cg);
		igt_assert_eq(mkdir(dir, 0755), 0);
		snprintf(path, sizeof(path), "%s/memory.max", dir);
		igt_assert_eq(shrinker_write(path, "67108864"), 0);
		/* No swap: only purging can make room. */
		snprintf(path, sizeof(path), "%s/memory.swap.max", dir);
		if (!access(path, F_OK))
			igt_assert_eq(shrinker_write(path, swap ? "max" : "0"), 0);
		else
			igt_require_f(!swap, "needs memory.swap.max (CONFIG_MEMCG_SWAP)\n");
	}
}

/* In a child: a BO of @pages pages on @dev, filled with words ^ @seed. */
static uint32_t xmc_bo(enum xdev dev, unsigned int pages, uint32_t seed)
{
	struct xbo bo;
	uint32_t *ptr;

	bo = xbo_create(dev, pages);
	ptr = xbo_map_raw(&bo);
	for (uint32_t i = 0; i < bo.size / 4; i++)
		ptr[i] = seed ^ i;
	munmap(ptr, bo.size);
	if (xbo_madvise(&bo, 1) != 1)
		_exit(20);
	return bo.handle;
}

/* In a child: WILLNEED again; 1 if purged, 0 if kept with its words. */
static int xmc_check(enum xdev dev, uint32_t handle, unsigned int pages,
		     uint32_t seed)
{
	struct xbo bo = { .dev = dev, .handle = handle, .size = pages * XBO_PAGE };
	uint32_t *ptr;

	if (xbo_purged(&bo)) {
		xbo_close(&bo);
		return 1;
	}
	ptr = xbo_map_raw(&bo);
	for (uint32_t i = 0; i < bo.size / 4; i++)
		if (ptr[i] != (seed ^ i))
			_exit(21);
	munmap(ptr, bo.size);
	xbo_close(&bo);
	return 0;
}

static void xmc_join(const char *cg)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (shrinker_write(path, "0"))
		_exit(22);
}

static void xmc_send(int fd, int value)
{
	if (write(fd, &value, sizeof(value)) != sizeof(value))
		_exit(23);
}

static int xmc_recv(int fd)
{
	int value;

	if (read(fd, &value, sizeof(value)) != sizeof(value))
		return -1;
	return value;
}

enum { XMC_B_BOS = 8, XMC_B_PAGES = 256, XMC_A_BOS = 8, XMC_A_PAGES = 1024,
       XMC_A2_BOS = 4, XMC_A2_PAGES = 256, XMC_HOG = 48 << 20 };

/*
 * B: fill BOs, DONTNEED, and after A's pressure check that every one was
 * kept with its words. Exits 0, or 10 + the BOs lost.
 */
static void xmc_child_b(enum xdev dev, int up, int down)
{
	uint32_t h[XMC_B_BOS];
	int lost = 0;

	xmc_join(XMC_ROOT "/B");
	for (int i = 0; i < XMC_B_BOS; i++)
		h[i] = xmc_bo(dev, XMC_B_PAGES, 0xb0b00000u * (i + 1));
	xmc_send(up, 0);
	if (xmc_recv(down) < 0)
		_exit(24);
	for (int i = 0; i < XMC_B_BOS; i++)
		lost += xmc_check(dev, h[i], XMC_B_PAGES, 0xb0b00000u * (i + 1));
	_exit(lost ? 10 + lost : 0);
}

/*
 * A: fill BOs, DONTNEED, then allocate anonymous memory past A's limit;
 * report how many BOs were purged and A's usage before the hog. Then fill
 * more BOs, DONTNEED, and once the parent moved us out and removed A,
 * report how many of those the parent's reclaim purged.
 */
static void xmc_child_a(enum xdev dev, int up, int down)
{
	uint32_t h[XMC_A_BOS], h2[XMC_A2_BOS];
	int purged = 0;
	char *hog;

	xmc_join(XMC_ROOT "/A");
	for (int i = 0; i < XMC_A_BOS; i++)
		h[i] = xmc_bo(dev, XMC_A_PAGES, 0xa0a00000u * (i + 1));
	xmc_send(up, (int)(xmc_value(XMC_ROOT "/A/memory.current") >> 10));
	hog = mmap(NULL, XMC_HOG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hog == MAP_FAILED)
		_exit(25);
	for (size_t i = 0; i < XMC_HOG; i += 4096)
		hog[i] = 1;
	munmap(hog, XMC_HOG);
	for (int i = 0; i < XMC_A_BOS; i++)
		purged += xmc_check(dev, h[i], XMC_A_PAGES, 0xa0a00000u * (i + 1));
	xmc_send(up, purged);

	for (int i = 0; i < XMC_A2_BOS; i++)
		h2[i] = xmc_bo(dev, XMC_A2_PAGES, 0xa2a20000u * (i + 1));
	xmc_send(up, 0);
	if (xmc_recv(down) < 0)
		_exit(24);
	purged = 0;
	for (int i = 0; i < XMC_A2_BOS; i++)
		purged += xmc_check(dev, h2[i], XMC_A2_PAGES, 0xa2a20000u * (i + 1));
	xmc_send(up, purged);
	_exit(0);
}

static pid_t xmc_fork(void (*child)(enum xdev, int, int), enum xdev dev,
		      int *up, int *down)
{
	int p_up[2], p_down[2];
	pid_t pid;

	igt_assert_eq(pipe(p_up), 0);
	igt_assert_eq(pipe(p_down), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p_up[0]);
		close(p_down[1]);
		child(dev, p_up[1], p_down[0]);
	}
	close(p_up[1]);
	close(p_down[0]);
	*up = p_up[0];
	*down = p_down[1];
	return pid;
}

/* Children of a memcg subtest that failed half-way, and their pipes. */
static pid_t xmc_pids[2];
static int xmc_fds[4] = { -1, -1, -1, -1 };

/* Fork child @i (0: B, 1: A) of a memcg subtest, for xmc_reap(). */
static pid_t xmc_start(void (*child)(enum xdev, int, int), enum xdev dev,
		       int i, int *up, int *down)
{
	xmc_pids[i] = xmc_fork(child, dev, up, down);
	xmc_fds[2 * i] = *up;
	xmc_fds[2 * i + 1] = *down;
	return xmc_pids[i];
}

static void xmc_reap(void)
{
	for (int i = 0; i < 4; i++) {
		if (xmc_fds[i] >= 0)
			close(xmc_fds[i]);
		xmc_fds[i] = -1;
	}
	for (int i = 0; i < 2; i++) {
		if (xmc_pids[i] > 0) {
			kill(xmc_pids[i], SIGKILL);
			waitpid(xmc_pids[i], NULL, 0);
		}
		xmc_pids[i] = 0;
	}
}

/* What the shrinker counts for cgroup @ino, waiting (5 s) for it to be > 0. */
static uint64_t xmc_count_settle(unsigned long ino)
{
	uint64_t count = 0;

	for (int i = 0; i < 500 && !count; i++) {
		count = xmc_count(ino);
		if (!count)
			usleep(10000);
	}
	return count;
}

/*
 * willneed-moves-in-cgroup: a child in A maps a DONTNEED vgem BO, which
 * gets its pages (charged to A) and goes on A's purgeable list, the first
 * of A's lists to be allocated; it fills it and sends its handle. Once
 * the parent maps the BO too (which keeps its pages when the child's
 * mapping goes), the child marks it WILLNEED, an evictable object still
 * on the purgeable list, and exits.
 */
enum { XWM_PAGES = 256 };

static void xwm_child(enum xdev dev, int up, int down)
{
	struct xbo bo;
	uint32_t *map;

	xmc_join(XMC_ROOT "/A");
	bo = xbo_create(dev, XWM_PAGES);
	if (xbo_madvise(&bo, 1) != 1)
		_exit(20);
	map = xbo_map_raw(&bo);
	xev_fill(map, 0x3e0, XWM_PAGES);
	xmc_send(up, (int)bo.handle);
	if (xmc_recv(down) < 0)
		_exit(24);
	munmap(map, bo.size);
	if (xbo_madvise(&bo, 0) != 1)
		_exit(21);
	_exit(0);
}

static void xwm_run(void)
{
	struct shrinker_stats s0, s1;
	int up, down, status;
	struct xbo bo;
	uint32_t *map;
	pid_t pid;

	igt_require(xfd[XDEV_VGEM] >= 0);
	xmc_reap();
	shrinker_zram_on("64M");
	xmc_setup(true);
	pid = xmc_start(xwm_child, XDEV_VGEM, 0, &up, &down);
	bo = (struct xbo){ .dev = XDEV_VGEM, .handle = xmc_recv(up),
			   .size = XWM_PAGES * XBO_PAGE };
	map = xbo_map_raw(&bo);
	xmc_send(down, 0);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	xmc_pids[0] = 0;
	igt_assert_f(WIFEXITED(status) && !WEXITSTATUS(status),
		     "child: status %d\n", status);

	/*
	 * Still on A's purgeable list: outside reclaim, what a scan could
	 * take is none of its pages, and a page for moving it.
	 */
	igt_assert_eq_u64(xmc_count(xmc_ino(XMC_ROOT "/A")), 1);
	shrinker_stats_device(xfd[XDEV_VGEM], &s0);
	shrinker_scan_evicts(true);
	xev_scan(xmc_ino(XMC_ROOT "/A"));
	shrinker_scan_evicts(false);
	shrinker_stats_device(xfd[XDEV_VGEM], &s1);
	igt_info("scan of A: evicted %" PRIu64 ", purged %" PRIu64 "\n",
		 s1.evicted_objects - s0.evicted_objects,
		 s1.purged_objects - s0.purged_objects);
	igt_assert_eq_u64(s1.purged_objects, s0.purged_objects);
	igt_assert_eq_u64(s1.evicted_objects, s0.evicted_objects + 1);
	igt_assert_eq_u64(xev_mismatches(map, 0x3e0, XWM_PAGES), 0);
	igt_assert(!xbo_purged(&bo));
	munmap(map, bo.size);
	xbo_close(&bo);
	xmc_reap();
	xmc_rmdir_all();
	shrinker_zram_off();
}

/*
 * memcg-evict-vgem: A and B may swap. A's mapped WILLNEED BOs and a
 * locked (unswappable) allocation do not fit in A's limit together: only
 * evicting the BOs makes room.
 */
enum { XME_A_BOS = 8, XME_A_PAGES = 1024, XME_B_BOS = 4, XME_B_PAGES = 256,
       XME_LOCK = 48 << 20 };

/* In a child: map @n vgem BOs of @pages pages, filled; keep them mapped. */
static void xme_bos(struct xbo *bo, uint32_t **map, int n, unsigned int pages,
		    uint32_t tag)
{
	for (int i = 0; i < n; i++) {
		bo[i] = xbo_create(XDEV_VGEM, pages);
		map[i] = xbo_map_raw(&bo[i]);
		xev_fill(map[i], tag + i, pages);
	}
}

/*
 * In a child: the words of its BOs that are not what they were; then the
 * BOs go (the DRM file is the parent's too).
 */
static int xme_bad(struct xbo *bo, uint32_t **map, int n, unsigned int pages,
		   uint32_t tag)
{
	uint64_t bad = 0;

	for (int i = 0; i < n; i++) {
		bad += xev_mismatches(map[i], tag + i, pages);
		munmap(map[i], bo[i].size);
		xbo_close(&bo[i]);
	}
	return bad > INT_MAX ? INT_MAX : (int)bad;
}

/* B: map and fill BOs; after A's pressure, report its swap use and bad words. */
static void xme_child_b(enum xdev dev, int up, int down)
{
	uint32_t *map[XME_B_BOS];
	struct xbo bo[XME_B_BOS];

	xmc_join(XMC_ROOT "/B");
	xme_bos(bo, map, XME_B_BOS, XME_B_PAGES, 0xb00);
	xmc_send(up, 0);
	if (xmc_recv(down) < 0)
		_exit(24);
	xmc_send(up, (int)(xmc_value(XMC_ROOT "/B/memory.swap.current") >> 10));
	xmc_send(up, xme_bad(bo, map, XME_B_BOS, XME_B_PAGES, 0xb00));
	_exit(0);
}

/*
 * A: map and fill BOs, then lock memory that does not fit beside them;
 * let it go, and report the words of the BOs that came back wrong.
 */
static void xme_child_a(enum xdev dev, int up, int down)
{
	uint32_t *map[XME_A_BOS];
	struct xbo bo[XME_A_BOS];
	char *lock;

	xmc_join(XMC_ROOT "/A");
	xme_bos(bo, map, XME_A_BOS, XME_A_PAGES, 0xa00);
	xmc_send(up, (int)(xmc_value(XMC_ROOT "/A/memory.current") >> 10));
	lock = mmap(NULL, XME_LOCK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (lock == MAP_FAILED)
		_exit(25);
	for (size_t i = 0; i < XME_LOCK; i += 4096)
		lock[i] = 1;
	munmap(lock, XME_LOCK);
	xmc_send(up, xme_bad(bo, map, XME_A_BOS, XME_A_PAGES, 0xa00));
	_exit(0);
}

static void xme_run(void)
{
	int a_up, a_down, b_up, b_down, status, bad_a, bad_b, swap_b, used_kib;
	bool expect_oom = getenv("DRM_SHRINKER_EXPECT_OOM");
	struct shrinker_stats s0, s1;
	int64_t oom, max_events;
	pid_t a, b;

	xmc_reap();
	shrinker_zram_on("256M");
	xmc_setup(true);
	/* B may not swap: its BOs are neither counted nor evicted. */
	igt_assert_eq(shrinker_write(XMC_ROOT "/B/memory.swap.max", "0"), 0);
	shrinker_stats_device(xfd[XDEV_VGEM], &s0);

	b = xmc_start(xme_child_b, XDEV_VGEM, 0, &b_up, &b_down);
	igt_assert_eq(xmc_recv(b_up), 0);
	shrinker_stats_device(xfd[XDEV_VGEM], &s1);
	igt_assert_eq_u64(s1.evictable_objects, s0.evictable_objects + XME_B_BOS);
	/* Without the shrinker (the control) there is no debugfs to ask. */
	if (!expect_oom) {
		igt_assert_eq_u64(xmc_count(xmc_ino(XMC_ROOT "/B")), 0);
		/* Even a scan that may evict does not: B may not swap. */
		shrinker_scan_evicts(true);
		xev_scan(xmc_ino(XMC_ROOT "/B"));
		shrinker_scan_evicts(false);
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_assert_eq_u64(s1.evicted_objects, s0.evicted_objects);
	}
	a = xmc_start(xme_child_a, XDEV_VGEM, 1, &a_up, &a_down);
	used_kib = xmc_recv(a_up);
	igt_assert_lt(0, used_kib);
	bad_a = xmc_recv(a_up);
	igt_assert_eq(waitpid(a, &status, 0), a);
	xmc_pids[1] = 0;
	oom = xmc_key(XMC_ROOT "/A/memory.events", "oom_kill");
	max_events = xmc_key(XMC_ROOT "/A/memory.events", "max");
	shrinker_stats_device(xfd[XDEV_VGEM], &s1);
	igt_info("vgem: A used %d KiB before locking %d MiB; oom_kill %" PRId64
		 "; evicted %" PRIu64 " BOs (direct %" PRIu64
		 ", kswapd %" PRIu64 "), swapped in %" PRIu64 "\n", used_kib,
		 XME_LOCK >> 20, oom, s1.evicted_objects - s0.evicted_objects,
		 s1.evicted_by_direct - s0.evicted_by_direct,
		 s1.evicted_by_kswapd - s0.evicted_by_kswapd,
		 s1.swapped_in_objects - s0.swapped_in_objects);

	xmc_send(b_down, 0);
	swap_b = xmc_recv(b_up);
	bad_b = xmc_recv(b_up);
	igt_assert_eq(waitpid(b, &status, 0), b);
	xmc_pids[0] = 0;
	xmc_reap();
	xmc_rmdir_all();
	shrinker_zram_off();
	igt_info("vgem: B swapped %d KiB, %d words of B wrong\n", swap_b, bad_b);

	/* Nothing happens to B either way. */
	igt_assert_eq(status, 0);
	igt_assert_eq(swap_b, 0);
	igt_assert_eq(bad_b, 0);
	if (expect_oom) {
		/*
		 * Booted with drm.shrinker=0 (the control), or with
		 * cgroup.memory=nokmem, where no cgroup's reclaim reaches
		 * a BO: A must die.
		 */
		igt_assert_f(bad_a < 0 && oom > 0,
			     "vgem: with no BO within reach of A's reclaim (DRM_SHRINKER_EXPECT_OOM), the process at A's limit was not OOM-killed (oom_kill %" PRId64 "): this test could not fail\n",
			     oom);
		return;
	}
	igt_assert_f(bad_a >= 0 && oom == 0,
		     "vgem: the process at A's limit was OOM-killed (oom_kill %" PRId64 ")\n",
		     oom);
	igt_assert_eq(bad_a, 0);
	/*
	 * A's own limit did it: A reached memory.max, and direct reclaim
	 * (which a cgroup's reclaim is to the shrinker) evicted.
	 */
	igt_assert_lt(0, max_events);
	igt_assert_lt_u64(s0.evicted_by_direct, s1.evicted_by_direct);
	igt_assert_eq_u64(s1.evicted_by_other, s0.evicted_by_other);
}


/*
 * evict-after-swapoff: A's mapped WILLNEED vgem BOs, kept mapped until the
 * parent says, then checked word for word.
 */
static void xsb_child(enum xdev dev, int up, int down)
{
	uint32_t *map[XME_A_BOS];
	struct xbo bo[XME_A_BOS];

	xmc_join(XMC_ROOT "/A");
	xme_bos(bo, map, XME_A_BOS, XME_A_PAGES, 0xc00);
	xmc_send(up, 0);
	if (xmc_recv(down) < 0)
		_exit(24);
	xmc_send(up, xme_bad(bo, map, XME_A_BOS, XME_A_PAGES, 0xc00));
	_exit(0);
}

#define XSB_SWAPPINESS "/proc/sys/vm/swappiness"

/* The swappiness evict-swappiness found, put back at exit if it failed. */
static int xsb_was = -1;

static void xsb_restore(void)
{
	char value[16];

	if (xsb_was < 0)
		return;
	snprintf(value, sizeof(value), "%d", xsb_was);
	shrinker_write(XSB_SWAPPINESS, value);
	xsb_was = -1;
}

/*
 * evict-after-swapoff (@swappiness false) and evict-swappiness: A's mapped
 * idle WILLNEED vgem BOs; memory.reclaim of A while nothing may be
 * evicted (swap off, or vm.swappiness 0 with swap on), then again with
 * swap on and the swappiness as it was, which must evict them.
 */
static void xsb_run(bool swappiness)
{
	int up, down, bad, status, was = 0;
	struct shrinker_stats s0, s1, s2;
	int64_t before, noswap, after;
	pid_t a;

	xmc_reap();
	shrinker_zram_off();
	xmc_setup(true);
	igt_assert_eq(shrinker_write(XMC_ROOT "/A/memory.max", "max"), 0);
	shrinker_stats_device(xfd[XDEV_VGEM], &s0);
	a = xmc_start(xsb_child, XDEV_VGEM, 1, &up, &down);
	igt_assert_eq(xmc_recv(up), 0);
	before = xmc_value(XMC_ROOT "/A/memory.current");

	if (swappiness) {
		was = (int)xmc_value(XSB_SWAPPINESS);
		igt_assert_lt(0, was);
		shrinker_zram_on("256M");
		xsb_was = was;
		igt_assert_eq(shrinker_write(XSB_SWAPPINESS, "0"), 0);
	}
	/* Nothing may be evicted; EAGAIN if it fell short. */
	shrinker_write(XMC_ROOT "/A/memory.reclaim", "64M");
	noswap = xmc_value(XMC_ROOT "/A/memory.current");
	shrinker_stats_device(xfd[XDEV_VGEM], &s1);
	if (swappiness) {
		xsb_restore();
		igt_assert_eq(xmc_value(XSB_SWAPPINESS), was);
	} else {
		shrinker_zram_on("256M");
	}
	shrinker_write(XMC_ROOT "/A/memory.reclaim", "64M");
	after = xmc_value(XMC_ROOT "/A/memory.current");
	shrinker_stats_device(xfd[XDEV_VGEM], &s2);

	xmc_send(down, 0);
	bad = xmc_recv(up);
	igt_assert_eq(waitpid(a, &status, 0), a);
	xmc_pids[1] = 0;
	xmc_reap();
	xmc_rmdir_all();
	shrinker_zram_off();
	igt_info("vgem: A at %" PRId64 " KiB, %" PRId64 " KiB after memory.reclaim "
		 "%s (evicted %" PRIu64 " BOs), %" PRId64 " KiB after it with "
		 "swap%s; evicted %" PRIu64 " BOs (direct %" PRIu64 "); %d words "
		 "wrong\n", before >> 10, noswap >> 10,
		 swappiness ? "with swappiness 0" : "without swap",
		 s1.evicted_objects - s0.evicted_objects, after >> 10,
		 swappiness ? " and swappiness back" : "",
		 s2.evicted_objects - s1.evicted_objects,
		 s2.evicted_by_direct - s1.evicted_by_direct, bad);
	igt_assert_eq(status, 0);
	igt_assert_eq(bad, 0);
	igt_assert_eq_u64(s1.evicted_objects, s0.evicted_objects);
	/* memory.reclaim reclaims in the writer's task: direct reclaim. */
	igt_assert_lt_u64(s1.evicted_by_direct, s2.evicted_by_direct);
	igt_assert_lt(after, before / 2);
}

/* The dma-buf of @bo. */
static int xdb_export(struct xbo *bo)
{
	struct drm_prime_handle prime = {
		.handle = bo->handle, .flags = DRM_CLOEXEC | DRM_RDWR,
	};

	do_ioctl(xfd[bo->dev], DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime);
	return prime.fd;
}

/* A CPU mapping of the dma-buf @fd of @size bytes. */
static uint32_t *xdb_mmap(int fd, uint32_t size)
{
	uint32_t *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			     fd, 0);

	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

/* The handle of dma-buf @fd on device @dev. */
static uint32_t xdb_import(enum xdev dev, int fd)
{
	struct drm_prime_handle prime = { .fd = fd };

	do_ioctl(xfd[dev], DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime);
	return prime.handle;
}

/* Memory pressure: a hog of all the memory available, with swap. */
static void xdb_hog(void)
{
	int status = shrinker_run_hog(shrinker_meminfo("MemAvailable"));

	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the hog did not finish (status %#x)\n", status);
}

enum { XDB_PAGES = 64, XDB_BOS = 3 };

/*
 * dmabuf-<device>: every way to bring a BO whose dma-buf is mapped back
 * to the shrinker, after its GEM handles are closed, then scans that may
 * evict and a hog; the words read back through the dma-buf mapping.
 * BOs 0 and 1 are mapped through the dma-buf before their handle goes,
 * BO 2 only after (its pages then come through the dma-buf's mmap).
 */
static void xdb_run(enum xdev d)
{
	uint32_t *dmap[XDB_BOS], *cmap, h;
	struct shrinker_stats s0, s1;
	struct xbo bo[XDB_BOS], ctl;
	int dfd[XDB_BOS];
	uint64_t bad = 0;

	shrinker_zram_on("512M");
	for (int i = 0; i < XDB_BOS; i++) {
		uint32_t *gmap;

		bo[i] = xbo_create(d, XDB_PAGES);
		gmap = xbo_map_raw(&bo[i]);
		xev_fill(gmap, 0xd00 + i, XDB_PAGES);
		munmap(gmap, bo[i].size);
		dfd[i] = xdb_export(&bo[i]);
		if (i < 2)
			dmap[i] = xdb_mmap(dfd[i], bo[i].size);
		/* The last GEM handle goes: obj->dma_buf is cleared. */
		xbo_close(&bo[i]);
		if (i == 2)
			dmap[i] = xdb_mmap(dfd[i], bo[i].size);
		igt_assert_eq_u64(xev_mismatches(dmap[i], 0xd00 + i, XDB_PAGES), 0);
	}
	/* A control: the same, never shared, which reclaim does evict. */
	ctl = xbo_create(d, XDB_PAGES);
	cmap = xbo_map_raw(&ctl);
	xev_fill(cmap, 0xdc0, XDB_PAGES);
	shrinker_stats_device(xfd[d], &s0);

	for (int i = 0; i < 2; i++) {
		struct xbo self = bo[i];
		uint32_t *gmap;

		/*
		 * Another device attaches and detaches the dma-buf: vgem
		 * imports virtio-gpu's; virtio-gpu imports only blob
		 * dma-bufs, which QEMU 7.2 cannot make, so vgem's own are
		 * attached by nobody else here.
		 */
		if (d != XDEV_VGEM) {
			h = xdb_import(XDEV_VGEM, dfd[i]);
			gem_close(xfd[XDEV_VGEM], h);
		}
		/*
		 * A self-import: the same object, a new handle; madvise both
		 * ways, a GEM mapping made and dropped (pages in, out of use),
		 * a use by the device (fence or transfer).
		 */
		self.handle = xdb_import(d, dfd[i]);
		igt_assert_eq(xbo_madvise(&self, 1), 1);
		igt_assert_eq(xbo_madvise(&self, 0), 1);
		gmap = xbo_map_raw(&self);
		igt_assert_eq_u64(xev_mismatches(gmap, 0xd00 + i, XDB_PAGES), 0);
		munmap(gmap, self.size);
		if (d == XDEV_VGEM) {
			struct drm_vgem_fence_attach attach = {
				.handle = self.handle, .flags = VGEM_FENCE_WRITE,
			};
			struct drm_vgem_fence_signal signal = {};

			do_ioctl(xfd[d], DRM_IOCTL_VGEM_FENCE_ATTACH, &attach);
			signal.fence = attach.out_fence;
			do_ioctl(xfd[d], DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal);
		} else {
			xbo_to_host(&self);
		}
		/* BO 1 stays DONTNEED through the handle of the self-import. */
		if (i == 1)
			xbo_dontneed(&self);
		bo[i].handle = self.handle;
	}

	shrinker_scan_evicts(true);
	shrinker_scan(UINT32_MAX);
	shrinker_scan_evicts(false);
	xdb_hog();
	shrinker_scan(UINT32_MAX);
	shrinker_pending_settle();
	shrinker_stats_device(xfd[d], &s1);

	for (int i = 0; i < XDB_BOS; i++)
		bad += xev_mismatches(dmap[i], 0xd00 + i, XDB_PAGES);
	/* The DONTNEED one was not purged either. */
	igt_assert_eq(xbo_madvise(&bo[1], 0), 1);
	igt_info("%s: %" PRIu64 " words wrong through the dma-buf mappings; "
		 "evicted %" PRIu64 " (kswapd %" PRIu64 ", direct %" PRIu64
		 ", other %" PRIu64 "), purged %" PRIu64 ", skipped as shared %"
		 PRIu64 "\n", xdev_names[d], bad,
		 s1.evicted_objects - s0.evicted_objects,
		 s1.evicted_by_kswapd - s0.evicted_by_kswapd,
		 s1.evicted_by_direct - s0.evicted_by_direct,
		 s1.evicted_by_other - s0.evicted_by_other,
		 s1.purged_objects - s0.purged_objects,
		 s1.skipped_dmabuf - s0.skipped_dmabuf);
	igt_assert_eq_u64(bad, 0);
	igt_assert_eq_u64(xev_mismatches(cmap, 0xdc0, XDB_PAGES), 0);
	/* The control was evicted (once), the shared BOs not; none purged. */
	igt_assert_lt_u64(s0.evicted_objects, s1.evicted_objects);
	igt_assert_eq_u64(s1.purged_objects, s0.purged_objects);
	igt_assert_eq_u64(s1.evicted_objects - s0.evicted_objects, 1);

	munmap(cmap, ctl.size);
	xbo_close(&ctl);
	for (int i = 0; i < XDB_BOS; i++) {
		munmap(dmap[i], XDB_PAGES * XBO_PAGE);
		close(dfd[i]);
		/* BO 2 has no handle any more. */
		if (i < 2)
			xbo_close(&bo[i]);
	}
	shrinker_zram_off();
}

static void xmc_run(enum xdev dev)
{
	int a_up, a_down, b_up, b_down, status, purged, purged2, used_kib;
	struct shrinker_stats s0, s1;
	unsigned long ino_root;
	int64_t oom, lacked;
	char pid[32];
	pid_t a, b;

	xmc_reap();
	xmc_setup(false);
	shrinker_stats_device(xfd[dev], &s0);

	b = xmc_start(xmc_child_b, dev, 0, &b_up, &b_down);
	igt_assert_eq(xmc_recv(b_up), 0);
	a = xmc_start(xmc_child_a, dev, 1, &a_up, &a_down);
	used_kib = xmc_recv(a_up);
	igt_assert_lt(0, used_kib);
	purged = xmc_recv(a_up);
	oom = xmc_key(XMC_ROOT "/A/memory.events", "oom_kill");
	igt_info("%s: A used %d KiB before its hog; oom_kill %" PRId64 "\n",
		 xdev_names[dev], used_kib, oom);
	if (getenv("DRM_SHRINKER_EXPECT_OOM")) {
		/*
		 * Booted with drm.shrinker=0 (the control), or with
		 * cgroup.memory=nokmem, where no cgroup's reclaim reaches
		 * a BO: A must die.
		 */
		igt_assert_f(purged < 0 && oom > 0,
			     "%s: with no BO within reach of A's reclaim (DRM_SHRINKER_EXPECT_OOM), the process at A's limit was not OOM-killed (oom_kill %" PRId64 "): this test could not fail\n",
			     xdev_names[dev], oom);
		igt_assert_eq(waitpid(a, &status, 0), a);
		xmc_pids[1] = 0;
		igt_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		/*
		 * Without kernel memory accounting B's DONTNEED BOs are on
		 * the root's lists: global reclaim still sees them.
		 */
		if (!strcmp(getenv("DRM_SHRINKER_EXPECT_OOM"), "nokmem"))
			igt_assert_lte_u64(XMC_B_BOS * XMC_B_PAGES,
					   xmc_count(xmc_ino("/sys/fs/cgroup")));
		xmc_send(b_down, 0);
		igt_assert_eq(waitpid(b, &status, 0), b);
		xmc_pids[0] = 0;
		igt_assert_eq(status, 0);
		xmc_reap();
		xmc_rmdir_all();
		return;
	}
	igt_assert_f(purged >= 0 && oom == 0,
		     "%s: the process at A's limit was OOM-killed (oom_kill %" PRId64 ")\n",
		     xdev_names[dev], oom);
	/* What A lacked: its usage plus the hog, past its limit. */
	lacked = ((int64_t)used_kib << 10) + XMC_HOG - (int64_t)XMC_LIMIT;
	igt_info("%s: A lacked %" PRId64 " KiB, %d of %d BOs (%d KiB) purged: %.2fx\n",
		 xdev_names[dev], lacked >> 10, purged, XMC_A_BOS,
		 purged * XMC_A_PAGES * 4,
		 lacked > 0 ? (double)purged * XMC_A_PAGES * XBO_PAGE / lacked : 0.0);
	igt_assert_lt(0, purged);

	/* B's BOs: every one kept, with its words. */
	xmc_send(b_down, 0);
	igt_assert_eq(waitpid(b, &status, 0), b);
	xmc_pids[0] = 0;
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "%s: B's BOs were touched by A's pressure (status %#x)\n",
		     xdev_names[dev], status);

	/* Purges the host finishes count when done. */
	shrinker_pending_settle();
	shrinker_stats_device(xfd[dev], &s1);
	igt_info("%s: purged by direct reclaim %" PRIu64
		 ", kswapd %" PRIu64 ", other %" PRIu64 "\n", xdev_names[dev],
		 s1.purged_by_direct - s0.purged_by_direct,
		 s1.purged_by_kswapd - s0.purged_by_kswapd,
		 s1.purged_by_other - s0.purged_by_other);
	/*
	 * A's own limit did it: A reached memory.max, and direct reclaim
	 * (which a cgroup's reclaim is to the shrinker) purged.
	 */
	igt_assert_lt(0, xmc_key(XMC_ROOT "/A/memory.events", "max"));
	igt_assert_lt_u64(s0.purged_by_direct, s1.purged_by_direct);
	igt_assert_eq_u64(s1.purged_by_other, s0.purged_by_other);

	/*
	 * A's process moves out and A goes: its remaining BOs are counted
	 * under the parent, whose reclaim purges them.
	 */
	igt_assert_eq(xmc_recv(a_up), 0);
	snprintf(pid, sizeof(pid), "%d", a);
	igt_assert_eq(shrinker_write("/sys/fs/cgroup/cgroup.procs", pid), 0);
	igt_assert_eq(rmdir(XMC_ROOT "/A"), 0);
	/* The cgroup goes offline, and hands its lists over, a bit later. */
	ino_root = xmc_ino(XMC_ROOT);
	igt_info("%s: after A went, its parent counts %" PRIu64 "\n",
		 xdev_names[dev], xmc_count_settle(ino_root));
	igt_assert_lt_u64(0, xmc_count(ino_root));
	/* Proactive reclaim of the parent: may fall short (EAGAIN). */
	shrinker_write(XMC_ROOT "/memory.reclaim", "4M");
	xmc_send(a_down, 0);
	purged2 = xmc_recv(a_up);
	igt_assert_eq(waitpid(a, &status, 0), a);
	xmc_pids[1] = 0;
	igt_info("%s: the parent's reclaim purged %d of A's %d remaining BOs\n",
		 xdev_names[dev], purged2, XMC_A2_BOS);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "%s: A failed (status %#x)\n", xdev_names[dev], status);
	igt_assert_lt(0, purged2);
	xmc_reap();
	xmc_rmdir_all();
}

/*
 * count-pages-per-cgroup: two sibling cgroups without limits, swap
 * allowed; A holds one large DONTNEED BO, B many small ones, each beside
 * anonymous memory of its own.
 */
#define XPC_A_PAGES 16384	/* one BO of 64 MiB */
#define XPC_B_BOS 512
#define XPC_B_PAGES 16		/* 512 BOs of 64 KiB: 32 MiB */
#define XPC_ANON (32 << 20)
#define XPC_RECLAIM "16M"

/*
 * In a child: join @cg, make @n vgem BOs of @pages pages, filled and
 * DONTNEED (the parent holds them through the shared DRM file, and gets
 * their handles), then @XPC_ANON of anonymous memory, filled; once told,
 * report the words of it that are not what they were.
 */
static void xpc_child(const char *cg, int n, unsigned int pages, int up,
		      int down)
{
	uint32_t *anon;
	uint64_t bad;

	xmc_join(cg);
	for (int i = 0; i < n; i++) {
		struct xbo bo = xbo_create(XDEV_VGEM, pages);
		uint32_t *map = xbo_map_raw(&bo);

		xev_fill(map, 0xc00 + i, pages);
		munmap(map, bo.size);
		if (xbo_madvise(&bo, 1) != 1)
			_exit(20);
		xmc_send(up, (int)bo.handle);
	}
	anon = mmap(NULL, XPC_ANON, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		_exit(25);
	xev_fill(anon, 0xa0, XPC_ANON / XBO_PAGE);
	xmc_send(up, 0);
	if (xmc_recv(down) < 0)
		_exit(24);
	bad = xev_mismatches(anon, 0xa0, XPC_ANON / XBO_PAGE);
	xmc_send(up, bad > INT_MAX ? INT_MAX : (int)bad);
	_exit(0);
}

static void xpc_child_a(enum xdev dev, int up, int down)
{
	xpc_child(XMC_ROOT "/A", 1, XPC_A_PAGES, up, down);
}

static void xpc_child_b(enum xdev dev, int up, int down)
{
	xpc_child(XMC_ROOT "/B", XPC_B_BOS, XPC_B_PAGES, up, down);
}

/*
 * Cgroup @name (A or B) with @n BOs of @pages pages: its count is its own
 * pages, and its memory.reclaim purges its BOs rather than swap its
 * anonymous memory.
 */
static void xpc_check(const char *name, int n, unsigned int pages)
{
	char dir[64], path[128];
	struct shrinker_stats s0, s1;
	uint64_t count, want = (uint64_t)n * pages, purged;
	int64_t swap0, swap1;

	snprintf(dir, sizeof(dir), XMC_ROOT "/%s", name);
	count = xmc_count(xmc_ino(dir));
	igt_info("%s: %d BOs of %u pages: counted %" PRIu64 " pages of %" PRIu64 "\n",
		 name, n, pages, count, want);
	/* Within 1%: DONTNEED BOs are counted whole, in pages. */
	igt_assert_f(count * 100 >= want * 99 && count * 100 <= want * 101,
		     "%s counts %" PRIu64 " pages, holds %" PRIu64 "\n",
		     name, count, want);

	snprintf(path, sizeof(path), "%s/memory.swap.current", dir);
	swap0 = xmc_value(path);
	shrinker_stats_device(xfd[XDEV_VGEM], &s0);
	snprintf(path, sizeof(path), "%s/memory.reclaim", dir);
	/* May fall short (EAGAIN); what it took is measured below. */
	shrinker_write(path, XPC_RECLAIM);
	shrinker_stats_device(xfd[XDEV_VGEM], &s1);
	snprintf(path, sizeof(path), "%s/memory.swap.current", dir);
	swap1 = xmc_value(path);
	purged = s1.purged_pages - s0.purged_pages;
	igt_info("%s: memory.reclaim %s purged %" PRIu64 " KiB of BOs (%" PRIu64
		 " by direct reclaim), swapped %" PRId64 " KiB; counts %" PRIu64 " pages now\n",
		 name, XPC_RECLAIM, purged * 4,
		 s1.purged_by_direct - s0.purged_by_direct,
		 (swap1 - swap0) >> 10, xmc_count(xmc_ino(dir)));
	igt_assert(swap0 >= 0 && swap1 >= swap0);
	/* Its own BOs, before its anonymous memory. */
	igt_assert_lt_u64(0, purged);
	igt_assert_f((uint64_t)(swap1 - swap0) * 4 <= purged * XBO_PAGE,
		     "%s: swapped %" PRId64 " KiB for %" PRIu64 " KiB purged\n",
		     name, (swap1 - swap0) >> 10, purged * 4);
}

static void xpc_run(void)
{
	int a_up, a_down, b_up, b_down, status;
	uint32_t ha[1], hb[XPC_B_BOS];
	pid_t a, b;

	igt_require(xfd[XDEV_VGEM] >= 0);
	xmc_reap();
	shrinker_zram_on("256M");
	xmc_setup(true);
	for (const char *cg = "AB"; *cg; cg++) {
		char path[128];

		snprintf(path, sizeof(path), XMC_ROOT "/%c/memory.max", *cg);
		igt_assert_eq(shrinker_write(path, "max"), 0);
	}

	a = xmc_start(xpc_child_a, XDEV_VGEM, 1, &a_up, &a_down);
	b = xmc_start(xpc_child_b, XDEV_VGEM, 0, &b_up, &b_down);
	ha[0] = xmc_recv(a_up);
	igt_assert_eq(xmc_recv(a_up), 0);
	for (int i = 0; i < XPC_B_BOS; i++)
		hb[i] = xmc_recv(b_up);
	igt_assert_eq(xmc_recv(b_up), 0);

	xpc_check("A", 1, XPC_A_PAGES);
	xpc_check("B", XPC_B_BOS, XPC_B_PAGES);

	/* Whatever went to swap comes back with its words. */
	xmc_send(a_down, 0);
	xmc_send(b_down, 0);
	igt_assert_eq(xmc_recv(a_up), 0);
	igt_assert_eq(xmc_recv(b_up), 0);
	igt_assert_eq(waitpid(a, &status, 0), a);
	igt_assert_eq(waitpid(b, &status, 0), b);
	xmc_pids[0] = xmc_pids[1] = 0;
	xmc_reap();
	for (int i = 0; i < 1; i++)
		xbo_close(&(struct xbo){ .dev = XDEV_VGEM, .handle = ha[i] });
	for (int i = 0; i < XPC_B_BOS; i++)
		xbo_close(&(struct xbo){ .dev = XDEV_VGEM, .handle = hb[i] });
	xmc_rmdir_all();
	shrinker_zram_off();
}

/*
 * cgroup-id-reuse: a removed cgroup's BOs stay listed under its parent
 * while a new cgroup, which most likely gets the removed one's memory
 * cgroup ID (the lowest free one), lists its own: each is counted where
 * it is, and scans and frees of both leave nothing counted.
 */
#define XID_OLD_BOS 8
#define XID_OLD_PAGES 16
#define XID_NEW_BOS 4
#define XID_NEW_PAGES 64

/* In a child: join @cg, make @n DONTNEED vgem BOs, send their handles. */
static void xid_child(const char *cg, int n, unsigned int pages, int up,
		      int down)
{
	xmc_join(cg);
	for (int i = 0; i < n; i++)
		xmc_send(up, (int)xmc_bo(XDEV_VGEM, pages, 0x1d0 + i));
	xmc_send(up, 0);
	if (xmc_recv(down) < 0)
		_exit(24);
	_exit(0);
}

static void xid_child_old(enum xdev dev, int up, int down)
{
	xid_child(XMC_ROOT "/A", XID_OLD_BOS, XID_OLD_PAGES, up, down);
}

static void xid_child_new(enum xdev dev, int up, int down)
{
	xid_child(XMC_ROOT "/A", XID_NEW_BOS, XID_NEW_PAGES, up, down);
}

/* Fork @child, take the handles of its @n BOs into @h, let it go. */
static void xid_make(void (*child)(enum xdev, int, int), int n, uint32_t *h)
{
	int up, down, status;
	pid_t pid = xmc_start(child, XDEV_VGEM, 1, &up, &down);

	for (int i = 0; i < n; i++)
		h[i] = xmc_recv(up);
	igt_assert_eq(xmc_recv(up), 0);
	xmc_send(down, 0);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	xmc_pids[1] = 0;
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "child failed (status %#x)\n", status);
	xmc_reap();
}

static void xid_run(void)
{
	uint32_t old[XID_OLD_BOS], new[XID_NEW_BOS];
	uint64_t count, root;
	unsigned long ino;

	igt_require(xfd[XDEV_VGEM] >= 0);
	xmc_reap();
	xmc_setup(false);

	/* A's BOs outlive A: this process holds them through its file. */
	xid_make(xid_child_old, XID_OLD_BOS, old);
	igt_assert_eq_u64(xmc_count(xmc_ino(XMC_ROOT "/A")),
			  XID_OLD_BOS * XID_OLD_PAGES);
	igt_assert_eq(rmdir(XMC_ROOT "/A"), 0);
	/* A goes offline, and hands its lists over, a bit later. */
	root = xmc_count_settle(xmc_ino(XMC_ROOT));
	igt_info("after A went, its parent counts %" PRIu64 " pages\n", root);
	igt_assert_lte_u64(XID_OLD_BOS, root);

	/* A new A, most likely with the old one's ID, and BOs of its own. */
	igt_assert_eq(mkdir(XMC_ROOT "/A", 0755), 0);
	xid_make(xid_child_new, XID_NEW_BOS, new);
	ino = xmc_ino(XMC_ROOT "/A");
	count = xmc_count(ino);
	igt_info("the new A counts %" PRIu64 " pages of its %d; the parent %" PRIu64 "\n",
		 count, XID_NEW_BOS * XID_NEW_PAGES, xmc_count(xmc_ino(XMC_ROOT)));
	igt_assert_eq_u64(count, XID_NEW_BOS * XID_NEW_PAGES);

	/* Scans meet both kinds; frees take the rest off. */
	shrinker_scan(XID_OLD_BOS * XID_OLD_PAGES / 2);
	for (int i = 0; i < XID_OLD_BOS; i += 2)
		xbo_close(&(struct xbo){ .dev = XDEV_VGEM, .handle = old[i] });
	shrinker_scan(XID_NEW_BOS * XID_NEW_PAGES / 2);
	for (int i = 1; i < XID_OLD_BOS; i += 2)
		xbo_close(&(struct xbo){ .dev = XDEV_VGEM, .handle = old[i] });
	for (int i = 0; i < XID_NEW_BOS; i++)
		xbo_close(&(struct xbo){ .dev = XDEV_VGEM, .handle = new[i] });
	igt_assert_eq_u64(xmc_count(ino), 0);
	igt_assert_eq_u64(xmc_count(xmc_ino(XMC_ROOT)), 0);
	xmc_rmdir_all();
}

/*
 * removed-cgroup-released: a removed cgroup whose DONTNEED BOs are still
 * open is freed while they stay listed under its parent: the shrinker's
 * counts hold the cgroup's obj_cgroup, which follows the BOs to the
 * parent, not the cgroup. A control comes first: the same BOs exported as
 * dma-bufs, which the shrinker never lists. If the kernel keeps that
 * cgroup (a kernel whose folios hold their cgroup, as 6.12's do), what
 * the shrinker holds cannot be told apart and the subtest skips.
 */
#define XRL_BOS 8
#define XRL_PAGES 16

/* The removed cgroups under XMC_ROOT not yet freed, after up to 30 s. */
static int64_t xrl_dying_settle(void)
{
	int64_t dying = -1;

	for (int i = 0; i < 300; i++) {
		dying = xmc_key(XMC_ROOT "/cgroup.stat", "nr_dying_descendants");
		if (dying <= 0)
			break;
		usleep(100000);
	}
	return dying;
}

/* In a child: join A, make DONTNEED vgem BOs, exported if @share. */
static void xrl_child(bool share, int up, int down)
{
	xmc_join(XMC_ROOT "/A");
	for (int i = 0; i < XRL_BOS; i++) {
		uint32_t handle = xmc_bo(XDEV_VGEM, XRL_PAGES, 0x2e0 + i);

		if (share) {
			struct drm_prime_handle prime = {
				.handle = handle, .flags = DRM_CLOEXEC,
			};

			if (ioctl(xfd[XDEV_VGEM], DRM_IOCTL_PRIME_HANDLE_TO_FD,
				  &prime))
				_exit(25);
			close(prime.fd);
		}
		xmc_send(up, (int)handle);
	}
	xmc_send(up, 0);
	if (xmc_recv(down) < 0)
		_exit(24);
	_exit(0);
}

static void xrl_child_shared(enum xdev dev, int up, int down)
{
	xrl_child(true, up, down);
}

static void xrl_child_listed(enum xdev dev, int up, int down)
{
	xrl_child(false, up, down);
}

static void xrl_close(uint32_t *h)
{
	for (int i = 0; i < XRL_BOS; i++)
		xbo_close(&(struct xbo){ .dev = XDEV_VGEM, .handle = h[i] });
}

static void xrl_run(void)
{
	unsigned long root_ino;
	uint32_t h[XRL_BOS];
	int64_t dying;
	uint64_t root;

	igt_require(xfd[XDEV_VGEM] >= 0);
	xmc_reap();
	xmc_setup(false);
	root_ino = xmc_ino(XMC_ROOT);
	igt_assert_eq(xrl_dying_settle(), 0);

	/* The control: BOs the shrinker does not list outlive A. */
	xid_make(xrl_child_shared, XRL_BOS, h);
	igt_assert_eq_u64(xmc_count(xmc_ino(XMC_ROOT "/A")), 0);
	igt_assert_eq(rmdir(XMC_ROOT "/A"), 0);
	dying = xrl_dying_settle();
	igt_info("control: %" PRId64 " removed cgroups left\n", dying);
	xrl_close(h);
	if (dying) {
		xmc_rmdir_all();
		igt_skip("a removed cgroup lingers for BOs the shrinker does not list\n");
	}

	/* The same BOs, listed: A must go all the same. */
	igt_assert_eq(mkdir(XMC_ROOT "/A", 0755), 0);
	xid_make(xrl_child_listed, XRL_BOS, h);
	igt_assert_eq_u64(xmc_count(xmc_ino(XMC_ROOT "/A")),
			  XRL_BOS * XRL_PAGES);
	igt_assert_eq(rmdir(XMC_ROOT "/A"), 0);
	dying = xrl_dying_settle();
	root = xmc_count(root_ino);
	igt_info("listed: %" PRId64 " removed cgroups left; the parent counts %" PRIu64 " pages\n",
		 dying, root);
	igt_assert_eq(dying, 0);
	/* Listed under the parent, each counted at least as a page. */
	igt_assert_lte_u64(XRL_BOS, root);
	/* A use moves each one's pages onto the parent's counts. */
	for (int i = 0; i < XRL_BOS; i++) {
		struct xbo bo = { .dev = XDEV_VGEM, .handle = h[i] };

		igt_assert_eq(xbo_madvise(&bo, 1), 1);
	}
	root = xmc_count(root_ino);
	igt_info("after a use, the parent counts %" PRIu64 " pages\n", root);
	igt_assert_eq_u64(root, XRL_BOS * XRL_PAGES);
	xrl_close(h);
	igt_assert_eq_u64(xmc_count(root_ino), 0);
	xmc_rmdir_all();
}

/* Nodes with memory in the guest. */
static int xnuma_nodes(void)
{
	int n = 0;

	while (n < 64) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK))
			break;
		n++;
	}
	return n;
}

/* What the count file says for cgroup @ino on node @nid. */
static uint64_t xnuma_count(unsigned long ino, int nid)
{
	uint64_t per_node[64];

	return shrinker_count_read(ino, per_node, 64) > nid ? per_node[nid] : 0;
}

static void xnuma_scan(unsigned long ino, int nid, uint64_t pages)
{
	char path[PATH_MAX + 16], cmd[64];
	int fd, len;

	snprintf(path, sizeof(path), "%s/scan", shrinker_debugfs_dir());
	fd = open(path, O_WRONLY);
	igt_assert(fd >= 0);
	len = snprintf(cmd, sizeof(cmd), "%lu %d %" PRIu64, ino, nid, pages);
	igt_assert_eq(write(fd, cmd, len), len);
	close(fd);
	shrinker_pending_settle();
}

/*
 * BOs of every device whose pages a memory policy put on node @nid: the
 * caller's policy is bound to @nid (MPOL_BIND) while they are made, and
 * restored after.
 */
static void xnuma_bos(struct xbo *bo, int n, int nid, unsigned int pages)
{
	unsigned long mask = 1ul << nid;

	igt_assert_eq(syscall(SYS_set_mempolicy, 2 /* MPOL_BIND */, &mask,
			      sizeof(mask) * 8), 0);
	for (int i = 0; i < n; i++) {
		bo[i] = xbo_create(i % XDEV_NR, pages);
		xbo_populate(&bo[i]);
		xbo_dontneed(&bo[i]);
	}
	igt_assert_eq(syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0), 0);
}

igt_main
{
	igt_fixture {
		xfd[XDEV_VIRTIO0] = shrinker_open_driver("virtio_gpu", 0);
		xfd[XDEV_VIRTIO1] = shrinker_open_driver("virtio_gpu", 1);
		xfd[XDEV_VGEM] = drm_open_driver(DRIVER_VGEM);
		igt_require_f(xfd[XDEV_VIRTIO0] >= 0 && xfd[XDEV_VIRTIO1] >= 0,
			      "needs two virtio-gpu devices\n");
		/* With drm.shrinker=0 (the memcg control run) there is none. */
		if (!getenv("DRM_SHRINKER_EXPECT_OOM"))
			igt_require(shrinker_debugfs_dir());
	}

	igt_describe("BOs marked DONTNEED in turn on virtio-gpu #1, vgem and "
		     "virtio-gpu #2: a scan of N pages purges exactly the BOs of "
		     "the oldest N pages, whichever driver owns them.");
	igt_subtest("interleaved") {
		struct xbo bo[9];
		unsigned int pages = 0, i;

		for (i = 0; i < ARRAY_SIZE(bo); i++) {
			bo[i] = xbo_create(i % XDEV_NR, 1 + i % 4);
			xbo_populate(&bo[i]);
		}
		for (i = 0; i < ARRAY_SIZE(bo); i++)
			xbo_dontneed(&bo[i]);
		for (i = 0; i < 5; i++)
			pages += bo[i].size / XBO_PAGE;
		shrinker_scan(pages);
		for (i = 0; i < ARRAY_SIZE(bo); i++) {
			igt_assert_f(xbo_purged(&bo[i]) == (i < 5),
				     "BO %u of %s %s\n", i, xdev_names[bo[i].dev],
				     i < 5 ? "kept" : "purged");
			xbo_close(&bo[i]);
		}
	}

	igt_describe("A vgem BO with an unsignaled fence is skipped and goes to "
		     "the tail of the LRU, as if just used; once the fence "
		     "signals, it is purged after the BOs that were newer.");
	igt_subtest("busy-skipped") {
		struct drm_vgem_fence_attach attach = { .flags = VGEM_FENCE_WRITE };
		struct drm_vgem_fence_signal signal = {};
		struct shrinker_stats before, after;
		struct xbo busy, other, last;

		busy = xbo_create(XDEV_VGEM, 2);
		other = xbo_create(XDEV_VIRTIO0, 1);
		last = xbo_create(XDEV_VIRTIO1, 1);
		xbo_populate(&busy);
		attach.handle = busy.handle;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_VGEM_FENCE_ATTACH, &attach);
		xbo_dontneed(&busy);
		xbo_dontneed(&other);
		xbo_dontneed(&last);

		shrinker_stats_device(xfd[XDEV_VGEM], &before);
		/* The busy BO (2 pages) and the next one. */
		shrinker_scan(3);
		shrinker_stats_device(xfd[XDEV_VGEM], &after);
		igt_assert_eq_u64(after.skipped_busy, before.skipped_busy + 1);
		igt_assert_eq_u64(after.purged_objects, before.purged_objects);
		igt_assert(xbo_purged(&other));

		signal.fence = attach.out_fence;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal);
		shrinker_scan(1);
		igt_assert(xbo_purged(&last));
		shrinker_scan(1);
		shrinker_stats_device(xfd[XDEV_VGEM], &after);
		igt_info("vgem after the last scan: purgeable %" PRIu64 ", busy %" PRIu64
			 ", contended %" PRIu64 ", purged %" PRIu64 "\n",
			 after.purgeable_objects, after.skipped_busy,
			 after.skipped_contended, after.purged_objects);
		igt_assert(xbo_purged(&busy));
		xbo_close(&busy);
		xbo_close(&other);
		xbo_close(&last);
	}

	igt_describe("A device with many more DONTNEED BOs does not keep the "
		     "others' older BOs from being reclaimed in LRU order.");
	igt_subtest("fairness") {
		struct xbo old0, old1, many[32];
		unsigned int i;

		old0 = xbo_create(XDEV_VIRTIO0, 1);
		old1 = xbo_create(XDEV_VIRTIO1, 1);
		xbo_dontneed(&old0);
		xbo_dontneed(&old1);
		for (i = 0; i < ARRAY_SIZE(many); i++) {
			many[i] = xbo_create(XDEV_VGEM, 1);
			xbo_populate(&many[i]);
			xbo_dontneed(&many[i]);
		}
		shrinker_scan(4);
		igt_assert(xbo_purged(&old0));
		igt_assert(xbo_purged(&old1));
		for (i = 0; i < ARRAY_SIZE(many); i++) {
			igt_assert_eq(xbo_purged(&many[i]), i < 2);
			xbo_close(&many[i]);
		}
		xbo_close(&old0);
		xbo_close(&old1);
	}

	igt_describe("The global statistics are the sums of the devices' and move "
		     "exactly as predicted; fdinfo counts the purgeable bytes.");
	igt_subtest("debugfs") {
		struct shrinker_stats g0, g1, d0[XDEV_NR], d1[XDEV_NR];
		uint64_t sum_objects = 0, sum_pages = 0, dpurged = 0, dscanned = 0;
		struct xbo bo[XDEV_NR];
		void *map;
		int64_t fdinfo0;

		for (int i = 0; i < XDEV_NR; i++)
			bo[i] = xbo_create(i, 2 + i);
		map = xbo_map(&bo[XDEV_VGEM]);
		fdinfo0 = shrinker_fdinfo(xfd[XDEV_VGEM], "drm-purgeable-memory");
		shrinker_stats_global(&g0);
		xdev_stats(d0);
		for (int i = 0; i < XDEV_NR; i++)
			xbo_dontneed(&bo[i]);
		shrinker_stats_global(&g1);
		xdev_stats(d1);
		for (int i = 0; i < XDEV_NR; i++) {
			igt_assert_eq_u64(d1[i].purgeable_objects,
					  d0[i].purgeable_objects + 1);
			igt_assert_eq_u64(d1[i].purgeable_pages,
					  d0[i].purgeable_pages + 2 + i);
			sum_objects += d1[i].purgeable_objects;
			sum_pages += d1[i].purgeable_pages;
		}
		/* Nothing else is on the LRU: the devices' sum is the whole. */
		igt_assert_eq_u64(g1.purgeable_objects, sum_objects);
		igt_assert_eq_u64(g1.purgeable_pages, sum_pages);
		igt_assert_eq_u64(g1.purgeable_pages, g0.purgeable_pages + 9);
		igt_assert_eq_u64(shrinker_fdinfo(xfd[XDEV_VGEM], "drm-purgeable-memory"),
				  (fdinfo0 < 0 ? 0 : fdinfo0) + bo[XDEV_VGEM].size);
		munmap(map, bo[XDEV_VGEM].size);

		shrinker_scan(UINT32_MAX);
		shrinker_stats_global(&g1);
		xdev_stats(d1);
		for (int i = 0; i < XDEV_NR; i++) {
			igt_assert_eq_u64(d1[i].purged_objects, d0[i].purged_objects + 1);
			igt_assert_eq_u64(d1[i].purged_pages, d0[i].purged_pages + 2 + i);
			igt_assert_eq_u64(d1[i].purgeable_objects, 0);
			dpurged += d1[i].purged_pages - d0[i].purged_pages;
			dscanned += d1[i].scanned_objects - d0[i].scanned_objects;
		}
		igt_assert_eq_u64(g1.purged_pages - g0.purged_pages, dpurged);
		igt_assert_eq_u64(g1.scanned_objects - g0.scanned_objects, dscanned);
		igt_assert_eq_u64(g1.purged_objects - g0.purged_objects, XDEV_NR);
		igt_assert_eq_u64(g1.purgeable_objects, 0);
		for (int i = 0; i < XDEV_NR; i++) {
			igt_assert(xbo_purged(&bo[i]));
			xbo_close(&bo[i]);
		}
	}

	igt_describe("A WILLNEED BO written through a mapping and unmapped keeps "
		     "its data over drop_caches: dropping the page cache (1) "
		     "must not take its pages as clean cache, and running every "
		     "shrinker (2) purges only the DONTNEED BOs next to it.");
	igt_subtest("willneed-survives-drop-caches") {
		struct xbo keep[XDEV_NR], drop[XDEV_NR];
		int fd;

		for (int i = 0; i < XDEV_NR; i++) {
			keep[i] = xbo_create(i, 4);
			drop[i] = xbo_create(i, 4);
			xbo_populate(&keep[i]);
			xbo_populate(&drop[i]);
			xbo_dontneed(&drop[i]);
		}
		/* One open each: sysctl ignores a write past offset 0. */
		for (const char *what = "12"; *what; what++) {
			fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
			igt_assert(fd >= 0);
			igt_assert_eq(write(fd, what, 1), 1);
			close(fd);
		}
		for (int i = 0; i < XDEV_NR; i++) {
			uint8_t *ptr;

			igt_assert_f(xbo_purged(&drop[i]),
				     "%s: drop_caches=2 did not purge a DONTNEED BO\n",
				     xdev_names[i]);
			igt_assert(!xbo_purged(&keep[i]));
			ptr = xbo_map_raw(&keep[i]);
			for (uint32_t j = 0; j < keep[i].size; j++)
				igt_assert_f(ptr[j] == 0x5a,
					     "%s: byte %u of a WILLNEED BO is %#x after drop_caches\n",
					     xdev_names[i], j, ptr[j]);
			munmap(ptr, keep[i].size);
			xbo_close(&keep[i]);
			xbo_close(&drop[i]);
		}
	}

	igt_describe("Memory pressure, not a scan started by hand, purges the "
		     "DONTNEED BOs of all three devices (kswapd and direct "
		     "reclaim), while another process keeps transferring a "
		     "WILLNEED BO on each virtio-gpu device: the memory hog is "
		     "not OOM-killed and the WILLNEED BOs keep every word.");
	igt_subtest("memory-pressure") {
		enum { MP_BOS = 16, MP_PAGES = 1024 };
		struct shrinker_stats s0[XDEV_NR], s1[XDEV_NR];
		struct xbo bos[XDEV_NR][MP_BOS];
		uint64_t hog_bytes;
		pid_t worker;
		int status;

		/* Interleaved on the LRU: any run of three holds every device. */
		for (int i = 0; i < MP_BOS; i++) {
			for (int d = 0; d < XDEV_NR; d++) {
				bos[d][i] = xbo_create(d, MP_PAGES);
				xbo_populate(&bos[d][i]);
				xbo_dontneed(&bos[d][i]);
			}
		}
		shrinker_pending_settle();
		xdev_stats(s0);

		worker = fork();
		igt_assert(worker >= 0);
		if (worker == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			xworker();
		}
		/* More than there is without the BOs: a third of them must go. */
		hog_bytes = shrinker_meminfo("MemAvailable") +
			    (uint64_t)XDEV_NR * MP_BOS * MP_PAGES * XBO_PAGE / 3;
		igt_info("hog: %" PRIu64 " MiB\n", hog_bytes >> 20);
		status = shrinker_run_hog(hog_bytes);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "the hog did not finish (status %#x): OOM-killed?\n", status);
		kill(worker, SIGTERM);
		igt_assert_eq(waitpid(worker, &status, 0), worker);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "the transferring worker failed (status %#x)\n", status);

		shrinker_pending_settle();
		xdev_stats(s1);
		for (int d = 0; d < XDEV_NR; d++) {
			uint64_t reclaim = s1[d].purged_by_kswapd + s1[d].purged_by_direct -
					   s0[d].purged_by_kswapd - s0[d].purged_by_direct;
			int purged = 0;

			for (int i = 0; i < MP_BOS; i++) {
				purged += xbo_purged(&bos[d][i]);
				xbo_close(&bos[d][i]);
			}
			igt_info("%s: %d of %d BOs purged; by kswapd %" PRIu64
				 ", direct %" PRIu64 ", other %" PRIu64 "\n",
				 xdev_names[d], purged, MP_BOS,
				 s1[d].purged_by_kswapd - s0[d].purged_by_kswapd,
				 s1[d].purged_by_direct - s0[d].purged_by_direct,
				 s1[d].purged_by_other - s0[d].purged_by_other);
			igt_assert_lt(0, purged);
			igt_assert_lt_u64(0, reclaim);
			/* Nobody started a scan by hand. */
			igt_assert_eq_u64(s1[d].purged_by_other, s0[d].purged_by_other);
			igt_assert_lte_u64(s0[d].purged_objects + purged,
					   s1[d].purged_objects);
		}
	}

	igt_describe("Idle WILLNEED vgem BOs held by a CPU mapping: without "
		     "swap the count leaves them out and a scan evicts none; "
		     "with swap on zram they are counted, a scan evicts them "
		     "but for one with an unsignaled fence and one exported "
		     "as a dma-buf, fdinfo counts them in drm-evicted-memory, "
		     "a fence attach brings one back, and every word reads "
		     "back through the mappings.");
	igt_subtest("evict-vgem") {
		enum { EV_BOS = 4, EV_PAGES = 64 };
		struct drm_vgem_fence_attach attach = { .flags = VGEM_FENCE_WRITE };
		struct drm_vgem_fence_signal signal = {};
		struct drm_prime_handle prime = { .flags = DRM_CLOEXEC };
		struct shrinker_stats s0, s1;
		uint64_t before, noswap, withswap;
		struct xbo bo[EV_BOS];
		uint32_t *map[EV_BOS];

		shrinker_zram_off();
		shrinker_scan(UINT32_MAX);
		/* Evicted by hand: the scans below may evict. */
		shrinker_scan_evicts(true);
		before = xev_count();
		for (int i = 0; i < EV_BOS; i++) {
			bo[i] = xbo_create(XDEV_VGEM, EV_PAGES);
			map[i] = xbo_map_raw(&bo[i]);
			xev_fill(map[i], i, EV_PAGES);
		}
		shrinker_stats_device(xfd[XDEV_VGEM], &s0);
		igt_assert_lte_u64(EV_BOS, s0.evictable_objects);

		/* No swap: not counted, not evicted. */
		noswap = xev_count();
		xev_scan(shrinker_memcg_ino());
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_assert_eq_u64(noswap, before);
		igt_assert_eq_u64(s1.evicted_objects, s0.evicted_objects);
		igt_assert_eq_u64(s1.evictable_objects, s0.evictable_objects);

		shrinker_zram_on("256M");
		withswap = xev_count();
		igt_info("count: %" PRIu64 " pages before, %" PRIu64
			 " without swap, %" PRIu64 " with swap\n",
			 before, noswap, withswap);
		/* Weighed as anon memory by the swappiness (default 60). */
		igt_assert_lte_u64(before + xev_weighed(EV_BOS * EV_PAGES), withswap);

		/*
		 * BO 3 is busy, BO 1 exported: never evicted. The exported
		 * one leaves the list at its export, the busy one stays.
		 */
		attach.handle = bo[3].handle;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_VGEM_FENCE_ATTACH, &attach);
		prime.handle = bo[1].handle;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime);
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_assert_eq_u64(s1.evictable_objects, s0.evictable_objects - 1);
		shrinker_scan(UINT32_MAX);
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_assert_eq_u64(s1.evicted_objects, s0.evicted_objects + 2);
		igt_assert_eq_u64(s1.evicted_pages, s0.evicted_pages + 2 * EV_PAGES);
		igt_assert_lte_u64(s0.skipped_busy + 1, s1.skipped_busy);
		igt_assert_eq_u64(s1.evictable_objects, s0.evictable_objects - 3);
		/* fdinfo: the two evicted BOs left drm-resident for drm-evicted. */
		igt_assert_eq(shrinker_fdinfo(xfd[XDEV_VGEM], "drm-evicted-memory"),
			      2 * EV_PAGES * XBO_PAGE);
		signal.fence = attach.out_fence;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal);

		/* A fence attach (the "device" uses it) brings BO 0 back. */
		attach.handle = bo[0].handle;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_VGEM_FENCE_ATTACH, &attach);
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_assert_eq_u64(s1.swapped_in_objects, s0.swapped_in_objects + 1);
		signal.fence = attach.out_fence;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal);

		/* A CPU fault brings BO 2 back; every word is intact. */
		for (int i = 0; i < EV_BOS; i++)
			igt_assert_eq_u64(xev_mismatches(map[i], i, EV_PAGES), 0);
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_assert_eq_u64(s1.swapped_in_objects, s0.swapped_in_objects + 2);
		igt_assert_eq_u64(s1.swapped_in_pages,
				  s0.swapped_in_pages + 2 * EV_PAGES);
		/* All back on the list but the exported one. */
		igt_assert_eq_u64(s1.evictable_objects, s0.evictable_objects - 1);
		igt_assert_eq(shrinker_fdinfo(xfd[XDEV_VGEM], "drm-evicted-memory"), 0);
		close(prime.fd);
		for (int i = 0; i < EV_BOS; i++) {
			munmap(map[i], bo[i].size);
			xbo_close(&bo[i]);
		}
		shrinker_scan_evicts(false);
		shrinker_zram_off();
	}

	igt_describe("Shared BOs are never evicted, with swap: a virtio-gpu BO "
		     "exported as a dma-buf stays, and its import into vgem is "
		     "never on vgem's evictable list, while an unshared BO of "
		     "the same file is evicted by the same scan.");
	igt_subtest("evict-never-shared") {
		int fd = shrinker_open_driver("virtio_gpu", 0), dmabuf;
		struct drm_prime_handle to_fd = { .flags = DRM_CLOEXEC };
		struct drm_prime_handle to_handle = {};
		struct shrinker_stats v0, v1;
		struct xbo shared, alone;
		int saved = xfd[XDEV_VIRTIO0];

		igt_assert(fd >= 0);
		/* A file of its own: its fdinfo shows only these BOs. */
		xfd[XDEV_VIRTIO0] = fd;
		shared = xbo_create(XDEV_VIRTIO0, 4);
		alone = xbo_create(XDEV_VIRTIO0, 4);
		xfd[XDEV_VIRTIO0] = saved;
		to_fd.handle = shared.handle;
		do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &to_fd);
		dmabuf = to_fd.fd;
		to_handle.fd = dmabuf;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_PRIME_FD_TO_HANDLE, &to_handle);

		shrinker_zram_on("64M");
		shrinker_stats_device(xfd[XDEV_VGEM], &v0);
		shrinker_scan_evicts(true);
		shrinker_scan(UINT32_MAX);
		shrinker_scan_evicts(false);
		shrinker_pending_settle();
		shrinker_stats_device(xfd[XDEV_VGEM], &v1);
		igt_info("virtio file: %" PRId64 " bytes evicted; vgem: %" PRIu64
			 " evicted, %" PRIu64 " evictable\n",
			 shrinker_fdinfo(fd, "drm-evicted-memory"),
			 v1.evicted_objects - v0.evicted_objects, v1.evictable_objects);
		igt_assert_eq(shrinker_fdinfo(fd, "drm-evicted-memory"), alone.size);
		igt_assert_eq_u64(v1.evicted_objects, v0.evicted_objects);
		shrinker_zram_off();

		gem_close(xfd[XDEV_VGEM], to_handle.handle);
		close(dmabuf);
		gem_close(fd, shared.handle);
		gem_close(fd, alone.handle);
		close(fd);
	}

	igt_describe("With swap on zram, mapped idle WILLNEED vgem BOs and a "
		     "DONTNEED one: drop_caches and the core MM's debugfs scan, "
		     "which are not memory reclaim, purge the DONTNEED BO and "
		     "evict nothing; with the DRM shrinker's "
		     "shrinker_scan_evicts switch on, the same scan evicts them, "
		     "and every word reads back.");
	igt_subtest("evict-only-in-reclaim") {
		enum { EO_BOS = 4, EO_PAGES = 64 };
		struct shrinker_stats s0, s1;
		struct xbo bo[EO_BOS], dn;
		uint32_t *map[EO_BOS];

		shrinker_zram_on("64M");
		for (int i = 0; i < EO_BOS; i++) {
			bo[i] = xbo_create(XDEV_VGEM, EO_PAGES);
			map[i] = xbo_map_raw(&bo[i]);
			xev_fill(map[i], 0xe00 + i, EO_PAGES);
		}
		dn = xbo_create(XDEV_VGEM, EO_PAGES);
		xbo_populate(&dn);
		xbo_dontneed(&dn);
		shrinker_stats_device(xfd[XDEV_VGEM], &s0);
		igt_assert_lte_u64(EO_BOS, s0.evictable_objects);

		igt_assert_eq(shrinker_write("/proc/sys/vm/drop_caches", "3"), 0);
		xev_scan(shrinker_memcg_ino());
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_info("drop_caches and a debugfs scan: evicted %" PRIu64
			 ", purged %" PRIu64 "\n",
			 s1.evicted_objects - s0.evicted_objects,
			 s1.purged_objects - s0.purged_objects);
		igt_assert_eq_u64(s1.evicted_objects, s0.evicted_objects);
		igt_assert_eq_u64(s1.evictable_objects, s0.evictable_objects);
		igt_assert(xbo_purged(&dn));

		shrinker_scan_evicts(true);
		xev_scan(shrinker_memcg_ino());
		shrinker_scan_evicts(false);
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_assert_lte_u64(s0.evicted_objects + EO_BOS, s1.evicted_objects);
		for (int i = 0; i < EO_BOS; i++) {
			igt_assert_eq_u64(xev_mismatches(map[i], 0xe00 + i, EO_PAGES), 0);
			munmap(map[i], bo[i].size);
			xbo_close(&bo[i]);
		}
		xbo_close(&dn);
		shrinker_zram_off();
	}

	igt_describe("In a new memory cgroup, a vgem BO that got its pages "
		     "while DONTNEED and was then marked WILLNEED stays on the "
		     "purgeable list, counted as evictable (the cgroup's count "
		     "outside reclaim is one page, for moving it); a scan of the "
		     "cgroup's lists moves it to the cgroup's evictable list, "
		     "which was allocated when the BO was listed, and with the "
		     "shrinker_scan_evicts switch on evicts it there, never "
		     "purges it; every word reads back.");
	igt_subtest("willneed-moves-in-cgroup")
		xwm_run();

	igt_describe("A scan that asks for 64 pages per node and evicts a "
		     "mapped, idle vgem BO of 64 MiB writes at most 64 pages "
		     "per node to swap at once (the rest wait for reclaim's "
		     "LRU scan), and every word reads back.");
	igt_subtest("evict-writes-what-asked") {
		enum { EW_PAGES = 16384, EW_ASK = 64 };
		struct shrinker_stats s0, s1;
		uint64_t out0, out1;
		uint32_t *map;
		struct xbo bo;

		shrinker_zram_on("256M");
		bo = xbo_create(XDEV_VGEM, EW_PAGES);
		map = xbo_map_raw(&bo);
		xev_fill(map, 0xf00, EW_PAGES);
		shrinker_stats_device(xfd[XDEV_VGEM], &s0);
		out0 = shrinker_vmstat("pswpout");
		shrinker_scan_evicts(true);
		xev_scan_pages(shrinker_memcg_ino(), EW_ASK);
		shrinker_scan_evicts(false);
		out1 = shrinker_vmstat("pswpout");
		shrinker_stats_device(xfd[XDEV_VGEM], &s1);
		igt_info("evicted %" PRIu64 " BO of %u pages; %" PRIu64
			 " pages written to swap by the scan asking %u\n",
			 s1.evicted_objects - s0.evicted_objects, EW_PAGES,
			 out1 - out0, EW_ASK);
		igt_assert_eq_u64(s1.evicted_objects, s0.evicted_objects + 1);
		igt_assert_lt_u64(out0, out1);
		/* Per node the scan was asked for: one node here, or two. */
		igt_assert_lte_u64(out1 - out0, 2 * EW_ASK);
		igt_assert_eq_u64(xev_mismatches(map, 0xf00, EW_PAGES), 0);
		munmap(map, bo.size);
		xbo_close(&bo);
		shrinker_zram_off();
	}

	igt_describe("A cgroup whose only BOs are mapped, idle WILLNEED vgem "
		     "BOs: memory.reclaim while swap is off (nothing can be "
		     "evicted), then swap on and memory.reclaim again evicts "
		     "them: the cgroup's shrinker bit was not cleared.");
	igt_subtest("evict-after-swapoff")
		xsb_run(false);

	igt_describe("The same BOs with swap on: memory.reclaim with "
		     "vm.swappiness 0 evicts none of them, as the cgroup's "
		     "reclaim then swaps no anon memory; with the swappiness "
		     "as it was, it evicts them.");
	igt_subtest("evict-swappiness")
		xsb_run(true);

	for (int d = 0; d < XDEV_NR; d++) {
		igt_describe("BOs exported as dma-bufs and mapped through them, "
			     "before or only after their GEM handles were "
			     "closed: vgem attaches and "
			     "detaches a virtio-gpu dma-buf, a self-import marks "
			     "them DONTNEED and WILLNEED, maps them, uses them "
			     "(fence or transfer), one stays DONTNEED; with swap, "
			     "scans that may evict and a memory hog evict an "
			     "unshared control BO but neither purge nor evict "
			     "the shared ones, whose words all read back through "
			     "the dma-buf mappings.");
		igt_subtest_f("dmabuf-%s", xdev_names[d])
			xdb_run(d);
	}

	igt_describe("Mapped, idle WILLNEED BOs of 1.5 times the guest's "
		     "memory, each page with its own pattern, on virtio-gpu 3D, "
		     "vgem and virtio-gpu 2D in turn: memory pressure (kswapd, "
		     "direct reclaim) evicts them to swap on zram on every "
		     "device, every word reads back (virtio BOs also after a "
		     "transfer to the host, which attaches them again), and "
		     "nothing is OOM-killed.");
	igt_subtest("evict-swap") {
		enum { ES_PAGES = 1024 };	/* 4 MiB BOs */
		uint64_t total = shrinker_meminfo("MemTotal") * 3 / 2;
		unsigned int n = total / (ES_PAGES * XBO_PAGE), i;
		struct shrinker_stats s0[XDEV_NR], s1[XDEV_NR];
		uint64_t bad = 0, oom0, zswpout0;
		struct xbo *bo;
		uint32_t **map;
		char disksize[32];
		bool zswap = false;
		FILE *f;

		snprintf(disksize, sizeof(disksize), "%" PRIu64 "M",
			 (total >> 20) + 256);
		shrinker_zram_on(disksize);
		bo = calloc(n, sizeof(*bo));
		map = calloc(n, sizeof(*map));
		igt_assert(bo && map);
		oom0 = shrinker_vmstat("oom_kill");
		zswpout0 = shrinker_vmstat("zswpout");
		f = fopen("/sys/module/zswap/parameters/enabled", "r");
		if (f) {
			zswap = fgetc(f) == 'Y';
			fclose(f);
		}
		for (int d = 0; d < XDEV_NR; d++)
			shrinker_stats_device(xfd[d], &s0[d]);
		for (i = 0; i < n; i++) {
			bo[i] = xbo_create(i % XDEV_NR, ES_PAGES);
			map[i] = xbo_map_raw(&bo[i]);
			xev_fill(map[i], i, ES_PAGES);
		}
		for (i = 0; i < n; i++) {
			/* Every fourth virtio BO goes to the host first. */
			if (bo[i].dev != XDEV_VGEM && (i / XDEV_NR) % 4 == 0)
				xbo_to_host(&bo[i]);
			bad += xev_mismatches(map[i], i, ES_PAGES);
		}
		/* Evictions the host finishes count when done. */
		shrinker_pending_settle();
		for (int d = 0; d < XDEV_NR; d++) {
			shrinker_stats_device(xfd[d], &s1[d]);
			igt_info("%s: %u BOs of %u KiB: evicted %" PRIu64
				 " (kswapd %" PRIu64 ", direct %" PRIu64
				 ", other %" PRIu64 "), %" PRIu64
				 " MiB; swapped in %" PRIu64 ", %" PRIu64 " MiB\n",
				 xdev_names[d], (n + XDEV_NR - 1 - d) / XDEV_NR,
				 ES_PAGES * XBO_PAGE / 1024,
				 s1[d].evicted_objects - s0[d].evicted_objects,
				 s1[d].evicted_by_kswapd - s0[d].evicted_by_kswapd,
				 s1[d].evicted_by_direct - s0[d].evicted_by_direct,
				 s1[d].evicted_by_other - s0[d].evicted_by_other,
				 (s1[d].evicted_pages - s0[d].evicted_pages) * XBO_PAGE >> 20,
				 s1[d].swapped_in_objects - s0[d].swapped_in_objects,
				 (s1[d].swapped_in_pages - s0[d].swapped_in_pages) *
				 XBO_PAGE >> 20);
		}
		igt_info("%u BOs, %" PRIu64 " MiB in all; %" PRIu64 " words wrong; "
			 "zswap %s, %" PRIu64 " pages stored by it\n", n, total >> 20,
			 bad, zswap ? "on" : "off", shrinker_vmstat("zswpout") - zswpout0);
		/* Booted with zswap (make check's eviction run): it was used. */
		if (zswap)
			igt_assert_lt_u64(zswpout0, shrinker_vmstat("zswpout"));
		for (i = 0; i < n; i++) {
			munmap(map[i], bo[i].size);
			xbo_close(&bo[i]);
		}
		free(map);
		free(bo);
		shrinker_zram_off();
		igt_assert_eq_u64(bad, 0);
		igt_assert_eq_u64(shrinker_vmstat("oom_kill"), oom0);
		for (int d = 0; d < XDEV_NR; d++) {
			/* Reclaim did it, not a scan by hand, on every device. */
			igt_assert_eq_u64(s1[d].evicted_by_other, s0[d].evicted_by_other);
			igt_assert_f(s0[d].evicted_by_kswapd + s0[d].evicted_by_direct <
				     s1[d].evicted_by_kswapd + s1[d].evicted_by_direct,
				     "%s: no eviction by reclaim\n", xdev_names[d]);
			igt_assert_f(s0[d].swapped_in_objects < s1[d].swapped_in_objects,
				     "%s: nothing swapped in\n", xdev_names[d]);
		}
	}

	for (int d = 0; d < XDEV_NR; d++) {
		igt_describe("Two sibling cgroups at their memory.max, no swap: "
			     "the process that goes past its limit survives "
			     "because its own DONTNEED BOs are purged, the other "
			     "cgroup's BOs all keep their data, and once the "
			     "cgroup is removed its BOs are counted and purged "
			     "under its parent.");
		igt_subtest_f("memcg-%s", xdev_names[d])
			xmc_run(d);
	}

	igt_describe("Two sibling cgroups at their memory.max: the process "
		     "whose mapped WILLNEED vgem BOs and locked memory do not "
		     "fit in its limit (swap allowed) survives because its "
		     "own BOs are evicted to swap by its cgroup's reclaim, "
		     "and gets every word back; the other cgroup, whose "
		     "memory.swap.max is 0, has its BOs neither counted nor "
		     "evicted by a scan, and they stay resident (nothing of "
		     "it swapped) with their words. Booted with "
		     "drm.shrinker=0, the first process is OOM-killed.");
	igt_subtest("memcg-evict-vgem")
		xme_run();

	igt_describe("Two sibling cgroups, swap on: one holds a DONTNEED vgem "
		     "BO of 64 MiB, the other 512 of 64 KiB, each beside 32 "
		     "MiB of anonymous memory. Each cgroup's count is its own "
		     "pages (within 1%), and memory.reclaim of each purges its "
		     "BOs rather than swap its anonymous memory, which keeps "
		     "every word.");
	igt_subtest("count-pages-per-cgroup")
		xpc_run();

	igt_describe("A removed cgroup's DONTNEED vgem BOs, still open, are "
		     "counted under its parent while a new cgroup of the "
		     "same name, which most likely reuses the removed one's "
		     "memory cgroup ID, counts exactly its own BOs' pages; "
		     "scans and the frees of both leave nothing counted "
		     "(run it on the KASAN kernel for the freed counts).");
	igt_subtest("cgroup-id-reuse")
		xid_run();

	igt_describe("A removed cgroup whose DONTNEED vgem BOs are still open "
		     "is freed (its parent's nr_dying_descendants goes back "
		     "to 0) while the BOs stay listed and counted under the "
		     "parent; a use moves their pages onto the parent's "
		     "counts. Skips if the same BOs, exported as dma-bufs "
		     "and so never listed, keep the cgroup.");
	igt_subtest("removed-cgroup-released")
		xrl_run();

	igt_describe("On a guest with two NUMA nodes, BOs whose pages are on "
		     "node 1 are counted under node 1 of their cgroup, each "
		     "node with its own BOs' pages (64-page BOs on node 1, "
		     "16-page ones on node 0), a scan "
		     "of node 0 purges none of them, and a scan of node 1 "
		     "purges them.");
	igt_subtest("numa") {
		struct xbo on0[6], on1[6];
		unsigned long ino = shrinker_memcg_ino();
		uint64_t c0, c1;

		igt_require_f(xnuma_nodes() >= 2, "needs two NUMA nodes\n");
		shrinker_scan(UINT32_MAX);
		igt_assert_eq_u64(xnuma_count(ino, 1), 0);
		xnuma_bos(on1, ARRAY_SIZE(on1), 1, 64);
		xnuma_bos(on0, ARRAY_SIZE(on0), 0, 16);
		c0 = xnuma_count(ino, 0);
		c1 = xnuma_count(ino, 1);
		igt_info("count of cgroup %lu: node 0 %" PRIu64 ", node 1 %" PRIu64 "\n",
			 ino, c0, c1);
		/*
		 * In pages, each node its own: six BOs of 64 pages on node
		 * 1, six of 16 on node 0.
		 */
		igt_assert_eq_u64(c1, 6 * 64);
		igt_assert_eq_u64(c0, 6 * 16);

		xnuma_scan(ino, 0, UINT32_MAX);
		igt_assert_eq_u64(xnuma_count(ino, 0), 0);
		igt_assert_eq_u64(xnuma_count(ino, 1), c1);
		xnuma_scan(ino, 1, UINT32_MAX);
		igt_assert_eq_u64(xnuma_count(ino, 1), 0);
		for (int i = 0; i < ARRAY_SIZE(on1); i++) {
			igt_assert(xbo_purged(&on0[i]));
			igt_assert(xbo_purged(&on1[i]));
			xbo_close(&on0[i]);
			xbo_close(&on1[i]);
		}
	}

	igt_describe("Unbinding a virtio-gpu device while its DONTNEED BOs are on "
		     "the LRU and scans run takes them off cleanly; the other "
		     "devices' BOs are still reclaimed, and the device binds again.");
	igt_subtest("unbind") {
		struct shrinker_stats g0, g1, d0;
		char dev_link[96], pci[PATH_MAX], *slot;
		struct xbo gone[4], stay[4];
		struct stat st;
		pid_t scanner;
		ssize_t written;
		int fd, status;

		/* The PCI device behind virtio-gpu #2. */
		igt_assert_eq(fstat(xfd[XDEV_VIRTIO1], &st), 0);
		snprintf(dev_link, sizeof(dev_link), "/sys/dev/char/%u:%u/device",
			 major(st.st_rdev), minor(st.st_rdev));
		igt_assert(realpath(dev_link, pci));
		slot = strrchr(pci, '/') + 1;
		igt_info("unbinding %s\n", slot);

		/* A failed memcg subtest may have left its children. */
		xmc_reap();
		/* BOs closed by earlier subtests may still be held a while. */
		shrinker_stats_settle(xfd[XDEV_VIRTIO1], 0, &d0);
		igt_assert_eq_u64(d0.purgeable_objects, 0);
		for (int i = 0; i < 4; i++) {
			gone[i] = xbo_create(XDEV_VIRTIO1, 2);
			stay[i] = xbo_create(i % 2 ? XDEV_VGEM : XDEV_VIRTIO0, 1);
			xbo_populate(&stay[i]);
			xbo_dontneed(&gone[i]);
			xbo_dontneed(&stay[i]);
		}
		shrinker_stats_device(xfd[XDEV_VIRTIO1], &d0);
		shrinker_stats_global(&g0);
		igt_assert_eq_u64(d0.purgeable_objects, 4);

		/* Scans of one page at a time race the unbind. */
		scanner = fork();
		igt_assert(scanner >= 0);
		if (scanner == 0) {
			/* Ends by itself should the parent fail to kill it. */
			alarm(60);
			for (;;)
				shrinker_scan(1);
		}
		fd = open("/sys/bus/pci/drivers/virtio-pci/unbind", O_WRONLY);
		written = fd < 0 ? -1 : write(fd, slot, strlen(slot));
		if (fd >= 0)
			close(fd);
		kill(scanner, SIGKILL);
		waitpid(scanner, &status, 0);
		igt_assert_eq(written, (ssize_t)strlen(slot));

		/*
		 * Its BOs leave the LRU as scans meet them, without a call
		 * into its driver; the others' BOs are still purged.
		 */
		shrinker_scan(UINT32_MAX);
		shrinker_stats_global(&g1);
		igt_assert_eq_u64(g1.purgeable_objects, 0);
		for (int i = 0; i < 4; i++) {
			igt_assert(xbo_purged(&stay[i]));
			xbo_close(&stay[i]);
		}
		/* The unplugged device's BOs go with its file. */
		close(xfd[XDEV_VIRTIO1]);
		xfd[XDEV_VIRTIO1] = -1;

		fd = open("/sys/bus/pci/drivers/virtio-pci/bind", O_WRONLY);
		igt_assert(fd >= 0);
		igt_assert_eq(write(fd, slot, strlen(slot)), (int)strlen(slot));
		close(fd);
		fd = shrinker_open_driver("virtio_gpu", 1);
		igt_assert_f(fd >= 0, "virtio-gpu #2 did not come back\n");
		shrinker_stats_device(fd, &d0);
		igt_assert_eq_u64(d0.purgeable_objects, 0);
		close(fd);
	}

	igt_fixture {
		/* A failed memcg subtest may have left its children. */
		xmc_reap();
		xsb_restore();
		for (int i = 0; i < XDEV_NR; i++)
			if (xfd[i] >= 0)
				close(xfd[i]);
	}
}
