// SPDX-License-Identifier: MIT
/*
 * Hostile conditions for the DRM shrinker: madvise with every field at
 * boundary and random values, handles closed under a running madvise, and
 * a soak of many processes on three devices with scans hammering, in which
 * no WILLNEED BO may ever lose a byte.
 *
 * The soak runs in a memory-limited cgroup that swaps to zram, and again
 * while virtio-gpu #2 is unbound and bound under it.
 *
 * Environment: DRM_SHRINKER_SOAK_SECONDS (default 600),
 * DRM_SHRINKER_SOAK_PROCS (processes per device, default 2),
 * DRM_SHRINKER_UNPLUG_SECONDS (default 60), DRM_SHRINKER_UNPLUGS (unbinds
 * in that time, default 3).
 */
#include "igt.h"
#include "drm_shrinker_helpers.h"

#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "drm_mode.h"
#include "vgem_drm.h"
#include "virtgpu_drm.h"

/**
 * TEST: The DRM shrinker under hostile ioctls and a soak
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DRM shrinker reliability
 * Functionality: GEM shrinker
 * Feature: memory management
 * Test category: stress test
 *
 * SUBTEST: hostile-madvise
 * Description: Every madvise field at boundary and random values, and
 *	handles of another file: a defined errno every time.
 *
 * SUBTEST: close-while-madvise
 * Description: Handles closed and recreated while another thread runs
 *	madvise on them: only 0 or ENOENT.
 *
 * SUBTEST: fault-injection
 * Description: Every allocation on the paths of madvise (with virtio-gpu's
 *	host detach command), purge and close fails in turn: the ioctls return 0
 *	or ENOMEM, no BO loses data, nothing leaks, and the purge path allocates
 *	nothing that may sleep.
 *
 * SUBTEST: soak
 * Description: Processes on three devices write, submit, madvise, verify
 *	and close BOs in a memory-limited cgroup that swaps to zram, while scans
 *	hammer the shrinker: no WILLNEED BO loses a byte and nothing is left on
 *	the LRU afterwards.
 *
 * SUBTEST: unplug-under-load
 * Description: The soak while virtio-gpu #2 is unbound and bound again
 *	under it, with swap, so that scans evict kept BOs too: its workers lose
 *	their files, nobody loses data, no splat.
 *
 * SUBTEST: pci-remove-under-load
 * Description: The soak while virtio-gpu #2's PCI device is removed (as
 *	hot-unplug removes it: the device and its driver go, with host detaches
 *	in flight and scans running) and found again by a bus rescan: nobody
 *	loses data, no splat, nothing leaks, the other devices' BOs are still
 *	purged, and the device works again.
 */

IGT_TEST_DESCRIPTION("The DRM shrinker under hostile ioctls and a soak");

#define STRESS_PAGE 4096

enum sdev { SDEV_VIRTIO0, SDEV_VGEM, SDEV_VIRTIO1, SDEV_NR };

static int stress_open(enum sdev d)
{
	if (d == SDEV_VGEM)
		return shrinker_open_driver("vgem", 0);
	return shrinker_open_driver("virtio_gpu", d == SDEV_VIRTIO0 ? 0 : 1);
}

/* A BO of @pages pages: its handle, or 0 with errno set. */
static uint32_t stress_try_create(int fd, enum sdev d, unsigned int pages)
{
	if (d == SDEV_VGEM) {
		struct drm_mode_create_dumb create = {
			.width = 1024, .height = pages, .bpp = 32,
		};

		return igt_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) ? 0 :
		       create.handle;
	} else {
		struct drm_virtgpu_resource_create rc = {
			.target = 2, .format = 2, .bind = 2 | 8, .width = 1024,
			.height = pages, .depth = 1, .array_size = 1,
			.size = pages * STRESS_PAGE,
		};

		return igt_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc) ? 0 :
		       rc.bo_handle;
	}
}

static uint32_t stress_create(int fd, enum sdev d, unsigned int pages)
{
	uint32_t handle = stress_try_create(fd, d, pages);

	igt_assert_f(handle, "creating a BO on device %d: %m\n", d);
	return handle;
}

/* The raw madvise ioctl of device @d: 0 or -errno, *retained set on 0. */
static int stress_madvise(int fd, enum sdev d, uint32_t handle, uint32_t madv,
			  uint32_t pad, uint32_t *retained)
{
	int ret;

	if (d == SDEV_VGEM) {
		struct drm_vgem_madvise a = { .handle = handle, .madv = madv, .pad = pad };

		ret = igt_ioctl(fd, DRM_IOCTL_VGEM_MADVISE, &a) ? -errno : 0;
		if (retained)
			*retained = a.retained;
	} else {
		struct drm_virtgpu_madvise a = { .bo_handle = handle, .madv = madv, .pad = pad };

		ret = igt_ioctl(fd, DRM_IOCTL_VIRTGPU_MADVISE, &a) ? -errno : 0;
		if (retained)
			*retained = a.retained;
	}
	return ret;
}

static void *stress_map(int fd, enum sdev d, uint32_t handle, size_t size)
{
	uint64_t offset;
	void *ptr;

	if (d == SDEV_VGEM) {
		struct drm_mode_map_dumb map = { .handle = handle };

		if (igt_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
			return NULL;
		offset = map.offset;
	} else {
		struct drm_virtgpu_map map = { .handle = handle };

		if (igt_ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, &map))
			return NULL;
		offset = map.offset;
	}
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	return ptr == MAP_FAILED ? NULL : ptr;
}

