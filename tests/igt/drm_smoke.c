// SPDX-License-Identifier: MIT
/*
 * Smoke test of the test guest: every DRM device opens and names its
 * driver, virtio-gpu answers its parameters, vgem allocates and maps, and
 * the shrinker debugfs tree is there.
 *
 * IGT_DRM_EXPECT, when set, lists the driver names the machine must have
 * (space separated, any order, repeated once per device): the harness sets
 * it so a missing device fails instead of skipping.
 */
#include "igt.h"
#include "drm_shrinker_helpers.h"

#include <dirent.h>
#include "virtgpu_drm.h"
#include "drm_mode.h"

/**
 * TEST: Smoke test: DRM devices and shrinker debugfs
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DRM shrinker smoke
 * Functionality: GEM shrinker
 * Feature: memory management
 * Test category: functionality test
 *
 * SUBTEST: devices
 * Description: Every DRM device opens and reports its driver; with
 *	IGT_DRM_EXPECT set, exactly the expected drivers exist.
 *
 * SUBTEST: virtio-gpu-params
 * Description: Each virtio-gpu device answers GETPARAM; 3D devices report
 *	capability sets.
 *
 * SUBTEST: vgem-dumb
 * Description: vgem creates, maps and keeps the contents of a dumb BO.
 *
 * SUBTEST: shrinker-debugfs
 * Description: The shrinker debugfs tree lists registered shrinkers, each
 *	with a count file that reads.
 *
 * SUBTEST: drm-shrinker-debugfs
 * Description: DRM core registered its one shrinker, and its global and
 *	per-device statistics files hold every documented key.
 */

IGT_TEST_DESCRIPTION("Smoke test: DRM devices and shrinker debugfs");

#define SMOKE_MAX_CARDS 16

struct smoke_card {
	char node[64];
	char driver[64];
};

static int smoke_cards(struct smoke_card *cards)
{
	int n = 0;

	for (int i = 0; i < 64 && n < SMOKE_MAX_CARDS; i++) {
		drmVersionPtr v;
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		igt_assert_f(v, "DRM_IOCTL_VERSION failed on %s: %m\n", path);
		igt_assert_f(v->name_len > 0, "%s has an empty driver name\n", path);
		snprintf(cards[n].node, sizeof(cards[n].node), "%s", path);
		snprintf(cards[n].driver, sizeof(cards[n].driver), "%s", v->name);
		igt_info("%s: %s (%s)\n", path, v->name, v->desc);
		drmFreeVersion(v);
		close(fd);
		n++;
	}
	return n;
}

static int smoke_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, space-joined list of driver names. */
static void smoke_join(char **names, int n, char *out, size_t len)
{
	qsort(names, n, sizeof(*names), smoke_cmp);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(out, names[i], len - strlen(out) - 1);
		if (i + 1 < n)
			strncat(out, " ", len - strlen(out) - 1);
	}
}

static int smoke_open_virtio(int idx)
{
	struct smoke_card cards[SMOKE_MAX_CARDS];
	int n = smoke_cards(cards);

	for (int i = 0; i < n; i++) {
		if (strcmp(cards[i].driver, "virtio_gpu"))
			continue;
		if (idx-- == 0)
			return open(cards[i].node, O_RDWR | O_CLOEXEC);
	}
	return -1;
}

static int smoke_getparam(int fd, uint64_t param, int *value)
{
	struct drm_virtgpu_getparam gp = {
		.param = param,
		.value = (uintptr_t)value,
	};

	return igt_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp) ? -errno : 0;
}

