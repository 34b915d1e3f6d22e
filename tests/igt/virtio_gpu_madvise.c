// SPDX-License-Identifier: MIT
/*
 * DRM_IOCTL_VIRTGPU_MADVISE: BOs marked DONTNEED are purged by the DRM
 * shrinker under memory pressure, nothing else ever is, and a purged BO
 * fails cleanly everywhere.
 *
 * The device is the first virtio-gpu card, or IGT_VIRTGPU_CARD
 * (/dev/dri/cardN). Subtests that need virgl 3D (EXECBUFFER, transfers
 * from the host) skip on a 2D device.
 */
#include "igt.h"
#include "drm_shrinker_helpers.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "drm_mode.h"
#include "virtgpu_drm.h"

/**
 * TEST: virtio-gpu BOs purged by the DRM shrinker through madvise
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: virtio-gpu madvise
 * Functionality: GEM shrinker
 * Feature: memory management
 * Test category: functionality test
 *
 * SUBTEST: dma-api
 * Description: The device maps memory the way the guest harness set it up:
 *	IGT_VIRTGPU_DMA_API_3D and IGT_VIRTGPU_DMA_API_2D say whether a device
 *	with or without 3D negotiated VIRTIO_F_ACCESS_PLATFORM (1) or not (0),
 *	so that the tests that follow are known to run the DMA API path (or the
 *	guest physical one).
 *
 * SUBTEST: getparam-madvise
 * Description: GETPARAM reports MADVISE and the driver version knows it.
 *
 * SUBTEST: mark-willneed
 * Description: WILLNEED keeps a BO off the shrinker's list.
 *
 * SUBTEST: mark-dontneed
 * Description: DONTNEED puts a BO on the shrinker's list, pages counted,
 *	and fdinfo reports it purgeable.
 *
 * SUBTEST: mark-dontneed-twice
 * Description: DONTNEED twice counts the BO once.
 *
 * SUBTEST: mark-willneed-twice
 * Description: WILLNEED twice keeps the BO and its contents.
 *
 * SUBTEST: retained-without-pressure
 * Description: Without memory pressure, DONTNEED then WILLNEED keeps the
 *	data.
 *
 * SUBTEST: purge-under-pressure
 * Description: A scan through /sys/kernel/debug/shrinker purges DONTNEED
 *	BOs, and so does real memory pressure.
 *
 * SUBTEST: access-purged-mmap-sigbus
 * Description: Touching a CPU mapping of a purged BO raises SIGBUS.
 *
 * SUBTEST: map-purged-fails
 * Description: MAP of a purged BO fails with EINVAL.
 *
 * SUBTEST: evict
 * Description: Idle WILLNEED BOs go to swap on a scan (the host is told to
 *	drop the backing first) and come back on every use: a CPU fault,
 *	TRANSFER_TO_HOST, TRANSFER_FROM_HOST and EXECBUFFER (3D), each after the
 *	pages are attached to the host again, with no error from the host;
 *	madvise of an evicted BO keeps it; every word survives.
 *
 * SUBTEST: transfer-purged-fails
 * Description: Transfers of a DONTNEED or purged BO fail with EINVAL.
 *
 * SUBTEST: transfer-vs-purge
 * Description: TRANSFER_TO_HOST in a loop on one thread while another
 *	marks the BO DONTNEED, scans and marks it WILLNEED, with a new BO after
 *	each purge: every transfer is queued or refused with EINVAL (or ENOENT
 *	for a closed handle), never sent for a BO being purged. Where the device
 *	uses the DMA API (VIRTIO_F_ACCESS_PLATFORM, said by the fixture), a
 *	transfer of a purged BO would dereference its freed page table.
 *
 * SUBTEST: execbuf-dontneed-fails
 * Description: EXECBUFFER referencing a DONTNEED BO fails with EINVAL.
 *
 * SUBTEST: execbuf-purged-fails
 * Description: EXECBUFFER referencing a purged BO fails with EINVAL.
 *
 * SUBTEST: willneed-never-purged
 * Description: BOs never marked DONTNEED keep their data through scans
 *	that purge every DONTNEED BO around them.
 *
 * SUBTEST: close-purged
 * Description: A purged BO answers RESOURCE_INFO and closes cleanly.
 *
 * SUBTEST: bad-handle
 * Description: An unknown handle gives ENOENT.
 *
 * SUBTEST: bad-madv
 * Description: A madv other than WILLNEED or DONTNEED gives EINVAL.
 *
 * SUBTEST: detach-once
 * Description: A purge sends DETACH_BACKING once per BO: a second scan
 *	started before the host answered finds the detach in flight and sends
 *	nothing; the BO counts as purged (not retained) as soon as the detach is
 *	sent, and its pages are freed once the host answered.
 *
 * SUBTEST: detach-host-error
 * Description: A host that fails DETACH_BACKING (injected through the
 *	fault_attr fail_detach in the device's debugfs) may still use the pages:
 *	they stay, the purge counts as failed, the BO leaves the LRU and is not
 *	sent again, WILLNEED says not retained (it was sent), and it closes
 *	cleanly.
 *
 * SUBTEST: dumb-dontneed-refused
 * Description: A dumb BO, the kind KMS scans out and uses as a cursor
 *	(copied to the host from its pages), cannot be marked DONTNEED: EINVAL,
 *	even while it is a framebuffer, and it keeps its contents through a
 *	scan.
 *
 * SUBTEST: bad-pad
 * Description: MADVISE(DONTNEED) with a non-zero pad fails with EINVAL and
 *	does not mark the BO: the device's count of purgeable BOs does not
 *	change.
 *
 * SUBTEST: two-devices
 * Description: BOs of both virtio-gpu devices are reclaimed by the one
 *	shrinker in LRU order.
 *
 * SUBTEST: debugfs-stats
 * Description: The global and per-device statistics move as predicted.
 */

IGT_TEST_DESCRIPTION("virtio-gpu BOs purged by the DRM shrinker through madvise");

#define VGM_WIDTH 1024			/* pixels of 4 bytes: a page per row */
#define VGM_PAGE 4096

struct vgm_bo {
	uint32_t handle;
	uint32_t res_handle;
	uint32_t size;
};

static int vgm_fd = -1;
static bool vgm_3d;

static int vgm_open(int idx)
{
	const char *card = getenv("IGT_VIRTGPU_CARD");

	if (card && idx == 0)
		return open(card, O_RDWR | O_CLOEXEC);
	return shrinker_open_driver("virtio_gpu", idx);
}

