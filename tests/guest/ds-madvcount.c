// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD library for the guest's Mesa tests: watches a process's
 * virtio-gpu ioctls and counts what DRM_IOCTL_VIRTGPU_MADVISE asked and
 * what the kernel answered, so that a test can tell, without changing
 * Mesa, that Mesa's BO cache marks the BOs it keeps DONTNEED, finds some
 * purged when it takes them back (WILLNEED answered retained == 0), closes
 * those, and goes on reusing cached BOs after that. It also counts the
 * uses of a purged BO that Mesa must never make: a submission or transfer
 * naming it, or its use as a cached BO (a DONTNEED without a WILLNEED in
 * between is fine; a second WILLNEED of a purged handle is not).
 *
 * A test finds the counters with dlsym(RTLD_DEFAULT, "ds_madvise_counts");
 * without this library preloaded there is no such symbol. With
 * DS_MADVCOUNT_OUT=FILE in the environment, a process (glmark2, say)
 * appends them to FILE at exit, as a line "NAME[PID]: key=value...".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <drm/drm.h>
#include <drm/virtgpu_drm.h>

#include "ds_madvise_counts.h"

static struct ds_madvise_counts counts;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int (*real_ioctl)(int fd, unsigned long request, ...);

/* Purged handles not closed yet, as (fd, handle); a small open table. */
#define PURGED_MAX 4096
static struct { int fd; uint32_t handle; } purged[PURGED_MAX];
static unsigned int npurged;

const struct ds_madvise_counts *ds_madvise_counts(void);
const struct ds_madvise_counts *ds_madvise_counts(void)
{
	return &counts;
}

static int purged_find(int fd, uint32_t handle)
{
	for (unsigned int i = 0; i < npurged; i++)
		if (purged[i].fd == fd && purged[i].handle == handle)
			return i;
	return -1;
}

static void purged_note(int fd, uint32_t handle)
{
	if (purged_find(fd, handle) >= 0) {
		counts.misused_purged++;
		return;
	}
	if (npurged == PURGED_MAX) {
		counts.untracked++;
		return;
	}
	purged[npurged].fd = fd;
	purged[npurged].handle = handle;
	npurged++;
}

static void purged_check_use(int fd, uint32_t handle)
{
	if (purged_find(fd, handle) >= 0)
		counts.misused_purged++;
}

static void before(int fd, unsigned long request, void *arg)
{
	if (request == DRM_IOCTL_VIRTGPU_EXECBUFFER) {
		struct drm_virtgpu_execbuffer *eb = arg;
		const uint32_t *h = (const uint32_t *)(uintptr_t)eb->bo_handles;

		for (uint32_t i = 0; h && i < eb->num_bo_handles; i++)
			purged_check_use(fd, h[i]);
	} else if (request == DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST) {
		purged_check_use(fd, ((struct drm_virtgpu_3d_transfer_to_host *)arg)->bo_handle);
	} else if (request == DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST) {
		purged_check_use(fd, ((struct drm_virtgpu_3d_transfer_from_host *)arg)->bo_handle);
	} else if (request == DRM_IOCTL_VIRTGPU_MAP) {
		purged_check_use(fd, ((struct drm_virtgpu_map *)arg)->handle);
	}
}

static void after(int fd, unsigned long request, void *arg, int ret)
{
	if (request == DRM_IOCTL_VIRTGPU_MADVISE) {
		struct drm_virtgpu_madvise *m = arg;

		if (m->madv == VIRTGPU_MADV_DONTNEED) {
			if (ret)
				counts.dontneed_refused++;
			else
				counts.dontneed++;
		} else if (!ret && m->retained) {
			counts.willneed++;
			if (counts.willneed_purged)
				counts.reused_after_purge++;
		} else if (!ret) {
			counts.willneed_purged++;
			purged_note(fd, m->bo_handle);
		}
	} else if (request == DRM_IOCTL_GEM_CLOSE && !ret) {
		int i = purged_find(fd, ((struct drm_gem_close *)arg)->handle);

		if (i >= 0) {
			counts.closed_purged++;
			purged[i] = purged[--npurged];
		}
	}
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (!real_ioctl)
		real_ioctl = dlsym(RTLD_NEXT, "ioctl");

	pthread_mutex_lock(&lock);
	before(fd, request, arg);
	pthread_mutex_unlock(&lock);
	ret = real_ioctl(fd, request, arg);
	pthread_mutex_lock(&lock);
	after(fd, request, arg, ret);
	pthread_mutex_unlock(&lock);
	return ret;
}

__attribute__((destructor)) static void ds_madvcount_report(void)
{
	const char *path = getenv("DS_MADVCOUNT_OUT");
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	pthread_mutex_lock(&lock);
	fprintf(f, "%s[%d]: dontneed=%lu dontneed_refused=%lu willneed=%lu "
		"willneed_purged=%lu reused_after_purge=%lu closed_purged=%lu "
		"misused_purged=%lu untracked=%lu\n", program_invocation_short_name,
		(int)getpid(), counts.dontneed, counts.dontneed_refused,
		counts.willneed, counts.willneed_purged,
		counts.reused_after_purge, counts.closed_purged,
		counts.misused_purged, counts.untracked);
	pthread_mutex_unlock(&lock);
	fclose(f);
}