igt_main
{
	igt_describe("Every DRM device opens and reports its driver; with "
		     "IGT_DRM_EXPECT set, exactly the expected drivers exist.");
	igt_subtest("devices") {
		struct smoke_card cards[SMOKE_MAX_CARDS];
		char *names[SMOKE_MAX_CARDS], *expect_env, *tok, *save;
		char *expect[SMOKE_MAX_CARDS], got[512], want[512];
		int n, m = 0;

		n = smoke_cards(cards);
		igt_require_f(n > 0, "no DRM device\n");
		for (int i = 0; i < n; i++)
			names[i] = cards[i].driver;
		smoke_join(names, n, got, sizeof(got));

		expect_env = getenv("IGT_DRM_EXPECT");
		if (expect_env) {
			expect_env = strdup(expect_env);
			for (tok = strtok_r(expect_env, " ", &save);
			     tok && m < SMOKE_MAX_CARDS;
			     tok = strtok_r(NULL, " ", &save))
				expect[m++] = tok;
			smoke_join(expect, m, want, sizeof(want));
			igt_assert_f(!strcmp(got, want),
				     "drivers \"%s\", expected \"%s\"\n", got, want);
			free(expect_env);
		}
	}

	igt_describe("Each virtio-gpu device answers GETPARAM; 3D devices "
		     "report capability sets.");
	igt_subtest("virtio-gpu-params") {
		int fd, idx, threed, capsets, n3d = 0;

		for (idx = 0; (fd = smoke_open_virtio(idx)) >= 0; idx++) {
			igt_assert_eq(smoke_getparam(fd, VIRTGPU_PARAM_3D_FEATURES,
						     &threed), 0);
			igt_assert(threed == 0 || threed == 1);
			if (threed) {
				igt_assert_eq(smoke_getparam(fd,
					VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs, &capsets), 0);
				igt_assert_neq(capsets, 0);
				n3d++;
			}
			igt_info("virtio-gpu #%d: 3d=%d\n", idx, threed);
			close(fd);
		}
		igt_require_f(idx > 0, "no virtio-gpu device\n");
		igt_info("%d virtio-gpu devices, %d with 3D\n", idx, n3d);
	}

	igt_describe("vgem creates, maps and keeps the contents of a dumb BO.");
	igt_subtest("vgem-dumb") {
		struct drm_mode_create_dumb create = {
			.width = 256, .height = 256, .bpp = 32,
		};
		struct drm_mode_map_dumb map = {};
		uint32_t *ptr;
		int fd;

		fd = drm_open_driver(DRIVER_VGEM);
		do_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create);
		igt_assert_lte_u64(256 * 256 * 4, create.size);
		map.handle = create.handle;
		do_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
		ptr = mmap(NULL, create.size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, map.offset);
		igt_assert(ptr != MAP_FAILED);
		for (unsigned int i = 0; i < create.size / 4; i++)
			ptr[i] = i ^ 0x5a5a5a5a;
		munmap(ptr, create.size);
		ptr = mmap(NULL, create.size, PROT_READ, MAP_SHARED, fd,
			   map.offset);
		igt_assert(ptr != MAP_FAILED);
		for (unsigned int i = 0; i < create.size / 4; i++)
			igt_assert_eq(ptr[i], i ^ 0x5a5a5a5a);
		munmap(ptr, create.size);
		gem_close(fd, create.handle);
		close(fd);
	}

	igt_describe("The shrinker debugfs tree lists registered shrinkers, "
		     "each with a count file that reads.");
	igt_subtest("shrinker-debugfs") {
		char path[512], buf[4096];
		struct dirent *de;
		int entries = 0;
		DIR *dir;

		snprintf(path, sizeof(path), "%s/shrinker", igt_debugfs_mount());
		dir = opendir(path);
		igt_require_f(dir, "%s: %m (CONFIG_SHRINKER_DEBUG?)\n", path);
		while ((de = readdir(dir))) {
			ssize_t len;
			int fd;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/shrinker/%s/count",
				 igt_debugfs_mount(), de->d_name);
			fd = open(path, O_RDONLY);
			igt_assert_f(fd >= 0, "%s: %m\n", path);
			len = read(fd, buf, sizeof(buf) - 1);
			igt_assert_f(len >= 0, "%s: %m\n", path);
			close(fd);
			igt_info("shrinker %s\n", de->d_name);
			entries++;
		}
		closedir(dir);
		igt_assert_lt(0, entries);
	}

	igt_describe("DRM core registered its one shrinker, and its global and "
		     "per-device statistics files hold every documented key.");
	igt_subtest("drm-shrinker-debugfs") {
		struct shrinker_stats stats;
		int fd;

		igt_assert_f(shrinker_debugfs_dir(),
			     "no drm-shrinker-* in /sys/kernel/debug/shrinker\n");
		shrinker_stats_global(&stats);
		for (int i = 0; (fd = shrinker_open_driver("virtio_gpu", i)) >= 0; i++) {
			shrinker_stats_device(fd, &stats);
			close(fd);
		}
		fd = drm_open_driver(DRIVER_VGEM);
		shrinker_stats_device(fd, &stats);
		close(fd);
	}
}