static int stress_env(const char *name, int def)
{
	const char *value = getenv(name);

	return value ? atoi(value) : def;
}

static uint32_t stress_rand(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/*
 * Wait up to 10 s for the LRU to empty: BOs that in-flight host commands
 * still reference are freed a little after their handles are closed.
 */
static uint64_t stress_lru_settle(void)
{
	struct shrinker_stats g;

	shrinker_stats_settle(-1, 0, &g);
	return g.purgeable_objects + g.evictable_objects;
}

struct stress_counts {
	uint64_t ops, purged, retained, bytes_verified, mismatches, submits;
	uint64_t unplugged;
};

static void stress_counts_add(struct stress_counts *t, const struct stress_counts *c)
{
	t->ops += c->ops;
	t->purged += c->purged;
	t->retained += c->retained;
	t->bytes_verified += c->bytes_verified;
	t->mismatches += c->mismatches;
	t->submits += c->submits;
	t->unplugged += c->unplugged;
}

/* A worker's failure: say why and end the process with an error. */
#define stress_fail(f, ...) do { \
	fprintf(stderr, "worker %d (%s:%d): " f, getpid(), __func__, __LINE__, \
		##__VA_ARGS__); \
	_exit(1); \
} while (0)

/* 1 if the virtio-gpu device of @fd has virgl 3D (and so EXECBUFFER). */
static int stress_has_3d(int fd)
{
	int value = 0;
	struct drm_virtgpu_getparam gp = {
		.param = VIRTGPU_PARAM_3D_FEATURES, .value = (uintptr_t)&value,
	};

	return igt_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp) ? 0 : value;
}

/*
 * GPU work on a BO, as Mesa submits it: on virtio-gpu a transfer to the
 * host and, with 3D, an EXECBUFFER that references the BO; on vgem a write
 * fence, whose id goes to *fence for stress_signal(). 0 or -errno.
 */
static int stress_submit(int fd, enum sdev d, uint32_t handle, unsigned int pages,
			 int has_3d, uint32_t *fence)
{
	if (d == SDEV_VGEM) {
		struct drm_vgem_fence_attach attach = {
			.handle = handle, .flags = VGEM_FENCE_WRITE,
		};

		if (igt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &attach))
			return -errno;
		*fence = attach.out_fence;
	} else {
		struct drm_virtgpu_3d_transfer_to_host to = {
			.bo_handle = handle,
			.box = { .w = 1024, .h = pages, .d = 1 },
		};
		struct drm_virtgpu_execbuffer eb = {
			.bo_handles = (uintptr_t)&handle, .num_bo_handles = 1,
		};

		if (igt_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &to))
			return -errno;
		if (has_3d && igt_ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb))
			return -errno;
	}
	return 0;
}

static int stress_signal(int fd, enum sdev d, uint32_t fence)
{
	struct drm_vgem_fence_signal sig = { .fence = fence };

	if (d != SDEV_VGEM)
		return 0;
	/* ETIMEDOUT: vgem signaled it itself after 10 s. */
	if (igt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig) && errno != ETIMEDOUT)
		return -errno;
	return 0;
}

/*
 * One soak cycle on device @d: create a BO, write a pattern through a
 * mapping, submit GPU work on it, maybe mark it DONTNEED for a while (a
 * scan may purge it then, also while it is still busy), mark it WILLNEED
 * and, if it was retained, verify every word. Half the BOs keep their
 * mapping all along: held by it, an idle WILLNEED BO may be evicted to
 * swap by any scan (on vgem the mapping holds the pages; on virtio-gpu
 * every BO is evictable once idle), and the submission (a fence attach; a
 * transfer and EXECBUFFER, which attach the pages to the host again) and
 * the faults of the verification bring it back. 0 or the first -errno.
 */
static int stress_cycle(int fd, enum sdev d, int has_3d, uint32_t *seed,
			struct stress_counts *c)
{
	unsigned int pages = 1 + stress_rand(seed) % 8;
	size_t size = pages * STRESS_PAGE;
	bool dontneed = stress_rand(seed) % 2;
	bool keep = stress_rand(seed) % 2;
	uint32_t handle, retained = 1, fence = 0, pattern = stress_rand(seed);
	uint32_t *ptr, *kept = NULL;
	int ret;

	handle = stress_try_create(fd, d, pages);
	if (!handle)
		return -errno;
	ptr = stress_map(fd, d, handle, size);
	if (!ptr) {
		ret = -errno;
		goto out;
	}
	for (size_t i = 0; i < size / 4; i++)
		ptr[i] = pattern ^ i;
	if (keep)
		kept = ptr;
	else
		munmap(ptr, size);
	c->ops += 2;

