// SPDX-License-Identifier: MIT
/*
 * Hostile conditions for the DRM shrinker: madvise with every field at
 * boundary and random values, handles closed under a running madvise, and
 * a soak of many processes on three devices with scans hammering, in which
 * no WILLNEED BO may ever lose a byte.
 *
 * DRM_SHRINKER_SOAK_SECONDS sets the soak's length (default 600).
 */
#include "igt.h"
#include "drm_shrinker_helpers.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <drm/virtgpu_drm.h>

IGT_TEST_DESCRIPTION("The DRM shrinker under hostile ioctls and a soak");

#define STRESS_PAGE 4096

enum sdev { SDEV_VIRTIO0, SDEV_VGEM, SDEV_VIRTIO1, SDEV_NR };

static int stress_open(enum sdev d)
{
	if (d == SDEV_VGEM)
		return shrinker_open_driver("vgem", 0);
	return shrinker_open_driver("virtio_gpu", d == SDEV_VIRTIO0 ? 0 : 1);
}

/* A BO of @pages pages; its handle. */
static uint32_t stress_create(int fd, enum sdev d, unsigned int pages)
{
	if (d == SDEV_VGEM) {
		struct drm_mode_create_dumb create = {
			.width = 1024, .height = pages, .bpp = 32,
		};

		do_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create);
		return create.handle;
	} else {
		struct drm_virtgpu_resource_create rc = {
			.target = 2, .format = 2, .bind = 2 | 8, .width = 1024,
			.height = pages, .depth = 1, .array_size = 1,
			.size = pages * STRESS_PAGE,
		};

		do_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);
		return rc.bo_handle;
	}
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

	for (int i = 0; i < 100; i++) {
		shrinker_stats_global(&g);
		if (!g.purgeable_objects)
			break;
		usleep(100000);
	}
	return g.purgeable_objects;
}

struct stress_counts {
	uint64_t ops, purged, retained, bytes_verified, mismatches, hostile;
};

/* One soak worker on device @d until @deadline; its counts go to @out. */
static void stress_worker(enum sdev d, time_t deadline, uint32_t seed, int out)
{
	struct stress_counts c = {};
	int fd = stress_open(d);

	igt_assert(fd >= 0);
	while (time(NULL) < deadline) {
		unsigned int pages = 1 + stress_rand(&seed) % 8;
		size_t size = pages * STRESS_PAGE;
		bool dontneed = stress_rand(&seed) % 2;
		uint32_t handle, retained, pattern = stress_rand(&seed);
		uint32_t *ptr;

		handle = stress_create(fd, d, pages);
		ptr = stress_map(fd, d, handle, size);
		igt_assert(ptr);
		for (size_t i = 0; i < size / 4; i++)
			ptr[i] = pattern ^ i;
		munmap(ptr, size);
		c.ops += 2;

		if (dontneed) {
			igt_assert_eq(stress_madvise(fd, d, handle, 1, 0, &retained), 0);
			igt_assert_eq(retained, 1);
			usleep(stress_rand(&seed) % 20000);
			igt_assert_eq(stress_madvise(fd, d, handle, 0, 0, &retained), 0);
			c.ops += 2;
		} else {
			retained = 1;
		}
		if (!retained) {
			c.purged++;
		} else {
			/* Never DONTNEED, or marked WILLNEED before a purge. */
			c.retained++;
			ptr = stress_map(fd, d, handle, size);
			igt_assert(ptr);
			for (size_t i = 0; i < size / 4; i++)
				c.mismatches += ptr[i] != (pattern ^ i);
			c.bytes_verified += size;
			munmap(ptr, size);
		}
		gem_close(fd, handle);
		c.ops++;
	}
	close(fd);
	igt_assert_eq(write(out, &c, sizeof(c)), (int)sizeof(c));
	_exit(0);
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

	igt_describe("Processes on three devices write, madvise, verify and "
		     "close BOs while scans hammer the shrinker: no WILLNEED BO "
		     "loses a byte and nothing is left on the LRU afterwards.");
	igt_subtest("soak") {
		const char *env = getenv("DRM_SHRINKER_SOAK_SECONDS");
		int seconds = env ? atoi(env) : 600, pipefd[2];
		struct stress_counts total = {}, c;
		struct shrinker_stats g0, g1;
		pid_t pids[2 * SDEV_NR], scanner;
		time_t deadline = time(NULL) + seconds;

		/* Nothing of anyone's on the LRU before... */
		igt_assert_eq_u64(stress_lru_settle(), 0);
		shrinker_stats_global(&g0);
		igt_assert_eq(pipe(pipefd), 0);
		for (int i = 0; i < 2 * SDEV_NR; i++) {
			pids[i] = fork();
			igt_assert(pids[i] >= 0);
			if (pids[i] == 0) {
				close(pipefd[0]);
				stress_worker(i % SDEV_NR, deadline, 0x9e3779b9u * (i + 1),
					      pipefd[1]);
			}
		}
		close(pipefd[1]);
		scanner = fork();
		igt_assert(scanner >= 0);
		if (scanner == 0) {
			for (;;) {
				shrinker_scan(64);
				usleep(1000);
			}
		}
		for (int i = 0; i < 2 * SDEV_NR; i++) {
			int status;

			igt_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
			igt_assert_f(WIFEXITED(status) && !WEXITSTATUS(status),
				     "worker %d failed: %#x\n", i, status);
		}
		kill(scanner, SIGKILL);
		waitpid(scanner, NULL, 0);
		while (read(pipefd[0], &c, sizeof(c)) == sizeof(c)) {
			total.ops += c.ops;
			total.purged += c.purged;
			total.retained += c.retained;
			total.bytes_verified += c.bytes_verified;
			total.mismatches += c.mismatches;
		}
		close(pipefd[0]);
		shrinker_stats_global(&g1);
		igt_info("soak %ds: %" PRIu64 " operations, %" PRIu64 " BOs purged, %"
			 PRIu64 " retained, %" PRIu64 " bytes verified, %" PRIu64
			 " mismatches, %" PRIu64 " scans\n", seconds, total.ops,
			 total.purged, total.retained, total.bytes_verified,
			 total.mismatches, g1.scans - g0.scans);
		igt_assert_eq_u64(total.mismatches, 0);
		igt_assert_lt(0, (int)total.purged);
		/* ...and every BO was closed: nothing left on it after. */
		igt_assert_eq_u64(stress_lru_settle(), 0);
	}

	igt_fixture {
		for (int d = 0; d < SDEV_NR; d++)
			close(fds[d]);
	}
}
