// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD library for running glmark2's DRM flavour in the guest:
 * glmark2-es2-drm always renders at the largest mode of the connector,
 * and QEMU's virtio-gpu offers modes up to 5120x2160, while glmark2's
 * --validate compares pixels against references made at its default
 * 800x600. This library makes libdrm's drmModeGetConnector() report only
 * the modes no larger than DS_MODECAP=WxH (800x600 if unset), so that
 * glmark2 picks the largest of those (plan-lib.sh's ds_glmark2 asks for
 * 1024x768: glmark2 mishandles a mode of exactly 800x600). It changes
 * nothing else: rendering, GEM and the kernel see what they would see
 * with a monitor of that size.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <xf86drmMode.h>

drmModeConnectorPtr drmModeGetConnector(int fd, uint32_t connector_id)
{
	static drmModeConnectorPtr (*real)(int, uint32_t);
	const char *cap = getenv("DS_MODECAP");
	unsigned int w = 800, h = 600;
	drmModeConnectorPtr c;
	int n = 0;

	if (!real)
		real = (drmModeConnectorPtr (*)(int, uint32_t))
			dlsym(RTLD_NEXT, "drmModeGetConnector");
	c = real(fd, connector_id);
	if (!c)
		return c;
	if (cap && sscanf(cap, "%ux%u", &w, &h) != 2)
		w = 800, h = 600;
	for (int m = 0; m < c->count_modes; m++)
		if (c->modes[m].hdisplay <= w && c->modes[m].vdisplay <= h)
			c->modes[n++] = c->modes[m];
	c->count_modes = n;
	return c;
}