	ret = stress_submit(fd, d, handle, pages, has_3d, &fence);
	if (ret)
		goto out;
	c->submits++;
	if (dontneed) {
		ret = stress_madvise(fd, d, handle, 1, 0, &retained);
		if (ret)
			goto out;
		if (!retained)
			stress_fail("a BO was purged before it was DONTNEED\n");
		usleep(stress_rand(seed) % 20000);
	}
	ret = stress_signal(fd, d, fence);
	if (ret)
		goto out;
	if (dontneed) {
		usleep(stress_rand(seed) % 5000);
		ret = stress_madvise(fd, d, handle, 0, 0, &retained);
		if (ret)
			goto out;
		c->ops += 2;
	}
	if (!retained) {
		c->purged++;
	} else {
		/* Never DONTNEED, or marked WILLNEED before a purge. */
		c->retained++;
		ptr = kept ?: stress_map(fd, d, handle, size);
		if (!ptr) {
			ret = -errno;
			goto out;
		}
		for (size_t i = 0; i < size / 4; i++)
			c->mismatches += ptr[i] != (pattern ^ i);
		c->bytes_verified += size;
		if (!kept)
			munmap(ptr, size);
	}
out:
	/* A purged BO's mapping was never touched again (SIGBUS). */
	if (kept)
		munmap(kept, size);
	/* Not gem_close(), which asserts: the device may be gone. */
	if (igt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &(struct drm_gem_close){ .handle = handle }) &&
	    !ret)
		ret = -errno;
	c->ops++;
	return ret;
}

/*
 * A soak worker on device @d until @deadline; its counts go to @out. With
 * @unplug, the device may be unbound under it: an ioctl failing then ends
 * the file, and the worker opens the device again once it is back.
 */
