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
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <drm/virtgpu_drm.h>

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

static void xbo_close(struct xbo *bo)
{
	gem_close(xfd[bo->dev], bo->handle);
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

igt_main
{
	igt_fixture {
		xfd[XDEV_VIRTIO0] = shrinker_open_driver("virtio_gpu", 0);
		xfd[XDEV_VIRTIO1] = shrinker_open_driver("virtio_gpu", 1);
		xfd[XDEV_VGEM] = drm_open_driver(DRIVER_VGEM);
		igt_require_f(xfd[XDEV_VIRTIO0] >= 0 && xfd[XDEV_VIRTIO1] >= 0,
			      "needs two virtio-gpu devices\n");
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

	igt_describe("A vgem BO with an unsignaled fence is skipped and keeps "
		     "its place; once the fence signals, it is purged first.");
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
		shrinker_scan(1);
		shrinker_stats_device(xfd[XDEV_VGEM], &after);
		igt_assert_eq_u64(after.skipped_busy, before.skipped_busy + 1);
		igt_assert(xbo_purged(&other));

		signal.fence = attach.out_fence;
		do_ioctl(xfd[XDEV_VGEM], DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal);
		shrinker_scan(1);
		igt_assert(xbo_purged(&busy));
		igt_assert(!xbo_purged(&last));
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
		pid_t worker, hog;
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
		hog = fork();
		igt_assert(hog >= 0);
		if (hog == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			shrinker_hog(hog_bytes);
		}
		igt_assert_eq(waitpid(hog, &status, 0), hog);
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

		/* Its BOs left the LRU; nothing else did but what scans purged. */
		shrinker_stats_global(&g1);
		igt_assert_lte_u64(g1.purgeable_objects + 4, g0.purgeable_objects);
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
		for (int i = 0; i < XDEV_NR; i++)
			if (xfd[i] >= 0)
				close(xfd[i]);
	}
}
