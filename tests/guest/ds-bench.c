// SPDX-License-Identifier: MIT
/*
 * `make bench`, run in the guest: the DRM shrinker against its anchors,
 * each as a ratio measured in this one run.
 *
 *  reclaim  purging G MiB of DONTNEED vgem BOs through a shrinker scan vs
 *           freeing the same amount by closing the BOs (goal: >= 0.9)
 *  madvise  latency of DRM_IOCTL_VIRTGPU_MADVISE vs GETPARAM, a no-op
 *  scaling  madvise throughput of 2 threads on one device vs on two
 *           devices, and vs 1 thread (is the shrinker's lock a wall?)
 *
 * Prints a Markdown table; writes CSV to argv[1].
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include "ds-drm.h"

#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <drm/virtgpu_drm.h>

#define BO_SIZE (4 << 20)

static FILE *csv;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "ds-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void row(const char *bench, const char *what, double value,
		const char *unit, const char *anchor, double anchor_value,
		const char *goal)
{
	printf("| %s | %s | %.3f %s | %s | %.3f %s | %.2f | %s |\n", bench, what,
	       value, unit, anchor, anchor_value, unit, value / anchor_value, goal);
	fprintf(csv, "%s,%s,%.6f,%s,%.6f,%s,%.4f\n", bench, what, value, anchor,
		anchor_value, unit, value / anchor_value);
}

static uint32_t vgem_bo(int fd)
{
	struct drm_mode_create_dumb create = {
		.width = 1024, .height = BO_SIZE / 4096, .bpp = 32,
	};
	struct drm_mode_map_dumb map = {};
	void *p;

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		die("create");
	map.handle = create.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		die("map");
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 1, BO_SIZE);
	munmap(p, BO_SIZE);
	return create.handle;
}

static void scan_all(void)
{
	glob_t g;
	char path[512];
	int fd;

	if (glob("/sys/kernel/debug/shrinker/drm-shrinker-*/scan", 0, NULL, &g) ||
	    !g.gl_pathc)
		die("no drm-shrinker scan file");
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "0 0 4294967295", 14) != 14)
		die("scan");
	close(fd);
}

static void bench_reclaim(int mib)
{
	int fd = ds_open_driver("vgem", 0), n = mib / (BO_SIZE >> 20);
	uint32_t *handles = calloc(n, sizeof(*handles));
	double t, scan_s, close_s;

	if (fd < 0 || !handles)
		die("vgem");
	/* Anchor: freeing by closing. */
	for (int i = 0; i < n; i++)
		handles[i] = vgem_bo(fd);
	t = now();
	for (int i = 0; i < n; i++) {
		struct drm_gem_close c = { .handle = handles[i] };

		if (drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c))
			die("close");
	}
	close_s = now() - t;

	/* The shrinker: purging the same amount in one scan. */
	for (int i = 0; i < n; i++) {
		struct drm_vgem_madvise m = { .madv = VGEM_MADV_DONTNEED };

		handles[i] = vgem_bo(fd);
		m.handle = handles[i];
		if (drmIoctl(fd, DRM_IOCTL_VGEM_MADVISE, &m))
			die("madvise");
	}
	t = now();
	scan_all();
	scan_s = now() - t;
	for (int i = 0; i < n; i++) {
		struct drm_vgem_madvise m = { .handle = handles[i], .madv = VGEM_MADV_WILLNEED };

		if (drmIoctl(fd, DRM_IOCTL_VGEM_MADVISE, &m) || m.retained)
			die("a BO survived the scan");
	}
	row("reclaim", "purge by scan", mib / 1024.0 / scan_s, "GiB/s",
	    "free by GEM_CLOSE", mib / 1024.0 / close_s, ">= 0.9");
	close(fd);
	free(handles);
}

struct hot {
	int fd;
	uint32_t handle;
	double seconds;
	long calls;
	int madvise;
};

static void *hot_loop(void *data)
{
	struct hot *h = data;
	double end = now() + h->seconds;
	int value;

	while (now() < end) {
		for (int i = 0; i < 1000; i++) {
			if (h->madvise) {
				struct drm_virtgpu_madvise m = {
					.bo_handle = h->handle, .madv = i & 1,
				};

				if (drmIoctl(h->fd, DRM_IOCTL_VIRTGPU_MADVISE, &m))
					die("madvise");
			} else {
				struct drm_virtgpu_getparam gp = {
					.param = VIRTGPU_PARAM_3D_FEATURES,
					.value = (uintptr_t)&value,
				};

				if (drmIoctl(h->fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp))
					die("getparam");
			}
		}
		h->calls += 1000;
	}
	return NULL;
}

static uint32_t virtio_bo(int fd)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 2, .format = 2, .bind = 2 | 8, .width = 1024,
		.height = 1, .depth = 1, .array_size = 1, .size = 4096,
	};

	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc))
		die("resource create");
	return rc.bo_handle;
}

/* Calls per second of @n threads, each on its own BO of fds[i]. */
static double hot_run(int *fds, int n, int madvise, double seconds)
{
	struct hot h[4];
	pthread_t t[4];
	long calls = 0;

	for (int i = 0; i < n; i++) {
		h[i] = (struct hot){ .fd = fds[i], .seconds = seconds, .madvise = madvise };
		h[i].handle = virtio_bo(fds[i]);
		pthread_create(&t[i], NULL, hot_loop, &h[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		calls += h[i].calls;
	}
	return calls / seconds;
}

static void bench_hot(double seconds)
{
	int v0 = ds_open_driver("virtio_gpu", 0), v1 = ds_open_driver("virtio_gpu", 1);
	int same[2] = { v0, v0 }, apart[2] = { v0, v1 };
	double madv, noop, one, two;

	if (v0 < 0 || v1 < 0)
		die("virtio-gpu");
	noop = hot_run(same, 1, 0, seconds);
	madv = hot_run(same, 1, 1, seconds);
	row("madvise", "madvise latency", 1e6 / madv, "us", "GETPARAM latency",
	    1e6 / noop, "-");
	one = hot_run(same, 2, 1, seconds);
	two = hot_run(apart, 2, 1, seconds);
	row("scaling", "2 threads, one device", one / 1e3, "kcalls/s",
	    "2 threads, two devices", two / 1e3, "~1: no wall");
	row("scaling", "2 threads, one device", one / 1e3, "kcalls/s",
	    "1 thread, one device", madv / 1e3, "-");
	close(v0);
	close(v1);
}

int main(int argc, char **argv)
{
	int mib = getenv("DS_BENCH_MIB") ? atoi(getenv("DS_BENCH_MIB")) : 512;

	csv = fopen(argc > 1 ? argv[1] : "/dev/null", "w");
	if (!csv)
		die("csv");
	fprintf(csv, "bench,measure,value,anchor,anchor_value,unit,ratio\n");
	printf("| bench | measure | value | anchor | anchor value | ratio | goal |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- |\n");
	bench_reclaim(mib);
	bench_hot(2.0);
	fclose(csv);
	return 0;
}