static int vgm_getparam(int fd, uint64_t param, int *value)
{
	struct drm_virtgpu_getparam gp = {
		.param = param,
		.value = (uintptr_t)value,
	};

	return igt_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp) ? -errno : 0;
}

/* A 2D texture of @pages rows of one page each. */
static struct vgm_bo vgm_create(int fd, unsigned int pages)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 2,		/* PIPE_TEXTURE_2D */
		.format = 2,		/* VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM */
		.bind = 2 | 8,		/* render target, sampler view */
		.width = VGM_WIDTH,
		.height = pages,
		.depth = 1,
		.array_size = 1,
		.size = pages * VGM_PAGE,
		.stride = VGM_WIDTH * 4,
	};
	struct drm_virtgpu_3d_wait wait = {};
	struct vgm_bo bo;

	do_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);
	bo.handle = rc.bo_handle;
	bo.res_handle = rc.res_handle;
	bo.size = pages * VGM_PAGE;
	/* Creation fences the BO until the host has it: wait, so it is idle. */
	wait.handle = bo.handle;
	do_ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &wait);
	return bo;
}

/* Returns retained (0 or 1), or -errno. */
static int __vgm_madvise(int fd, uint32_t handle, uint32_t madv, uint32_t pad)
{
	struct drm_virtgpu_madvise args = {
		.bo_handle = handle,
		.madv = madv,
		.pad = pad,
		.retained = 0xdead,
	};

	if (igt_ioctl(fd, DRM_IOCTL_VIRTGPU_MADVISE, &args))
		return -errno;
	igt_assert(args.retained == 0 || args.retained == 1);
	return args.retained;
}

static int vgm_madvise(int fd, struct vgm_bo *bo, uint32_t madv)
{
	int ret = __vgm_madvise(fd, bo->handle, madv, 0);

	igt_assert_lte(0, ret);
	return ret;
}

static int __vgm_map(int fd, struct vgm_bo *bo, uint32_t **ptr)
{
	struct drm_virtgpu_map map = { .handle = bo->handle };
	void *p;

	if (igt_ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, &map))
		return -errno;
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 map.offset);
	if (p == MAP_FAILED)
		return -errno;
	*ptr = p;
	return 0;
}

static uint32_t *vgm_map(int fd, struct vgm_bo *bo)
{
	uint32_t *ptr;

	igt_assert_eq(__vgm_map(fd, bo, &ptr), 0);
	return ptr;
}

static void vgm_fill(int fd, struct vgm_bo *bo, uint32_t seed)
{
	uint32_t *ptr = vgm_map(fd, bo);

	for (uint32_t i = 0; i < bo->size / 4; i++)
		ptr[i] = seed ^ i;
	munmap(ptr, bo->size);
}

static void vgm_check(int fd, struct vgm_bo *bo, uint32_t seed)
{
	uint32_t *ptr = vgm_map(fd, bo);

	for (uint32_t i = 0; i < bo->size / 4; i++)
		igt_assert_f(ptr[i] == (seed ^ i),
			     "BO %u word %u: %#x, expected %#x\n",
			     bo->handle, i, ptr[i], seed ^ i);
	munmap(ptr, bo->size);
}

static void vgm_close(int fd, struct vgm_bo *bo)
{
	gem_close(fd, bo->handle);
}

static int vgm_transfer(int fd, struct vgm_bo *bo, bool to_host)
{
	struct drm_virtgpu_3d_transfer_to_host to = {
		.bo_handle = bo->handle,
		.box = { .w = VGM_WIDTH, .h = 1, .d = 1 },
	};
	struct drm_virtgpu_3d_transfer_from_host from = {
		.bo_handle = bo->handle,
		.box = { .w = VGM_WIDTH, .h = 1, .d = 1 },
	};
	int ret;

	if (to_host)
		ret = igt_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &to);
	else
		ret = igt_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &from);
	return ret ? -errno : 0;
}

static void vgm_wait_idle(int fd, struct vgm_bo *bo)
{
	struct drm_virtgpu_3d_wait wait = { .handle = bo->handle };

	do_ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &wait);
}

/* Transfer every row of @bo, to the host or from it, and wait for it. */
static int vgm_transfer_all(int fd, struct vgm_bo *bo, bool to_host)
{
	uint32_t rows = bo->size / VGM_PAGE;
	struct drm_virtgpu_3d_transfer_to_host to = {
		.bo_handle = bo->handle,
		.box = { .w = VGM_WIDTH, .h = rows, .d = 1 },
	};
	struct drm_virtgpu_3d_transfer_from_host from = {
		.bo_handle = bo->handle,
		.box = { .w = VGM_WIDTH, .h = rows, .d = 1 },
	};
	int ret;

	if (to_host)
		ret = igt_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &to);
	else
		ret = igt_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &from);
	if (ret)
		return -errno;
	vgm_wait_idle(fd, bo);
	return 0;
}

static int vgm_execbuf(int fd, struct vgm_bo *bo)
{
	struct drm_virtgpu_execbuffer eb = {
		.bo_handles = (uintptr_t)&bo->handle,
		.num_bo_handles = 1,
	};

	return igt_ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb) ? -errno : 0;
}

/* Mark @bo DONTNEED and purge everything purgeable; @bo must be gone. */
static void vgm_purge(int fd, struct vgm_bo *bo)
{
	struct shrinker_stats before, after;

	shrinker_stats_device(fd, &before);
	igt_assert_eq(vgm_madvise(fd, bo, VIRTGPU_MADV_DONTNEED), 1);
	/*
	 * A scan skips a BO whose lock someone holds for a moment (the
	 * host's answer to an earlier command, say): scan again, a few times.
	 */
	for (int i = 0; i < 5; i++) {
		shrinker_scan(UINT32_MAX);
		shrinker_stats_device(fd, &after);
		if (after.purged_objects > before.purged_objects)
			break;
		igt_info("scan %d did not purge the BO: skipped contended %" PRIu64
			 ", busy %" PRIu64 ", pinned %" PRIu64 ", pending %" PRIu64 "\n",
			 i + 1, after.skipped_contended - before.skipped_contended,
			 after.skipped_busy - before.skipped_busy,
			 after.skipped_pinned - before.skipped_pinned,
			 after.skipped_pending - before.skipped_pending);
	}
	igt_assert_lte_u64(before.purged_objects + 1, after.purged_objects);
	igt_assert_eq(vgm_madvise(fd, bo, VIRTGPU_MADV_WILLNEED), 0);
}

