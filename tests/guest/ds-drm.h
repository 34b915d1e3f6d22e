/* SPDX-License-Identifier: MIT */
/* Shared by the guest's userspace tools (ds-cache, ds-bench). */
#ifndef DS_DRM_H
#define DS_DRM_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

/* Open the @idx-th DRM card whose driver is @name, or return -1. */
static inline int ds_open_driver(const char *name, int idx)
{
	for (int i = 0; i < 64; i++) {
		char path[64];
		drmVersionPtr v;
		int fd, match;

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

#endif /* DS_DRM_H */
