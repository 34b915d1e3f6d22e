// SPDX-License-Identifier: MIT
/*
 * The `make demo` workload, run in the guest.
 *
 *   ds-cache cache MIB   fill a BO cache of MIB MiB on every virtio-gpu
 *                        device and on vgem: BOs written, then marked
 *                        DONTNEED, as Mesa does with freed BOs; print
 *                        "ready" and keep them until killed.
 *   ds-cache hog MIB     allocate and touch MIB MiB of anonymous memory;
 *                        exit 0 if it got it all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include "drm_shrinker_open.h"

#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <drm/virtgpu_drm.h>

#define BO_MIB 4
#define BO_SIZE (BO_MIB << 20)

static int fill(int fd, uint64_t offset)
{
	void *p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);

	if (p == MAP_FAILED)
		return -errno;
	memset(p, 0xa5, BO_SIZE);
	munmap(p, BO_SIZE);
	return 0;
}

/* One cached BO on a virtio-gpu device; 0 or -errno. */
static int cache_virtio(int fd)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 2, .format = 2, .bind = 2 | 8, .width = 1024,
		.height = BO_SIZE / 4096, .depth = 1, .array_size = 1,
		.size = BO_SIZE,
	};
	struct drm_virtgpu_madvise madv = { .madv = VIRTGPU_MADV_DONTNEED };
	struct drm_virtgpu_map map = {};
	int ret;

	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc))
		return -errno;
	map.handle = rc.bo_handle;
	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_MAP, &map))
		return -errno;
	ret = fill(fd, map.offset);
	if (ret)
		return ret;
	madv.bo_handle = rc.bo_handle;
	return drmIoctl(fd, DRM_IOCTL_VIRTGPU_MADVISE, &madv) ? -errno : 0;
}

static int cache_vgem(int fd)
{
	struct drm_mode_create_dumb create = {
		.width = 1024, .height = BO_SIZE / 4096, .bpp = 32,
	};
	struct drm_vgem_madvise madv = { .madv = VGEM_MADV_DONTNEED };
	struct drm_mode_map_dumb map = {};
	int ret;

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	map.handle = create.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return -errno;
	ret = fill(fd, map.offset);
	if (ret)
		return ret;
	madv.handle = create.handle;
	return drmIoctl(fd, DRM_IOCTL_VGEM_MADVISE, &madv) ? -errno : 0;
}

static int cache(long mib)
{
	int fds[3] = {
		shrinker_open_driver("virtio_gpu", 0), shrinker_open_driver("vgem", 0),
		shrinker_open_driver("virtio_gpu", 1),
	};

	for (int d = 0; d < 3; d++) {
		if (fds[d] < 0) {
			fprintf(stderr, "ds-cache: device %d missing\n", d);
			return 1;
		}
	}
	/* Round-robin, so the devices' BOs interleave in the LRU. */
	for (long done = 0; done < mib; done += BO_MIB) {
		for (int d = 0; d < 3; d++) {
			int ret = d == 1 ? cache_vgem(fds[d]) : cache_virtio(fds[d]);

			if (ret) {
				fprintf(stderr, "ds-cache: device %d: %s\n", d, strerror(-ret));
				return 1;
			}
		}
	}
	printf("ready: %ld MiB of DONTNEED BOs on each of 3 devices\n", mib);
	fflush(stdout);
	for (;;)
		pause();
}

static int hog(long mib)
{
	size_t size = (size_t)mib << 20;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f = fopen("/proc/self/oom_score_adj", "w");

	if (f) {
		fputs("1000", f);
		fclose(f);
	}
	if (p == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1;
	printf("hog: got all %ld MiB\n", mib);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "cache"))
		return cache(atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "hog"))
		return hog(atol(argv[2]));
	fprintf(stderr, "usage: ds-cache cache|hog MIB\n");
	return 64;
}