/* Write @value to the tracefs file @file. */
#define VGM_RACE_PAGES 16
#define VGM_RACE_ROUNDS 200

/* A thread sending transfers of whichever BO @handle names. */
struct vgm_race {
	int fd;
	uint32_t handle;
	bool stop;
	unsigned long queued, refused;
	/* The first errno other than EINVAL or ENOENT. */
	int bad;
};

static void *vgm_race_transfers(void *arg)
{
	struct vgm_race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct drm_virtgpu_3d_transfer_to_host to = {
			.bo_handle = __atomic_load_n(&r->handle, __ATOMIC_ACQUIRE),
			.box = { .w = VGM_WIDTH, .h = VGM_RACE_PAGES, .d = 1 },
		};

		if (!igt_ioctl(r->fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &to))
			r->queued++;
		else if (errno == EINVAL || errno == ENOENT)
			r->refused++;
		else if (!r->bad)
			r->bad = errno;
	}
	return NULL;
}

/*
 * Whether the device behind @fd negotiated VIRTIO_F_ACCESS_PLATFORM (bit
 * 33), so that its driver maps memory through the DMA API: the virtio
 * device's features in sysfs, one '0' or '1' per bit. The DRM device's
 * parent is the PCI device; the virtio device is its virtio<N> child.
 */
static bool vgm_dma_api(int fd)
{
	char path[256], bits[129] = "";
	struct dirent *de;
	struct stat st;
	FILE *f = NULL;
	DIR *dir;

	if (fstat(fd, &st))
		return false;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	dir = opendir(path);
	igt_assert_f(dir, "open %s: %m\n", path);
	while ((de = readdir(dir)) && !f) {
		char features[sizeof(path) + sizeof(de->d_name) + 16];

		if (strncmp(de->d_name, "virtio", 6))
			continue;
		snprintf(features, sizeof(features), "%s/%s/features", path,
			 de->d_name);
		f = fopen(features, "r");
	}
	closedir(dir);
	igt_assert_f(f, "no virtio device with features under %s\n", path);
	if (!fgets(bits, sizeof(bits), f))
		bits[0] = '\0';
	fclose(f);
	return strlen(bits) > 33 && bits[33] == '1';
}

/* Write @value to @file under the debugfs directory @dir. */
static void vgm_debugfs(int dir, const char *file, const char *value)
{
	int fd = openat(dir, file, O_WRONLY);

	igt_assert_f(fd >= 0, "open %s: %m\n", file);
	igt_assert_eq(write(fd, value, strlen(value)), (ssize_t)strlen(value));
	close(fd);
}

static void vgm_tracefs(const char *file, const char *value)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	if (access("/sys/kernel/tracing/trace", F_OK))
		snprintf(path, sizeof(path), "%s/tracing/%s", igt_debugfs_mount(), file);
	fd = open(path, O_WRONLY | O_TRUNC);
	igt_require_f(fd >= 0, "%s: %m (tracefs?)\n", path);
	igt_assert_eq(write(fd, value, strlen(value)), (int)strlen(value));
	close(fd);
}

/* How many lines of the trace are @event's and contain @field. */
static unsigned int vgm_traced(const char *event, const char *field)
{
	char path[256], line[512];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/trace");
	if (access(path, F_OK))
		snprintf(path, sizeof(path), "%s/tracing/trace", igt_debugfs_mount());
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, event) && strstr(line, field))
			n++;
	fclose(f);
	return n;
}

/* How many RESOURCE_DETACH_BACKING commands the trace saw queued. */
static unsigned int vgm_traced_detaches(void)
{
	return vgm_traced("virtio_gpu_cmd_queue:", " type=0x107 ");
}

/* How many answers of the host the trace saw that were errors (0x12xx). */
static unsigned int vgm_traced_errors(void)
{
	return vgm_traced("virtio_gpu_cmd_response:", " type=0x12");
}

static volatile sig_atomic_t vgm_sigbus;
static sigjmp_buf vgm_sigbus_jmp;

static void vgm_sigbus_handler(int sig)
{
	vgm_sigbus = 1;
	siglongjmp(vgm_sigbus_jmp, 1);
}