static void stress_worker(enum sdev d, time_t deadline, uint32_t seed, int out,
			  bool unplug)
{
	struct stress_counts c = {};
	int fd = stress_open(d), has_3d, ret;

	if (fd < 0)
		stress_fail("cannot open device %d\n", d);
	has_3d = d != SDEV_VGEM && stress_has_3d(fd);
	while (time(NULL) < deadline) {
		if (fd < 0) {
			usleep(50000);
			fd = stress_open(d);
			if (fd >= 0)
				has_3d = stress_has_3d(fd);
			continue;
		}
		ret = stress_cycle(fd, d, has_3d, &seed, &c);
		if (!ret)
			continue;
		if (!unplug)
			stress_fail("device %d: %s\n", d, strerror(-ret));
		/* Unbound under us: the BOs go with the file. */
		c.unplugged++;
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	if (write(out, &c, sizeof(c)) != sizeof(c))
		stress_fail("pipe\n");
	_exit(0);
}

#define STRESS_CGROUP "/sys/fs/cgroup/drm-shrinker-soak"
#define STRESS_CGROUP_MAX (96 << 20)

/*
 * Swap on zram and a cgroup limited to STRESS_CGROUP_MAX: the soak's
 * processes run in it together with a process that keeps touching more
 * anonymous memory than the limit, so the cgroup swaps all the time.
 */
static void stress_pressure_setup(void)
{
	char max[32];

	igt_require_f(!access("/sys/fs/cgroup/cgroup.subtree_control", W_OK),
		      "needs cgroup2 mounted on /sys/fs/cgroup\n");
	shrinker_zram_on("512M");

	igt_assert_eq(shrinker_write("/sys/fs/cgroup/cgroup.subtree_control", "+memory"), 0);
	if (mkdir(STRESS_CGROUP, 0755))
		igt_assert_eq(errno, EEXIST);
	snprintf(max, sizeof(max), "%d", STRESS_CGROUP_MAX);
	igt_assert_eq(shrinker_write(STRESS_CGROUP "/memory.max", max), 0);
}

static void stress_pressure_teardown(void)
{
	shrinker_zram_off();
	rmdir(STRESS_CGROUP);
}

/* Move the calling process into the soak's cgroup. */
static void stress_cgroup_join(void)
{
	if (shrinker_write(STRESS_CGROUP "/cgroup.procs", "0"))
		stress_fail("cannot join " STRESS_CGROUP "\n");
}

/* The process that keeps the cgroup over its limit, until killed. */
static void stress_hog(void)
{
	size_t size = STRESS_CGROUP_MAX + (STRESS_CGROUP_MAX / 2);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		stress_fail("hog mmap\n");
	for (unsigned int round = 0;; round++)
		for (size_t i = 0; i < size; i += STRESS_PAGE)
			p[i] = round;
}

/* The statistics of each device (zero for one that is not there). */
static void stress_stats_devices(struct shrinker_stats *s)
{
	for (int d = 0; d < SDEV_NR; d++) {
		int fd = stress_open(d);

		memset(&s[d], 0, sizeof(s[d]));
		if (fd < 0)
			continue;
		shrinker_stats_device(fd, &s[d]);
		close(fd);
	}
}

/* The PCI slot of the device behind DRM file @fd, for unbind and bind. */
static void stress_pci_slot(int fd, char *slot, size_t len)
{
	char link[96], path[PATH_MAX];
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	igt_assert(realpath(link, path));
	snprintf(slot, len, "%s", strrchr(path, '/') + 1);
}

struct stress_soak {
	int seconds;
	int procs;		/* per device */
	bool pressure;		/* in the cgroup, with zram swap and a hog */
	int unplugs;		/* times to unbind and rebind virtio-gpu #2 */
	bool remove;		/* remove its PCI device and rescan instead */
};

/* Wait up to 60 s until virtio-gpu #2 is there (@present) or gone. */
static bool stress_virtio1_wait(bool present)
{
	for (int i = 0; i < 600; i++) {
		int fd = stress_open(SDEV_VIRTIO1);

		if (fd >= 0)
			close(fd);
		if ((fd >= 0) == present)
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * A child of the soak ends by itself, killed by SIGALRM, if the parent
 * failed without killing it: some time after the soak should have ended.
 */
static void stress_child_lifetime(int seconds)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(seconds + 120);
}

/*
 * Kill and reap the soak's children: @nr workers of @pids, and *@hog and
 * *@scanner if given; each is then marked gone (0).
 */
static void stress_kill(pid_t *pids, int nr, pid_t *hog, pid_t *scanner)
{
	for (int i = 0; i < nr; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
			pids[i] = 0;
		}
	}
	for (int i = 0; i < 2; i++) {
		pid_t *pid = i ? scanner : hog;

		if (pid && *pid > 0) {
			kill(*pid, SIGKILL);
			waitpid(*pid, NULL, 0);
			*pid = 0;
		}
	}
}

/*
 * The soak: @procs processes per device run stress_cycle() while another
 * hammers the shrinker's debugfs scan. Returns the workers' counts; every
 * worker must have ended well.
 */
static struct stress_counts stress_soak(const struct stress_soak *p)
{
	time_t deadline = time(NULL) + p->seconds;
	int nr = p->procs * SDEV_NR, pipefd[2], unplugs = 0;
	struct stress_counts total = {}, c;
	struct shrinker_stats g0, g1, d0[SDEV_NR], d1[SDEV_NR];
	pid_t pids[nr], scanner, hog = -1;
	const char *unplug_failed = NULL;
	int status[nr], fork_errno = 0;
	uint64_t swapped = shrinker_vmstat("pswpout");
	char slot[64] = "";

	/* Nothing of anyone's on the LRU before... */
	igt_assert_eq_u64(stress_lru_settle(), 0);
	shrinker_stats_global(&g0);
	stress_stats_devices(d0);
	if (p->unplugs) {
		int fd = stress_open(SDEV_VIRTIO1);

		igt_assert(fd >= 0);
		stress_pci_slot(fd, slot, sizeof(slot));
		close(fd);
	}
	if (p->pressure) {
		hog = fork();
		igt_assert(hog >= 0);
		if (hog == 0) {
			stress_child_lifetime(p->seconds);
			stress_cgroup_join();
			stress_hog();
		}
	}
	if (pipe(pipefd)) {
		fork_errno = errno;
		stress_kill(NULL, 0, &hog, NULL);
		igt_assert_f(false, "pipe: %s\n", strerror(fork_errno));
	}
	for (int i = 0; i < nr; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fork_errno = errno;
			stress_kill(pids, i, &hog, NULL);
			close(pipefd[0]);
			close(pipefd[1]);
			igt_assert_f(false, "fork: %s\n", strerror(fork_errno));
		}
		if (pids[i] == 0) {
			stress_child_lifetime(p->seconds);
			close(pipefd[0]);
			if (p->pressure)
				stress_cgroup_join();
			stress_worker(i % SDEV_NR, deadline, 0x9e3779b9u * (i + 1),
				      pipefd[1], p->unplugs && i % SDEV_NR == SDEV_VIRTIO1);
		}
	}
	close(pipefd[1]);
	scanner = fork();
	if (scanner < 0)
		fork_errno = errno;
	if (scanner == 0) {
		stress_child_lifetime(p->seconds);
		for (;;) {
			/* Hammering: no wait for the purges it starts. */
			__shrinker_scan(64);
			usleep(1000);
		}
	}
	/*
	 * Unbind and bind virtio-gpu #2 while the workers run. No assertion
	 * until every child is gone: a failed subtest must not leave them
	 * running into the next one.
	 */
	for (int i = 0; i < p->unplugs && !unplug_failed && scanner > 0; i++) {
		int fd;

		sleep(p->seconds / (p->unplugs + 1) / 2 + 1);
		if (p->remove) {
			char path[128];

			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", slot);
			if (shrinker_write(path, "1"))
				unplug_failed = "PCI remove";
			else if (!stress_virtio1_wait(false))
				unplug_failed = "the device still there after its removal";
		} else if (shrinker_write("/sys/bus/pci/drivers/virtio-pci/unbind", slot)) {
			unplug_failed = "unbind";
		}
		if (unplug_failed)
			break;
		sleep(p->seconds / (p->unplugs + 1) / 2 + 1);
		if (p->remove) {
			if (shrinker_write("/sys/bus/pci/rescan", "1"))
				unplug_failed = "PCI rescan";
			else if (!stress_virtio1_wait(true))
				unplug_failed = "the device not back after a rescan";
		} else if (shrinker_write("/sys/bus/pci/drivers/virtio-pci/bind", slot)) {
			unplug_failed = "bind";
		}
		if (unplug_failed)
			break;
		fd = stress_open(SDEV_VIRTIO1);
		if (fd < 0) {
			unplug_failed = "reopen after bind";
			break;
		}
		close(fd);
		unplugs++;
	}
	if (unplug_failed || fork_errno)
		stress_kill(pids, nr, NULL, NULL);
	for (int i = 0; i < nr; i++) {
		if (pids[i] <= 0 || waitpid(pids[i], &status[i], 0) != pids[i])
			status[i] = -1;
	}
	stress_kill(NULL, 0, &hog, &scanner);
	while (read(pipefd[0], &c, sizeof(c)) == sizeof(c))
		stress_counts_add(&total, &c);
	close(pipefd[0]);
	igt_assert_f(!fork_errno, "fork: %s\n", strerror(fork_errno));
	igt_assert_f(!unplug_failed, "%s of virtio-gpu #2 failed\n", unplug_failed);
	for (int i = 0; i < nr; i++)
		igt_assert_f(status[i] != -1 && WIFEXITED(status[i]) &&
			     !WEXITSTATUS(status[i]),
			     "worker %d failed: %#x\n", i, status[i]);
	shrinker_stats_global(&g1);
	stress_stats_devices(d1);
	swapped = shrinker_vmstat("pswpout") - swapped;
	igt_info("soak %ds, %d processes: %" PRIu64 " operations, %" PRIu64
		 " submissions, %" PRIu64 " BOs purged, %" PRIu64 " retained, %"
		 PRIu64 " bytes verified, %" PRIu64 " mismatches, %" PRIu64
		 " scans, %" PRIu64 " pages swapped out, %d unplugs (%" PRIu64
		 " files lost to them)\n", p->seconds, nr, total.ops, total.submits,
		 total.purged, total.retained, total.bytes_verified,
		 total.mismatches, g1.scans - g0.scans, swapped, unplugs,
		 total.unplugged);
	igt_info("soak purges decided by kswapd %" PRIu64 ", direct reclaim "
		 "(the cgroup's included) %" PRIu64 ", debugfs scans %" PRIu64 "\n",
		 g1.purged_by_kswapd - g0.purged_by_kswapd,
		 g1.purged_by_direct - g0.purged_by_direct,
		 g1.purged_by_other - g0.purged_by_other);
	igt_info("soak evictions by kswapd %" PRIu64 ", direct reclaim "
		 "(the cgroup's included) %" PRIu64 ", debugfs scans %" PRIu64
		 "; %" PRIu64 " swapped in\n",
		 g1.evicted_by_kswapd - g0.evicted_by_kswapd,
		 g1.evicted_by_direct - g0.evicted_by_direct,
		 g1.evicted_by_other - g0.evicted_by_other,
		 g1.swapped_in_objects - g0.swapped_in_objects);
	for (int d = 0; d < SDEV_NR; d++) {
		/* A device that came back counts from zero again. */
		if (p->unplugs && d == SDEV_VIRTIO1)
			igt_info("soak on device %d, since it came back: %" PRIu64
				 " evicted, %" PRIu64 " swapped in\n", d,
				 d1[d].evicted_objects, d1[d].swapped_in_objects);
		else
			igt_info("soak on device %d: %" PRIu64 " evicted, %" PRIu64
				 " swapped in\n", d,
				 d1[d].evicted_objects - d0[d].evicted_objects,
				 d1[d].swapped_in_objects - d0[d].swapped_in_objects);
	}
	igt_assert_eq_u64(total.mismatches, 0);
	igt_assert_lt_u64(0, total.purged);
	igt_assert_lt_u64(0, total.bytes_verified);
	if (p->pressure) {
		igt_assert_f(swapped > 0, "the cgroup never swapped: no pressure\n");
		/* With swap, kept BOs are evicted and come back, everywhere. */
		for (int d = 0; d < SDEV_NR; d++)
			igt_assert_f(d1[d].evicted_objects > d0[d].evicted_objects &&
				     d1[d].swapped_in_objects > d0[d].swapped_in_objects,
				     "no BO of device %d was evicted and swapped in during the soak\n",
				     d);
		/*
		 * Whether the cgroup's own limit reclaim reaches the
		 * shrinker here is not asserted, only printed above: the
		 * hog's anon memory, which swap takes first, and the
		 * scanner, which takes most DONTNEED BOs, leave it a few
		 * BOs at most, and none in some runs. drm_shrinker's
		 * memcg-* and memcg-evict-vgem subtests assert it where it
		 * must happen (no swap, or BOs the limit cannot hold).
		 */
	}
	if (p->unplugs)
		igt_assert_f(total.unplugged > 0,
			     "no worker saw its device go: the unplugs missed the load\n");
	/* ...and every BO was closed: nothing left on it after. */
	igt_assert_eq_u64(stress_lru_settle(), 0);
	return total;
}

