/* SPDX-License-Identifier: MIT */
/*
 * Opening a DRM device by driver name, with libdrm only: shared by the
 * IGT tests (through drm_shrinker_helpers.h) and the guest's benchmark
 * and demo tools, which do not link IGT.
 */
#ifndef DRM_SHRINKER_OPEN_H
#define DRM_SHRINKER_OPEN_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

/* Open the @idx-th DRM card whose driver is @name, or return -1. */
static inline int shrinker_open_driver(const char *name, int idx)
{
	for (int i = 0; i < 64; i++) {
		drmVersionPtr v;
		char path[64];
		bool match;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		match = v && !strcmp(v->name, name);
		drmFreeVersion(v);
		if (match && idx-- == 0)
			return fd;
		close(fd);
	}
	return -1;
}

#endif /* DRM_SHRINKER_OPEN_H */