igt_main
{
	igt_fixture {
		int madvise = 0, threed = 0;

		vgm_fd = vgm_open(0);
		igt_require_f(vgm_fd >= 0, "no virtio-gpu device\n");
		igt_require(vgm_getparam(vgm_fd, VIRTGPU_PARAM_MADVISE, &madvise) == 0);
		igt_assert_eq(vgm_getparam(vgm_fd, VIRTGPU_PARAM_3D_FEATURES, &threed), 0);
		vgm_3d = threed;
		igt_info("virtio-gpu with%s 3D, %s\n", vgm_3d ? "" : "out",
			 vgm_dma_api(vgm_fd) ? "through the DMA API (ACCESS_PLATFORM)" :
					       "guest physical addresses");
	}

	igt_describe("The device maps memory the way the guest harness set it "
		     "up: IGT_VIRTGPU_DMA_API_3D and IGT_VIRTGPU_DMA_API_2D "
		     "say whether a device with or without 3D negotiated "
		     "VIRTIO_F_ACCESS_PLATFORM (1) or not (0), so that the "
		     "tests that follow are known to run the DMA API path "
		     "(or the guest physical one).");
	igt_subtest("dma-api") {
		const char *want = getenv(vgm_3d ? "IGT_VIRTGPU_DMA_API_3D" :
						   "IGT_VIRTGPU_DMA_API_2D");

		igt_require_f(want, "the harness did not say how this device maps memory\n");
		igt_assert_eq(vgm_dma_api(vgm_fd), atoi(want) != 0);
	}

	igt_describe("GETPARAM reports MADVISE and the driver version knows it.");
	igt_subtest("getparam-madvise") {
		drmVersionPtr v = drmGetVersion(vgm_fd);
		int value = 0;

		igt_assert_eq(vgm_getparam(vgm_fd, VIRTGPU_PARAM_MADVISE, &value), 0);
		igt_assert_eq(value, 1);
		igt_assert(v);
		igt_assert_lte(2, v->version_minor);
		drmFreeVersion(v);
	}

	igt_describe("WILLNEED keeps a BO off the shrinker's list.");
	igt_subtest("mark-willneed") {
		struct vgm_bo bo = vgm_create(vgm_fd, 4);
		struct shrinker_stats before, after;

		shrinker_stats_device(vgm_fd, &before);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		shrinker_stats_device(vgm_fd, &after);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("DONTNEED puts a BO on the shrinker's list, pages counted, "
		     "and fdinfo reports it purgeable.");
	igt_subtest("mark-dontneed") {
		struct vgm_bo bo = vgm_create(vgm_fd, 4);
		struct shrinker_stats before, after;
		int64_t purgeable;

		shrinker_stats_device(vgm_fd, &before);
		purgeable = shrinker_fdinfo(vgm_fd, "drm-purgeable-memory");
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_DONTNEED), 1);
		shrinker_stats_device(vgm_fd, &after);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects + 1);
		igt_assert_eq_u64(after.purgeable_pages, before.purgeable_pages + 4);
		igt_assert_eq_u64(shrinker_fdinfo(vgm_fd, "drm-purgeable-memory"),
				  (purgeable < 0 ? 0 : purgeable) + bo.size);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		shrinker_stats_device(vgm_fd, &after);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("DONTNEED twice counts the BO once.");
	igt_subtest("mark-dontneed-twice") {
		struct vgm_bo bo = vgm_create(vgm_fd, 2);
		struct shrinker_stats before, after;

		shrinker_stats_device(vgm_fd, &before);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_DONTNEED), 1);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_DONTNEED), 1);
		shrinker_stats_device(vgm_fd, &after);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects + 1);
		igt_assert_eq_u64(after.purgeable_pages, before.purgeable_pages + 2);
		/* Commands still in flight may hold the BO for a while. */
		vgm_close(vgm_fd, &bo);
		shrinker_stats_settle(vgm_fd, before.purgeable_objects, &after);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects);
	}

	igt_describe("WILLNEED twice keeps the BO and its contents.");
	igt_subtest("mark-willneed-twice") {
		struct vgm_bo bo = vgm_create(vgm_fd, 2);

		vgm_fill(vgm_fd, &bo, 0x11110000);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		vgm_check(vgm_fd, &bo, 0x11110000);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("Without memory pressure, DONTNEED then WILLNEED keeps the data.");
	igt_subtest("retained-without-pressure") {
		struct vgm_bo bo = vgm_create(vgm_fd, 8);

		vgm_fill(vgm_fd, &bo, 0x22220000);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_DONTNEED), 1);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		vgm_check(vgm_fd, &bo, 0x22220000);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("A scan through /sys/kernel/debug/shrinker purges DONTNEED BOs, "
		     "and so does real memory pressure.");
	igt_subtest("purge-under-pressure") {
		uint64_t avail, total = 0, pool;
		struct shrinker_stats before, after;
		struct vgm_bo bos[64], scanned[4];
		unsigned int n, purged = 0;
		int status;

		/* By hand, as an admin would. */
		for (n = 0; n < ARRAY_SIZE(scanned); n++) {
			scanned[n] = vgm_create(vgm_fd, 16);
			vgm_fill(vgm_fd, &scanned[n], n);
			vgm_madvise(vgm_fd, &scanned[n], VIRTGPU_MADV_DONTNEED);
		}
		shrinker_stats_device(vgm_fd, &before);
		shrinker_scan(UINT32_MAX);
		shrinker_stats_device(vgm_fd, &after);
		igt_assert_lte_u64(before.purged_objects + ARRAY_SIZE(scanned),
				   after.purged_objects);
		for (n = 0; n < ARRAY_SIZE(scanned); n++) {
			igt_assert_eq(vgm_madvise(vgm_fd, &scanned[n],
						  VIRTGPU_MADV_WILLNEED), 0);
			vgm_close(vgm_fd, &scanned[n]);
		}

		/*
		 * Real pressure: half the available memory in DONTNEED BOs,
		 * then a process that needs three quarters of what was
		 * available, more than is left without the BOs.
		 */
		avail = shrinker_meminfo("MemAvailable");
		pool = avail / 2 / ARRAY_SIZE(bos) / VGM_PAGE;
		for (n = 0; n < ARRAY_SIZE(bos); n++) {
			bos[n] = vgm_create(vgm_fd, pool);
			vgm_fill(vgm_fd, &bos[n], n);
			vgm_madvise(vgm_fd, &bos[n], VIRTGPU_MADV_DONTNEED);
			total += bos[n].size;
		}
		igt_info("%" PRIu64 " MiB of DONTNEED BOs, hog of %" PRIu64 " MiB\n",
			 total >> 20, (avail / 4 * 3) >> 20);
		shrinker_stats_device(vgm_fd, &before);
		status = shrinker_run_hog(avail / 4 * 3);
		/* Purges the host still has to answer count when it has. */
		shrinker_pending_settle();
		shrinker_stats_device(vgm_fd, &after);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "memory hog failed (status %#x): the BOs were not reclaimed\n",
			     status);
		for (n = 0; n < ARRAY_SIZE(bos); n++) {
			if (vgm_madvise(vgm_fd, &bos[n], VIRTGPU_MADV_WILLNEED) == 0)
				purged++;
			else
				vgm_check(vgm_fd, &bos[n], n);
			vgm_close(vgm_fd, &bos[n]);
		}
		igt_info("memory pressure purged %u of %zu BOs\n", purged, ARRAY_SIZE(bos));
		igt_assert_lt(0, purged);
		igt_assert_lte_u64(before.purged_objects + purged, after.purged_objects);
	}

	igt_describe("Touching a CPU mapping of a purged BO raises SIGBUS.");
	igt_subtest("access-purged-mmap-sigbus") {
		struct vgm_bo bo = vgm_create(vgm_fd, 2);
		struct sigaction sa = { .sa_handler = vgm_sigbus_handler }, old;
		uint32_t *ptr = vgm_map(vgm_fd, &bo);
		volatile uint32_t value = 0;

		ptr[0] = 1;
		vgm_purge(vgm_fd, &bo);

		vgm_sigbus = 0;
		sigaction(SIGBUS, &sa, &old);
		if (!sigsetjmp(vgm_sigbus_jmp, 1))
			value = ptr[0];
		sigaction(SIGBUS, &old, NULL);
		igt_assert_f(vgm_sigbus, "read %#x from a purged BO\n", value);
		munmap(ptr, bo.size);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("MAP of a purged BO fails with EINVAL.");
	igt_subtest("map-purged-fails") {
		struct vgm_bo bo = vgm_create(vgm_fd, 2);
		uint32_t *ptr;

		vgm_purge(vgm_fd, &bo);
		igt_assert_eq(__vgm_map(vgm_fd, &bo, &ptr), -EINVAL);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("Idle WILLNEED BOs go to swap on a scan (the host is told "
		     "to drop the backing first) and come back on every use: "
		     "a CPU fault, TRANSFER_TO_HOST, TRANSFER_FROM_HOST and "
		     "EXECBUFFER (3D), each after the pages are attached to "
		     "the host again, with no error from the host; madvise of "
		     "an evicted BO keeps it; every word survives.");
	igt_subtest("evict") {
		enum { EV_BOS = 4, EV_PAGES = 16 };
		const uint32_t seed[EV_BOS] = { 0xe0000000, 0xe1000000, 0xe2000000, 0xe3000000 };
		const uint32_t guest_only = 0xe1110000;
		struct shrinker_stats s0, s1, s2;
		struct vgm_bo bo[EV_BOS];
		uint32_t *map0;
		int64_t evicted;

		shrinker_zram_on("64M");
		/* Evicted by hand: the scans below may evict. */
		shrinker_scan_evicts(true);
		for (int i = 0; i < EV_BOS; i++) {
			bo[i] = vgm_create(vgm_fd, EV_PAGES);
			vgm_fill(vgm_fd, &bo[i], seed[i]);
			igt_assert_eq(vgm_transfer_all(vgm_fd, &bo[i], true), 0);
		}
		/* BO 1's guest pages now differ from the host's copy. */
		vgm_fill(vgm_fd, &bo[1], guest_only);
		/* BO 0 stays mapped: eviction zaps the mapping. */
		map0 = vgm_map(vgm_fd, &bo[0]);

		vgm_tracefs("trace", "");
		vgm_tracefs("events/virtio_gpu/virtio_gpu_cmd_response/enable", "1");
		shrinker_stats_device(vgm_fd, &s0);
		igt_assert_lte_u64(EV_BOS, s0.evictable_objects);
		/* Just used: a scan passes over them once (a second chance). */
		shrinker_scan(UINT32_MAX);
		shrinker_scan(UINT32_MAX);
		shrinker_pending_settle();
		shrinker_stats_device(vgm_fd, &s1);
		evicted = shrinker_fdinfo(vgm_fd, "drm-evicted-memory");
		igt_info("evicted %" PRIu64 " BOs (%" PRIu64 " pages), fdinfo %" PRId64
			 " bytes evicted\n", s1.evicted_objects - s0.evicted_objects,
			 s1.evicted_pages - s0.evicted_pages, evicted);
		igt_assert_lte_u64(s0.evicted_objects + EV_BOS, s1.evicted_objects);
		igt_assert_lte(EV_BOS * EV_PAGES * VGM_PAGE, evicted);

		/* A CPU fault. */
		for (uint32_t w = 0; w < bo[0].size / 4; w++)
			igt_assert_f(map0[w] == (seed[0] ^ w), "BO 0 word %u: %#x\n",
				     w, map0[w]);
		munmap(map0, bo[0].size);
		/* From the host into the attached pages, or to it (2D). */
		if (vgm_3d) {
			igt_assert_eq(vgm_transfer_all(vgm_fd, &bo[1], false), 0);
			vgm_check(vgm_fd, &bo[1], seed[1]);
		} else {
			igt_assert_eq(vgm_transfer_all(vgm_fd, &bo[1], true), 0);
			vgm_check(vgm_fd, &bo[1], guest_only);
		}
		/* A submission (3D) or a transfer to the host (2D). */
		if (vgm_3d) {
			igt_assert_eq(vgm_execbuf(vgm_fd, &bo[2]), 0);
			vgm_wait_idle(vgm_fd, &bo[2]);
		} else {
			igt_assert_eq(vgm_transfer_all(vgm_fd, &bo[2], true), 0);
		}
		vgm_check(vgm_fd, &bo[2], seed[2]);
		/* Madvise of an evicted BO: still there, both ways. */
		igt_assert_eq(vgm_madvise(vgm_fd, &bo[3], VIRTGPU_MADV_DONTNEED), 1);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo[3], VIRTGPU_MADV_WILLNEED), 1);
		igt_assert_eq(vgm_transfer_all(vgm_fd, &bo[3], true), 0);
		vgm_check(vgm_fd, &bo[3], seed[3]);

		shrinker_stats_device(vgm_fd, &s2);
		igt_assert_lte_u64(s1.swapped_in_objects + EV_BOS, s2.swapped_in_objects);
		/* Back on the list, evicted again, and back again. */
		shrinker_scan(UINT32_MAX);
		shrinker_pending_settle();
		igt_assert_eq(vgm_transfer_all(vgm_fd, &bo[2], true), 0);
		vgm_check(vgm_fd, &bo[2], seed[2]);
		vgm_tracefs("events/virtio_gpu/virtio_gpu_cmd_response/enable", "0");
		shrinker_stats_device(vgm_fd, &s2);
		igt_assert_lte_u64(s1.evicted_objects + EV_BOS, s2.evicted_objects);
		igt_assert_eq(vgm_traced_errors(), 0);

		for (int i = 0; i < EV_BOS; i++)
			vgm_close(vgm_fd, &bo[i]);
		shrinker_scan_evicts(false);
		shrinker_zram_off();
	}

	igt_describe("Transfers of a DONTNEED or purged BO fail with EINVAL.");
	igt_subtest("transfer-purged-fails") {
		struct vgm_bo bo = vgm_create(vgm_fd, 2);

		igt_assert_eq(vgm_transfer(vgm_fd, &bo, true), 0);
		vgm_wait_idle(vgm_fd, &bo);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_DONTNEED), 1);
		igt_assert_eq(vgm_transfer(vgm_fd, &bo, true), -EINVAL);
		if (vgm_3d)
			igt_assert_eq(vgm_transfer(vgm_fd, &bo, false), -EINVAL);
		vgm_purge(vgm_fd, &bo);
		igt_assert_eq(vgm_transfer(vgm_fd, &bo, true), -EINVAL);
		if (vgm_3d)
			igt_assert_eq(vgm_transfer(vgm_fd, &bo, false), -EINVAL);
		else
			igt_assert_eq(vgm_transfer(vgm_fd, &bo, false), -ENOSYS);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("TRANSFER_TO_HOST in a loop on one thread while another "
		     "marks the BO DONTNEED, scans and marks it WILLNEED, with "
		     "a new BO after each purge: every transfer is queued or "
		     "refused with EINVAL (or ENOENT for a closed handle), "
		     "never sent for a BO being purged. Where the device "
		     "uses the DMA API (VIRTIO_F_ACCESS_PLATFORM, said by "
		     "the fixture), a transfer of a purged BO would "
		     "dereference its freed page table.");
	igt_subtest("transfer-vs-purge") {
		struct vgm_race race = { .fd = vgm_fd };
		struct vgm_bo bo = vgm_create(vgm_fd, VGM_RACE_PAGES);
		unsigned int purges = 0;
		pthread_t thread;

		/* Nothing else DONTNEED anywhere: the scans see only ours. */
		shrinker_scan(UINT32_MAX);
		__atomic_store_n(&race.handle, bo.handle, __ATOMIC_RELEASE);
		igt_assert_eq(pthread_create(&thread, NULL, vgm_race_transfers,
					     &race), 0);
		for (int i = 0; i < VGM_RACE_ROUNDS; i++) {
			usleep(1000);
			igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_DONTNEED), 1);
			/* Transfers queued before may keep it busy a moment. */
			shrinker_scan(UINT32_MAX);
			usleep(500);
			shrinker_scan(UINT32_MAX);
			if (vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED))
				continue;
			/* Purged: go on with a new BO. */
			purges++;
			vgm_close(vgm_fd, &bo);
			bo = vgm_create(vgm_fd, VGM_RACE_PAGES);
			__atomic_store_n(&race.handle, bo.handle, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&race.stop, true, __ATOMIC_RELEASE);
		igt_assert_eq(pthread_join(thread, NULL), 0);
		vgm_wait_idle(vgm_fd, &bo);
		vgm_close(vgm_fd, &bo);

		igt_info("%d rounds: %u purges, %lu transfers queued, %lu refused\n",
			 VGM_RACE_ROUNDS, purges, race.queued, race.refused);
		igt_assert_f(!race.bad, "a transfer failed with %s\n",
			     strerror(race.bad));
		/* The race happened: transfers both ways, and purges. */
		igt_assert_lt(0, purges);
		igt_assert_lt(0, race.queued);
		igt_assert_lt(0, race.refused);
	}

	igt_describe("EXECBUFFER referencing a DONTNEED BO fails with EINVAL.");
	igt_subtest("execbuf-dontneed-fails") {
		struct vgm_bo bo;

		igt_require(vgm_3d);
		bo = vgm_create(vgm_fd, 2);
		igt_assert_eq(vgm_execbuf(vgm_fd, &bo), 0);
		vgm_wait_idle(vgm_fd, &bo);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_DONTNEED), 1);
		igt_assert_eq(vgm_execbuf(vgm_fd, &bo), -EINVAL);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		igt_assert_eq(vgm_execbuf(vgm_fd, &bo), 0);
		vgm_wait_idle(vgm_fd, &bo);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("EXECBUFFER referencing a purged BO fails with EINVAL.");
	igt_subtest("execbuf-purged-fails") {
		struct vgm_bo bo;

		igt_require(vgm_3d);
		bo = vgm_create(vgm_fd, 2);
		vgm_purge(vgm_fd, &bo);
		igt_assert_eq(vgm_execbuf(vgm_fd, &bo), -EINVAL);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("BOs never marked DONTNEED keep their data through scans "
		     "that purge every DONTNEED BO around them.");
	igt_subtest("willneed-never-purged") {
		struct vgm_bo keep[8], drop[8];
		unsigned int n;

		for (n = 0; n < ARRAY_SIZE(keep); n++) {
			keep[n] = vgm_create(vgm_fd, 8);
			vgm_fill(vgm_fd, &keep[n], 0x33330000 + n);
			drop[n] = vgm_create(vgm_fd, 8);
			vgm_madvise(vgm_fd, &drop[n], VIRTGPU_MADV_DONTNEED);
		}
		/* One marked, then needed again: it must survive too. */
		vgm_madvise(vgm_fd, &keep[0], VIRTGPU_MADV_DONTNEED);
		vgm_madvise(vgm_fd, &keep[0], VIRTGPU_MADV_WILLNEED);
		shrinker_scan(UINT32_MAX);
		shrinker_scan(UINT32_MAX);
		for (n = 0; n < ARRAY_SIZE(keep); n++) {
			igt_assert_eq(vgm_madvise(vgm_fd, &drop[n], VIRTGPU_MADV_WILLNEED), 0);
			igt_assert_eq(vgm_madvise(vgm_fd, &keep[n], VIRTGPU_MADV_WILLNEED), 1);
			vgm_check(vgm_fd, &keep[n], 0x33330000 + n);
			vgm_close(vgm_fd, &keep[n]);
			vgm_close(vgm_fd, &drop[n]);
		}
	}

	igt_describe("A purged BO answers RESOURCE_INFO and closes cleanly.");
	igt_subtest("close-purged") {
		struct vgm_bo bo = vgm_create(vgm_fd, 2);
		struct drm_virtgpu_resource_info info = { .bo_handle = bo.handle };
		struct shrinker_stats before, after;

		vgm_purge(vgm_fd, &bo);
		do_ioctl(vgm_fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &info);
		igt_assert_eq(info.res_handle, bo.res_handle);
		igt_assert_eq(info.size, bo.size);
		shrinker_stats_device(vgm_fd, &before);
		vgm_close(vgm_fd, &bo);
		shrinker_stats_device(vgm_fd, &after);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects);
		igt_assert_eq(__vgm_madvise(vgm_fd, bo.handle, VIRTGPU_MADV_WILLNEED, 0),
			      -ENOENT);
	}

	igt_describe("An unknown handle gives ENOENT.");
	igt_subtest("bad-handle") {
		igt_assert_eq(__vgm_madvise(vgm_fd, 0, VIRTGPU_MADV_DONTNEED, 0), -ENOENT);
		igt_assert_eq(__vgm_madvise(vgm_fd, 0xdeadbeef, VIRTGPU_MADV_WILLNEED, 0),
			      -ENOENT);
	}

	igt_describe("A madv other than WILLNEED or DONTNEED gives EINVAL.");
	igt_subtest("bad-madv") {
		struct vgm_bo bo = vgm_create(vgm_fd, 1);
		const uint32_t bad[] = { 2, 3, 0x80000000, UINT32_MAX };

		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
			igt_assert_eq(__vgm_madvise(vgm_fd, bo.handle, bad[i], 0), -EINVAL);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("A purge sends DETACH_BACKING once per BO: a second scan "
		     "started before the host answered finds the detach in "
		     "flight and sends nothing; the BO counts as purged (not "
		     "retained) as soon as the detach is sent, and its pages are "
		     "freed once the host answered.");
	igt_subtest("detach-once") {
		enum { N = 64 };
		struct shrinker_stats before, after;
		struct vgm_bo bo[N];
		unsigned int detaches, rescans;
		uint64_t refused;

		/* Nothing else DONTNEED anywhere: every detach is ours. */
		shrinker_scan(UINT32_MAX);
		for (unsigned int i = 0; i < N; i++) {
			bo[i] = vgm_create(vgm_fd, 1);
			igt_assert_eq(vgm_madvise(vgm_fd, &bo[i], VIRTGPU_MADV_DONTNEED), 1);
		}
		/*
		 * Idle first: a scan skips a BO whose creation the host has
		 * not answered yet (busy).
		 */
		for (unsigned int i = 0; i < N; i++)
			vgm_wait_idle(vgm_fd, &bo[i]);
		shrinker_stats_device(vgm_fd, &before);
		vgm_tracefs("trace", "");
		vgm_tracefs("events/virtio_gpu/virtio_gpu_cmd_queue/enable", "1");

		/* Back to back: the second meets detaches still in flight. */
		__shrinker_scan(UINT32_MAX);
		__shrinker_scan(UINT32_MAX);
		shrinker_stats_device(vgm_fd, &after);
		/*
		 * A full virtqueue refuses a detach (-EBUSY, "not now",
		 * counted as pinned; seen on the 2D device): scan again
		 * until a scan meets none, a few times at most.
		 */
		refused = after.skipped_pinned - before.skipped_pinned;
		for (rescans = 0; refused && rescans < 10; rescans++) {
			uint64_t last = after.skipped_pinned;

			usleep(10 * 1000);
			__shrinker_scan(UINT32_MAX);
			shrinker_stats_device(vgm_fd, &after);
			refused = after.skipped_pinned - last;
		}
		igt_info("skipped by the scans: contended %" PRIu64 ", busy %" PRIu64
			 ", refused (queue full) %" PRIu64 "; %u more scans\n",
			 after.skipped_contended - before.skipped_contended,
			 after.skipped_busy - before.skipped_busy,
			 after.skipped_pinned - before.skipped_pinned, rescans);
		for (unsigned int i = 0; i < N; i++)
			igt_assert_eq(vgm_madvise(vgm_fd, &bo[i], VIRTGPU_MADV_WILLNEED), 0);
		shrinker_pending_settle();
		shrinker_stats_device(vgm_fd, &after);
		vgm_tracefs("events/virtio_gpu/virtio_gpu_cmd_queue/enable", "0");
		detaches = vgm_traced_detaches();

		igt_info("%u detaches for %d BOs; scans met %" PRIu64
			 " in flight; %" PRIu64 " pages freed\n", detaches, N,
			 after.skipped_pending - before.skipped_pending,
			 after.purged_pages - before.purged_pages);
		igt_assert_eq(detaches, N);
		igt_assert_eq_u64(after.pending_objects, 0);
		igt_assert_eq_u64(after.purged_objects, before.purged_objects + N);
		igt_assert_eq_u64(after.purged_pages, before.purged_pages + N);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects - N);
		for (unsigned int i = 0; i < N; i++)
			vgm_close(vgm_fd, &bo[i]);
	}

	igt_describe("A host that fails DETACH_BACKING (injected through the "
		     "fault_attr fail_detach in the device's debugfs) may still "
		     "use the pages: they stay, the purge counts as failed, the "
		     "BO leaves the LRU and is not sent again, WILLNEED says "
		     "not retained (it was sent), and it closes cleanly.");
	igt_subtest("detach-host-error") {
		enum { N = 4 };
		struct shrinker_stats before, after;
		struct vgm_bo bo[N];
		char times[16];
		int dir = igt_debugfs_dir(vgm_fd);

		igt_require_f(dir >= 0 &&
			      !faccessat(dir, "fail_detach/times", W_OK, 0),
			      "no fail_detach in the device's debugfs\n");
		/* Nothing else DONTNEED anywhere: every detach is ours. */
		shrinker_scan(UINT32_MAX);
		for (unsigned int i = 0; i < N; i++) {
			bo[i] = vgm_create(vgm_fd, 1);
			igt_assert_eq(vgm_madvise(vgm_fd, &bo[i], VIRTGPU_MADV_DONTNEED), 1);
		}
		shrinker_stats_device(vgm_fd, &before);
		vgm_debugfs(dir, "fail_detach/verbose", "0");
		vgm_debugfs(dir, "fail_detach/interval", "1");
		vgm_debugfs(dir, "fail_detach/probability", "100");
		snprintf(times, sizeof(times), "%d", N);
		vgm_debugfs(dir, "fail_detach/times", times);

		__shrinker_scan(UINT32_MAX);
		shrinker_pending_settle();
		vgm_debugfs(dir, "fail_detach/times", "0");
		vgm_debugfs(dir, "fail_detach/probability", "0");
		/* A scan that meets them again sends nothing and frees nothing. */
		__shrinker_scan(UINT32_MAX);
		shrinker_stats_device(vgm_fd, &after);

		igt_info("failed %" PRIu64 ", purged %" PRIu64 ", pages freed %"
			 PRIu64 "\n", after.skipped_failed - before.skipped_failed,
			 after.purged_objects - before.purged_objects,
			 after.purged_pages - before.purged_pages);
		igt_assert_eq_u64(after.skipped_failed, before.skipped_failed + N);
		igt_assert_eq_u64(after.purged_objects, before.purged_objects);
		igt_assert_eq_u64(after.purged_pages, before.purged_pages);
		igt_assert_eq_u64(after.pending_objects, 0);
		igt_assert_eq_u64(after.purgeable_objects, before.purgeable_objects - N);
		igt_assert_eq_u64(after.purgeable_pages, before.purgeable_pages - N);
		for (unsigned int i = 0; i < N; i++) {
			igt_assert_eq(vgm_madvise(vgm_fd, &bo[i], VIRTGPU_MADV_WILLNEED), 0);
			vgm_close(vgm_fd, &bo[i]);
		}
		close(dir);
	}

	igt_describe("A dumb BO, the kind KMS scans out and uses as a cursor "
		     "(copied to the host from its pages), cannot be marked "
		     "DONTNEED: EINVAL, even while it is a framebuffer, and it "
		     "keeps its contents through a scan.");
	igt_subtest("dumb-dontneed-refused") {
		struct drm_mode_create_dumb create = {
			.width = 64, .height = 64, .bpp = 32,
		};
		struct drm_mode_fb_cmd2 fb = {
			.width = 64, .height = 64,
			.pixel_format = ('X' | 'R' << 8 | '2' << 16 | '4' << 24),
		};
		struct drm_mode_map_dumb map = {};
		uint32_t *ptr;

		do_ioctl(vgm_fd, DRM_IOCTL_MODE_CREATE_DUMB, &create);
		map.handle = create.handle;
		do_ioctl(vgm_fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
		ptr = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   vgm_fd, map.offset);
		igt_assert(ptr != MAP_FAILED);
		for (unsigned int i = 0; i < create.size / 4; i++)
			ptr[i] = 0xd0b0 ^ i;

		igt_assert_eq(__vgm_madvise(vgm_fd, create.handle,
					    VIRTGPU_MADV_DONTNEED, 0), -EINVAL);
		fb.handles[0] = create.handle;
		fb.pitches[0] = create.pitch;
		/* As a framebuffer too, where the device has KMS. */
		if (!igt_ioctl(vgm_fd, DRM_IOCTL_MODE_ADDFB2, &fb)) {
			igt_assert_eq(__vgm_madvise(vgm_fd, create.handle,
						    VIRTGPU_MADV_DONTNEED, 0), -EINVAL);
			do_ioctl(vgm_fd, DRM_IOCTL_MODE_RMFB, &fb.fb_id);
		}
		shrinker_scan(UINT32_MAX);
		for (unsigned int i = 0; i < create.size / 4; i++)
			igt_assert_eq_u64(ptr[i], 0xd0b0 ^ i);
		munmap(ptr, create.size);
		gem_close(vgm_fd, create.handle);
	}

	igt_describe("MADVISE(DONTNEED) with a non-zero pad fails with EINVAL "
		     "and does not mark the BO: the device's count of "
		     "purgeable BOs does not change.");
	igt_subtest("bad-pad") {
		struct vgm_bo bo = vgm_create(vgm_fd, 1);
		struct shrinker_stats s0, s1;

		shrinker_stats_device(vgm_fd, &s0);
		igt_assert_eq(__vgm_madvise(vgm_fd, bo.handle, VIRTGPU_MADV_DONTNEED, 1),
			      -EINVAL);
		igt_assert_eq(__vgm_madvise(vgm_fd, bo.handle, VIRTGPU_MADV_DONTNEED,
					    0x80000000), -EINVAL);
		shrinker_stats_device(vgm_fd, &s1);
		igt_assert_eq_u64(s1.purgeable_objects, s0.purgeable_objects);
		igt_assert_eq(vgm_madvise(vgm_fd, &bo, VIRTGPU_MADV_WILLNEED), 1);
		vgm_close(vgm_fd, &bo);
	}

	igt_describe("BOs of both virtio-gpu devices are reclaimed by the one "
		     "shrinker in LRU order.");
	igt_subtest("two-devices") {
		int fd2 = shrinker_open_driver("virtio_gpu", 1);
		int fd1 = shrinker_open_driver("virtio_gpu", 0);
		struct vgm_bo b[4];
		int fds[4];

		igt_require_f(fd1 >= 0 && fd2 >= 0, "needs two virtio-gpu devices\n");
		for (unsigned int i = 0; i < 4; i++) {
			fds[i] = i % 2 ? fd2 : fd1;
			b[i] = vgm_create(fds[i], 1 + i);
		}
		for (unsigned int i = 0; i < 4; i++)
			vgm_madvise(fds[i], &b[i], VIRTGPU_MADV_DONTNEED);
		/* The two oldest: 1 + 2 pages. */
		shrinker_scan(3);
		igt_assert_eq(vgm_madvise(fds[0], &b[0], VIRTGPU_MADV_WILLNEED), 0);
		igt_assert_eq(vgm_madvise(fds[1], &b[1], VIRTGPU_MADV_WILLNEED), 0);
		igt_assert_eq(vgm_madvise(fds[2], &b[2], VIRTGPU_MADV_WILLNEED), 1);
		igt_assert_eq(vgm_madvise(fds[3], &b[3], VIRTGPU_MADV_WILLNEED), 1);
		for (unsigned int i = 0; i < 4; i++)
			vgm_close(fds[i], &b[i]);
		close(fd1);
		close(fd2);
	}

	igt_describe("The global and per-device statistics move as predicted.");
	igt_subtest("debugfs-stats") {
		struct shrinker_stats g0, g1, d0, d1;
		struct vgm_bo bo[3];

		for (unsigned int i = 0; i < 3; i++)
			bo[i] = vgm_create(vgm_fd, 2 + i);
		shrinker_stats_global(&g0);
		shrinker_stats_device(vgm_fd, &d0);
		for (unsigned int i = 0; i < 3; i++)
			vgm_madvise(vgm_fd, &bo[i], VIRTGPU_MADV_DONTNEED);
		shrinker_stats_global(&g1);
		shrinker_stats_device(vgm_fd, &d1);
		igt_assert_eq_u64(g1.purgeable_objects, g0.purgeable_objects + 3);
		igt_assert_eq_u64(g1.purgeable_pages, g0.purgeable_pages + 9);
		igt_assert_eq_u64(d1.purgeable_objects, d0.purgeable_objects + 3);
		igt_assert_eq_u64(d1.purgeable_pages, d0.purgeable_pages + 9);

		shrinker_scan(UINT32_MAX);
		shrinker_stats_global(&g1);
		shrinker_stats_device(vgm_fd, &d1);
		igt_assert_eq_u64(g1.purgeable_objects, 0);
		igt_assert_eq_u64(d1.purgeable_objects, 0);
		igt_assert_lte_u64(g0.scans + 1, g1.scans);
		igt_assert_eq_u64(d1.purged_objects, d0.purged_objects + 3);
		igt_assert_eq_u64(d1.purged_pages, d0.purged_pages + 9);
		igt_assert_eq_u64(g1.purged_pages - g0.purged_pages,
				  d1.purged_pages - d0.purged_pages);
		for (unsigned int i = 0; i < 3; i++)
			vgm_close(vgm_fd, &bo[i]);
	}

	igt_fixture
		close(vgm_fd);
}