/* The fault injection attributes this test arms, and their defaults. */
static const struct {
	const char *file, *armed, *unarmed;
} stress_fault_attrs[] = {
	{ "failslab/ignore-gfp-wait", "N", "Y" },
	{ "failslab/verbose", "0", "2" },
	{ "fail_page_alloc/ignore-gfp-wait", "N", "Y" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N", "Y" },
	{ "fail_page_alloc/min-order", "0", "1" },
	{ "fail_page_alloc/verbose", "0", "2" },
};

/*
 * Let /proc/thread-self/fail-nth fail any slab or page allocation of this
 * thread, sleeping or not, quietly (the failures are on purpose).
 */
static void stress_faults_arm(bool arm)
{
	char path[PATH_MAX];

	for (unsigned int i = 0; i < ARRAY_SIZE(stress_fault_attrs); i++) {
		snprintf(path, sizeof(path), "%s/%s", igt_debugfs_mount(),
			 stress_fault_attrs[i].file);
		igt_assert_f(!shrinker_write(path, arm ? stress_fault_attrs[i].armed :
					   stress_fault_attrs[i].unarmed),
			     "%s: %m\n", path);
	}
}

enum stress_op { OP_DONTNEED, OP_WILLNEED, OP_PURGE, OP_CLOSE, OP_NR };

static const char *const stress_op_names[OP_NR] = {
	[OP_DONTNEED] = "madvise(DONTNEED)",
	[OP_WILLNEED] = "madvise(WILLNEED)",
	[OP_PURGE] = "purge by a scan",
	[OP_CLOSE] = "GEM_CLOSE of a DONTNEED BO",
};

/*
 * Run @op on a fresh BO of device @d with the @nth allocation of this
 * thread failing, then check the BO: its data are intact unless it was
 * purged, and it is purged only if it was DONTNEED. Returns whether the
 * fault was injected (false: the path has fewer than @nth allocations).
 */
static bool stress_fault_once(int fd, enum sdev d, enum stress_op op,
			      unsigned int nth, int nth_fd, int scan_fd)
{
	uint32_t handle = stress_create(fd, d, 1), retained = 1, pattern = nth * 77;
	char scan_cmd[64];
	/* One object of this process's cgroup's list on node 0: this BO. */
	int scan_len = snprintf(scan_cmd, sizeof(scan_cmd), "%lu 0 1",
				shrinker_memcg_ino());
	uint32_t *ptr = stress_map(fd, d, handle, STRESS_PAGE);
	struct drm_gem_close cl = { .handle = handle };
	char buf[16];
	int ret = 0, len;
	bool injected;

	igt_assert(ptr);
	for (int i = 0; i < STRESS_PAGE / 4; i++)
		ptr[i] = pattern ^ i;
	munmap(ptr, STRESS_PAGE);
	if (op != OP_DONTNEED)
		igt_assert_eq(stress_madvise(fd, d, handle, 1, 0, NULL), 0);
	/* Idle, so that a scan purges it: the host may still be attaching it. */
	if (d != SDEV_VGEM) {
		struct drm_virtgpu_3d_wait wait = { .handle = handle };

		do_ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &wait);
	}

	/*
	 * A scan looks at the oldest objects first: wait until no other
	 * object (one whose last reference a host command still holds) is
	 * on the LRU, so that the scan meets this BO.
	 */
	if (op == OP_PURGE) {
		struct shrinker_stats g;

		shrinker_stats_settle(-1, 1, &g);
		igt_assert_f(g.purgeable_objects == 1,
			     "%" PRIu64 " objects on the LRU besides this BO\n",
			     g.purgeable_objects - 1);
	}
	len = snprintf(buf, sizeof(buf), "%u", nth);
	igt_assert_eq(pwrite(nth_fd, buf, len, 0), len);
	switch (op) {
	case OP_DONTNEED:
		ret = stress_madvise(fd, d, handle, 1, 0, &retained);
		break;
	case OP_WILLNEED:
		ret = stress_madvise(fd, d, handle, 0, 0, &retained);
		break;
	case OP_PURGE:
		ret = write(scan_fd, scan_cmd, scan_len) == scan_len ? 0 : -errno;
		break;
	case OP_CLOSE:
		ret = igt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &cl) ? -errno : 0;
		break;
	default:
		break;
	}
	len = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	igt_assert_eq(pwrite(nth_fd, "0", 1, 0), 1);
	igt_assert(len > 0);
	buf[len] = '\0';
	injected = atoi(buf) == 0;

	igt_assert_f(ret == 0 || ret == -ENOMEM,
		     "%s on device %d, allocation %u failed: %s\n",
		     stress_op_names[op], d, nth, strerror(-ret));
	if (op == OP_CLOSE) {
		if (ret)
			gem_close(fd, handle);
		return injected;
	}
	/* A failed madvise(DONTNEED) may leave it either way. */
	igt_assert_eq(stress_madvise(fd, d, handle, 0, 0, &retained), 0);
	if (op == OP_WILLNEED && ret == 0)
		igt_assert_eq(retained, 1);
	/* With no allocation failing, the scan went all the way. */
	if (op == OP_PURGE && !injected)
		igt_assert_f(!retained, "device %d: the scan did not purge the BO\n", d);
	if (retained) {
		ptr = stress_map(fd, d, handle, STRESS_PAGE);
		igt_assert(ptr);
		for (int i = 0; i < STRESS_PAGE / 4; i++)
			igt_assert_f(ptr[i] == (pattern ^ i),
				     "%s on device %d, allocation %u failing: word %d lost\n",
				     stress_op_names[op], d, nth, i);
		munmap(ptr, STRESS_PAGE);
	}
	gem_close(fd, handle);
	return injected;
}

struct stress_race {
	int fd;
	enum sdev d;
	volatile bool stop;
	uint64_t calls, bad;
};

/* madvise on handles 1..8 while another thread creates and closes them. */
static void *stress_race_madvise(void *data)
{
	struct stress_race *r = data;
	uint32_t seed = 42;

	while (!r->stop) {
		uint32_t retained;
		int ret = stress_madvise(r->fd, r->d, 1 + stress_rand(&seed) % 8,
					 stress_rand(&seed) % 2, 0, &retained);

		r->calls++;
		if (ret && ret != -ENOENT)
			r->bad++;
	}
	return NULL;
}

/*
 * With @only true, injected failures hit only allocations that cannot
 * sleep (GFP_NOWAIT, GFP_ATOMIC): counting a path's allocations both
 * ways tells whether any of them may sleep.
 */
static void stress_faults_only_nowait(bool only)
{
	static const char * const files[] = {
		"failslab/ignore-gfp-wait", "fail_page_alloc/ignore-gfp-wait",
	};
	char path[PATH_MAX];

	for (unsigned int i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", igt_debugfs_mount(), files[i]);
		igt_assert_f(!shrinker_write(path, only ? "Y" : "N"), "%s: %m\n", path);
	}
}

/* How many allocations @op makes on device @d, failing each in turn. */
static uint64_t stress_fault_sites(int fd, enum sdev d, enum stress_op op,
				   int nth_fd, int scan_fd)
{
	unsigned int nth = 1;

	while (stress_fault_once(fd, d, op, nth, nth_fd, scan_fd)) {
		igt_assert_f(nth < 1000, "no end to the allocations\n");
		nth++;
	}
	return nth - 1;
}

/*
 * The same, the least of three runs: a debug kernel allocates now and
 * then on any path for itself (KASAN's stack depot refills its pool with
 * the allocating context's flags), which a single run would count.
 */
static uint64_t stress_fault_sites_min(int fd, enum sdev d, enum stress_op op,
				       int nth_fd, int scan_fd)
{
	uint64_t least = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t n = stress_fault_sites(fd, d, op, nth_fd, scan_fd);

		least = n < least ? n : least;
	}
	return least;
}

igt_main
{
	int fds[SDEV_NR] = { -1, -1, -1 };

	igt_fixture {
		for (int d = 0; d < SDEV_NR; d++)
			fds[d] = stress_open(d);
		igt_require_f(fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0,
			      "needs two virtio-gpu devices and vgem\n");
		igt_require(shrinker_debugfs_dir());
	}

	igt_describe("Every madvise field at boundary and random values, and "
		     "handles of another file: a defined errno every time.");
	igt_subtest("hostile-madvise") {
		static const uint32_t values[] = {
			0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
		};
		uint64_t tried = 0;
		uint32_t seed = 1;

		for (int d = 0; d < SDEV_NR; d++) {
			int other = stress_open(d);
			uint32_t mine, theirs;

			/* A BO of another file: its handle means nothing here. */
			igt_assert(other >= 0);
			theirs = stress_create(other, d, 1);
			mine = stress_create(fds[d], d, 1);
			if (theirs == mine)
				theirs = stress_create(other, d, 1);

			for (unsigned int h = 0; h < ARRAY_SIZE(values) + 2; h++) {
				uint32_t handle = h < ARRAY_SIZE(values) ? values[h] :
						  h == ARRAY_SIZE(values) ? mine : theirs;

				for (unsigned int m = 0; m < ARRAY_SIZE(values); m++) {
					for (unsigned int p = 0; p < ARRAY_SIZE(values); p++) {
						uint32_t madv = values[m], pad = values[p];
						int ret = stress_madvise(fds[d], d, handle, madv, pad, NULL);
						int want;

						if (pad || madv > 1)
							want = -EINVAL;
						else if (handle != mine)
							want = -ENOENT;
						else
							want = 0;
						igt_assert_f(ret == want,
							     "dev %d handle %#x madv %#x pad %#x: %d, expected %d\n",
							     d, handle, madv, pad, ret, want);
						tried++;
					}
				}
			}
			for (int i = 0; i < 1000; i++) {
				int ret = stress_madvise(fds[d], d, stress_rand(&seed),
							 stress_rand(&seed), stress_rand(&seed), NULL);

				igt_assert_f(ret == -EINVAL || ret == -ENOENT || ret == 0,
					     "random madvise: %d\n", ret);
				tried++;
			}
			stress_madvise(fds[d], d, mine, 0, 0, NULL);
			gem_close(fds[d], mine);
			close(other);
		}
		igt_info("%" PRIu64 " hostile madvise calls, all with a defined result\n", tried);
	}

	igt_describe("Handles closed and recreated while another thread runs "
		     "madvise on them: only 0 or ENOENT.");
	igt_subtest("close-while-madvise") {
		for (int d = 0; d < SDEV_NR; d++) {
			struct stress_race r = { .fd = fds[d], .d = d };
			pthread_t thread;

			igt_assert_eq(pthread_create(&thread, NULL, stress_race_madvise, &r), 0);
			for (int i = 0; i < 300; i++) {
				uint32_t h[4];

				for (int j = 0; j < 4; j++)
					h[j] = stress_create(fds[d], d, 1);
				for (int j = 0; j < 4; j++)
					gem_close(fds[d], h[j]);
			}
			r.stop = true;
			pthread_join(thread, NULL);
			igt_info("device %d: %" PRIu64 " racing madvise calls\n", d, r.calls);
			igt_assert_eq_u64(r.bad, 0);
		}
	}

	igt_describe("Every allocation on the paths of madvise (with "
		     "virtio-gpu's host detach command), purge and close fails "
		     "in turn: the ioctls return 0 or ENOMEM, no BO loses data, "
		     "nothing leaks, and the purge path allocates nothing that "
		     "may sleep.");
	igt_subtest("fault-injection") {
		char path[PATH_MAX + 16];
		uint64_t faults = 0, sites[SDEV_NR][OP_NR] = {}, nowait[SDEV_NR] = {};
		int nth_fd, scan_fd;

		nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
		igt_require_f(nth_fd >= 0, "needs CONFIG_FAULT_INJECTION\n");
		snprintf(path, sizeof(path), "%s/failslab", igt_debugfs_mount());
		igt_require_f(!access(path, F_OK), "needs CONFIG_FAILSLAB\n");
		snprintf(path, sizeof(path), "%s/scan", shrinker_debugfs_dir());
		scan_fd = open(path, O_WRONLY);
		igt_assert(scan_fd >= 0);
		igt_assert_eq_u64(stress_lru_settle(), 0);

		stress_faults_arm(true);
		for (int d = 0; d < SDEV_NR; d++) {
			for (int op = 0; op < OP_NR; op++) {
				sites[d][op] = op == OP_PURGE ?
					stress_fault_sites_min(fds[d], d, op, nth_fd, scan_fd) :
					stress_fault_sites(fds[d], d, op, nth_fd, scan_fd);
				faults += sites[d][op];
			}
		}
		/* The purge path again, failing only what cannot sleep. */
		stress_faults_only_nowait(true);
		for (int d = 0; d < SDEV_NR; d++)
			nowait[d] = stress_fault_sites_min(fds[d], d, OP_PURGE,
							   nth_fd, scan_fd);
		stress_faults_only_nowait(false);
		stress_faults_arm(false);
		close(scan_fd);
		close(nth_fd);

		for (int d = 0; d < SDEV_NR; d++) {
			for (int op = 0; op < OP_NR; op++)
				igt_info("device %d, %s: %" PRIu64 " allocations failed in turn\n",
					 d, stress_op_names[op], sites[d][op]);
			igt_info("device %d, %s: %" PRIu64 " of them cannot sleep\n",
				 d, stress_op_names[OP_PURGE], nowait[d]);
		}
		igt_info("%" PRIu64 " faults injected\n", faults);
		/*
		 * A purge runs in reclaim: whatever it allocates must not
		 * sleep (virtio-gpu's descriptors, GFP_NOWAIT, with a
		 * fallback). Its detach command is allocated by
		 * madvise(DONTNEED) instead, whose failure was tried.
		 */
		for (int d = 0; d < SDEV_NR; d++)
			igt_assert_eq_u64(sites[d][OP_PURGE], nowait[d]);
		igt_assert_lt_u64(0, sites[SDEV_VIRTIO0][OP_DONTNEED]);
		igt_assert_lt_u64(0, sites[SDEV_VIRTIO1][OP_DONTNEED]);
		igt_assert_eq_u64(stress_lru_settle(), 0);
	}

	igt_describe("Processes on three devices write, submit, madvise, verify "
		     "and close BOs in a memory-limited cgroup that swaps to zram, "
		     "while scans hammer the shrinker: no WILLNEED BO loses a byte "
		     "and nothing is left on the LRU afterwards.");
	igt_subtest("soak") {
		struct stress_soak p = {
			.seconds = stress_env("DRM_SHRINKER_SOAK_SECONDS", 600),
			.procs = stress_env("DRM_SHRINKER_SOAK_PROCS", 2),
			.pressure = true,
		};

		stress_pressure_setup();
		/* The hammering scans evict too, racing the cgroup's reclaim. */
		shrinker_scan_evicts(true);
		stress_soak(&p);
		shrinker_scan_evicts(false);
		stress_pressure_teardown();
	}

	igt_describe("The soak while virtio-gpu #2 is unbound and bound again "
		     "under it, with swap, so that scans evict kept BOs too: its "
		     "workers lose their files, nobody loses data, no splat.");
	igt_subtest("unplug-under-load") {
		struct stress_soak p = {
			.seconds = stress_env("DRM_SHRINKER_UNPLUG_SECONDS", 60),
			.procs = 2,
			.unplugs = stress_env("DRM_SHRINKER_UNPLUGS", 3),
		};

		/* With swap, the scans also evict kept BOs, racing the unbind. */
		shrinker_zram_on("256M");
		shrinker_scan_evicts(true);
		stress_soak(&p);
		shrinker_scan_evicts(false);
		shrinker_zram_off();
	}

	igt_describe("The soak while virtio-gpu #2's PCI device is removed "
		     "(as hot-unplug removes it: the device and its driver go, "
		     "with host detaches in flight and scans running) and found "
		     "again by a bus rescan: nobody loses data, no splat, nothing "
		     "leaks, the other devices' BOs are still purged, and the "
		     "device works again.");
	igt_subtest("pci-remove-under-load") {
		struct stress_soak p = {
			.seconds = stress_env("DRM_SHRINKER_REMOVE_SECONDS", 60),
			.procs = 2,
			.unplugs = stress_env("DRM_SHRINKER_REMOVALS", 2),
			.remove = true,
		};

		stress_soak(&p);
	}

	igt_fixture {
		for (int d = 0; d < SDEV_NR; d++)
			close(fds[d]);
	}
}
