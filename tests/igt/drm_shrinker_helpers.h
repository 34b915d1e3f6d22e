/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the DRM shrinker IGT tests: the shrinker's debugfs
 * statistics, scans through /sys/kernel/debug/shrinker, and opening DRM
 * devices by driver name. Header-only so each test stays one file in an
 * IGT tree.
 */
#ifndef DRM_SHRINKER_HELPERS_H
#define DRM_SHRINKER_HELPERS_H

#include "igt.h"
#include "drm_shrinker_open.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <limits.h>
#include <stddef.h>

/* One statistics file of the DRM shrinker, as documented. */
struct shrinker_stats {
	uint64_t scans;
	uint64_t purgeable_objects;
	uint64_t purgeable_pages;
	uint64_t scanned_objects;
	uint64_t purged_objects;
	uint64_t purged_pages;
	uint64_t skipped_contended;
	uint64_t skipped_busy;
	uint64_t skipped_pinned;
	uint64_t skipped_dmabuf;
	uint64_t skipped_gone;
	uint64_t skipped_failed;
	uint64_t skipped_pending;
	uint64_t skipped_referenced;
	uint64_t pending_objects;
	uint64_t called_off_objects;
	uint64_t purged_by_kswapd;
	uint64_t purged_by_direct;
	uint64_t purged_by_other;
	uint64_t evictable_objects;
	uint64_t evictable_pages;
	uint64_t evicted_objects;
	uint64_t evicted_pages;
	uint64_t evicted_by_kswapd;
	uint64_t evicted_by_direct;
	uint64_t evicted_by_other;
	uint64_t swapped_in_objects;
	uint64_t swapped_in_pages;
	int keys;
};

static inline void shrinker_stats_parse(FILE *f, struct shrinker_stats *s)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
#define SHRINKER_KEY(k) { #k, offsetof(struct shrinker_stats, k) }
		SHRINKER_KEY(scans),
		SHRINKER_KEY(purgeable_objects),
		SHRINKER_KEY(purgeable_pages),
		SHRINKER_KEY(scanned_objects),
		SHRINKER_KEY(purged_objects),
		SHRINKER_KEY(purged_pages),
		SHRINKER_KEY(skipped_contended),
		SHRINKER_KEY(skipped_busy),
		SHRINKER_KEY(skipped_pinned),
		SHRINKER_KEY(skipped_dmabuf),
		SHRINKER_KEY(skipped_gone),
		SHRINKER_KEY(skipped_failed),
		SHRINKER_KEY(skipped_pending),
		SHRINKER_KEY(skipped_referenced),
		SHRINKER_KEY(pending_objects),
		SHRINKER_KEY(called_off_objects),
		SHRINKER_KEY(purged_by_kswapd),
		SHRINKER_KEY(purged_by_direct),
		SHRINKER_KEY(purged_by_other),
		SHRINKER_KEY(evictable_objects),
		SHRINKER_KEY(evictable_pages),
		SHRINKER_KEY(evicted_objects),
		SHRINKER_KEY(evicted_pages),
		SHRINKER_KEY(evicted_by_kswapd),
		SHRINKER_KEY(evicted_by_direct),
		SHRINKER_KEY(evicted_by_other),
		SHRINKER_KEY(swapped_in_objects),
		SHRINKER_KEY(swapped_in_pages),
#undef SHRINKER_KEY
	};
	char key[64];
	uint64_t value;

	memset(s, 0, sizeof(*s));
	while (fscanf(f, "%63[^:]: %" SCNu64 "\n", key, &value) == 2) {
		for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++) {
			if (strcmp(key, keys[i].key))
				continue;
			*(uint64_t *)((char *)s + keys[i].offset) = value;
			s->keys++;
		}
	}
}

/*
 * Whether the purges and evictions by origin add up to the purges and
 * evictions, as documented.
 */
static inline bool shrinker_stats_add_up(const struct shrinker_stats *s)
{
	return s->purged_by_kswapd + s->purged_by_direct +
	       s->purged_by_other == s->purged_objects &&
	       s->evicted_by_kswapd + s->evicted_by_direct +
	       s->evicted_by_other == s->evicted_objects;
}

/*
 * Read a statistics file (@path, or "shrinker" in the directory @dir):
 * every documented key, and the breakdowns by origin adding up. The
 * numbers are per CPU, so a copy taken while a scan adds up its counts
 * may catch half of them: read again for up to 1 s.
 */
static inline void shrinker_stats_read(int dir, const char *path, int keys,
				       struct shrinker_stats *s)
{
	for (int i = 0; i < 100; i++) {
		int fd = dir >= 0 ? openat(dir, path, O_RDONLY) : open(path, O_RDONLY);
		FILE *f;

		igt_assert_f(fd >= 0, "%s: %m\n", path);
		f = fdopen(fd, "r");
		igt_assert(f);
		shrinker_stats_parse(f, s);
		fclose(f);
		igt_assert_eq(s->keys, keys);
		if (shrinker_stats_add_up(s))
			return;
		usleep(10000);
	}
	igt_assert_f(false,
		     "%s: by origin, purged %" PRIu64 "+%" PRIu64 "+%" PRIu64
		     " of %" PRIu64 ", evicted %" PRIu64 "+%" PRIu64 "+%" PRIu64
		     " of %" PRIu64 "\n", path,
		     s->purged_by_kswapd, s->purged_by_direct, s->purged_by_other,
		     s->purged_objects, s->evicted_by_kswapd, s->evicted_by_direct,
		     s->evicted_by_other, s->evicted_objects);
}

/* The global statistics: /sys/kernel/debug/dri/shrinker. */
static inline void shrinker_stats_global(struct shrinker_stats *s)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/dri/shrinker", igt_debugfs_mount());
	shrinker_stats_read(-1, path, 28, s);
}

/* The statistics of the device behind @fd. */
static inline void shrinker_stats_device(int fd, struct shrinker_stats *s)
{
	int dir = igt_debugfs_dir(fd);

	igt_assert_f(dir >= 0, "no debugfs directory for the device\n");
	shrinker_stats_read(dir, "shrinker", 27, s);
	close(dir);
}

/*
 * The statistics of @fd's device (of all devices if @fd < 0) once it has
 * @objects purgeable objects, or after 10 s. A closed BO leaves the list
 * when its last reference goes, and a driver may hold one for a while:
 * virtio-gpu drops the references of a command from a worker, after the
 * host answered it.
 */
static inline void shrinker_stats_settle(int fd, uint64_t objects,
					 struct shrinker_stats *s)
{
	for (int i = 0; i < 1000; i++) {
		if (fd < 0)
			shrinker_stats_global(s);
		else
			shrinker_stats_device(fd, s);
		if (s->purgeable_objects == objects)
			return;
		usleep(10000);
	}
}

/* A /proc/meminfo value (@key without the colon), in bytes. */
static inline uint64_t shrinker_meminfo(const char *key)
{
	char line[256];
	uint64_t kib = 0;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			sscanf(line + n + 1, "%" SCNu64, &kib);
	fclose(f);
	return kib << 10;
}

/* A /proc/vmstat counter (0 if there is none). */
static inline uint64_t shrinker_vmstat(const char *key)
{
	char name[64];
	uint64_t value, ret = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	igt_assert(f);
	while (fscanf(f, "%63s %" SCNu64, name, &value) == 2)
		if (!strcmp(name, key))
			ret = value;
	fclose(f);
	return ret;
}

/*
 * The body of a memory hog child: allocate and touch @bytes of anonymous
 * memory, then exit 0 (2 if it could not map them). If reclaim fails, the
 * OOM killer takes the hog first.
 */
static inline void shrinker_hog(uint64_t bytes)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");
	char *p;

	if (f) {
		fputs("1000", f);
		fclose(f);
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	for (uint64_t i = 0; i < bytes; i += 4096)
		p[i] = 1;
	_exit(0);
}

/*
 * Run a memory hog of @bytes in a child (shrinker_hog()), which dies with
 * the caller, and wait for it; its wait status.
 */
static inline int shrinker_run_hog(uint64_t bytes)
{
	pid_t pid = fork();
	int status;

	igt_assert(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		shrinker_hog(bytes);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* Path of the drm-shrinker entry in /sys/kernel/debug/shrinker, or NULL. */
static inline const char *shrinker_debugfs_dir(void)
{
	static char path[PATH_MAX + 256];
	struct dirent *de;
	char root[PATH_MAX];
	DIR *dir;

	snprintf(root, sizeof(root), "%s/shrinker", igt_debugfs_mount());
	dir = opendir(root);
	if (!dir)
		return NULL;
	path[0] = '\0';
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, "drm-shrinker-", 13)) {
			snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
			break;
		}
	}
	closedir(dir);
	return path[0] ? path : NULL;
}

/*
 * Wait (up to 10 s) until no purge is in flight: virtio-gpu sends the host
 * a detach command in the scan and frees the pages once the host answered,
 * from its dequeue worker (or at the next scan).
 */
static inline void shrinker_pending_settle(void)
{
	struct shrinker_stats s;

	for (int i = 0; i < 1000; i++) {
		shrinker_stats_global(&s);
		if (!s.pending_objects)
			return;
		usleep(10000);
	}
}

/*
 * Scan every list of the DRM shrinker that holds objects, through the
 * core MM's debugfs interface, as an admin would: `count` has a line
 * "<memcg inode> <pages on node 0> <pages on node 1>..." per memory
 * cgroup with objects, and writing "<memcg inode> <node> <n>" to `scan`
 * looks at that cgroup's objects on that node, oldest first, until their
 * pages reach n. So objects of up to @pages pages of each list are looked
 * at. Purges it started may still be in flight when this returns.
 */
static inline void __shrinker_scan(uint64_t pages)
{
	const char *dir = shrinker_debugfs_dir();
	char path[PATH_MAX + 512], cmd[96], line[1024];
	struct { unsigned long ino; int nid; } lists[256];
	unsigned int nr = 0;
	FILE *f;
	int fd, len;

	igt_require_f(dir, "no drm-shrinker in debugfs (CONFIG_SHRINKER_DEBUG?)\n");
	snprintf(path, sizeof(path), "%s/count", dir);
	f = fopen(path, "r");
	igt_assert_f(f, "%s: %m\n", path);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned long ino = strtoul(p, &end, 10);

		if (end == p)
			continue;
		p = end;
		for (int nid = 0; nr < ARRAY_SIZE(lists); nid++) {
			unsigned long count = strtoul(p, &end, 10);

			if (end == p)
				break;
			p = end;
			if (count) {
				lists[nr].ino = ino;
				lists[nr++].nid = nid;
			}
		}
	}
	fclose(f);

	snprintf(path, sizeof(path), "%s/scan", dir);
	fd = open(path, O_WRONLY);
	igt_assert_f(fd >= 0, "%s: %m\n", path);
	for (unsigned int i = 0; i < nr; i++) {
		len = snprintf(cmd, sizeof(cmd), "%lu %d %" PRIu64,
			       lists[i].ino, lists[i].nid, pages);
		/* A cgroup removed meanwhile: ENOENT. */
		igt_assert_f(write(fd, cmd, len) == len || errno == ENOENT,
			     "%s: %s: %m\n", path, cmd);
	}
	close(fd);
}

/*
 * The inode number of the calling process's memory cgroup, as the
 * shrinker debugfs files name it: its directory under /sys/fs/cgroup, or
 * 1 (the root) where cgroup2 is not mounted there.
 */
static inline unsigned long shrinker_memcg_ino(void)
{
	char line[PATH_MAX], path[PATH_MAX + 32];
	unsigned long ino = 1;
	struct stat st;
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (!f)
		return ino;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s", line + 3);
		if (!stat(path, &st) && !access("/sys/fs/cgroup/cgroup.controllers", F_OK))
			ino = st.st_ino;
	}
	fclose(f);
	return ino;
}

/* Write @value to the file @path: 0 or -errno. */
static inline int shrinker_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The line of the memory cgroup of inode @ino in the shrinker's debugfs
 * `count`: what it counts on each node, into @per_node (up to @max
 * nodes). Returns the nodes read, 0 if the cgroup has no line.
 */
static inline int shrinker_count_read(unsigned long ino, uint64_t *per_node,
				      int max)
{
	char path[PATH_MAX + 16], line[1024];
	int nodes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/count", shrinker_debugfs_dir());
	f = fopen(path, "r");
	igt_assert_f(f, "%s: %m\n", path);
	while (!nodes && fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		if (strtoul(p, &end, 10) != ino || end == p)
			continue;
		for (p = end; nodes < max; p = end) {
			per_node[nodes] = strtoul(p, &end, 10);
			if (end == p)
				break;
			nodes++;
		}
	}
	fclose(f);
	return nodes;
}

/*
 * Swap on zram of @disksize (as sysfs takes it, "512M"), replacing any
 * left over from an interrupted run; skips without zram.
 */
static inline void shrinker_zram_on(const char *disksize)
{
	igt_require_f(!access("/sys/block/zram0/disksize", W_OK),
		      "needs zram (CONFIG_ZRAM)\n");
	igt_ignore_warn(system("swapoff /dev/zram0 2>/dev/null"));
	shrinker_write("/sys/block/zram0/reset", "1");
	igt_assert_eq(shrinker_write("/sys/block/zram0/disksize", disksize), 0);
	igt_assert_eq(system("mkswap /dev/zram0 >/dev/null && swapon /dev/zram0"), 0);
}

/* No swap on zram any more: what is in it comes back to memory first. */
static inline void shrinker_zram_off(void)
{
	igt_ignore_warn(system("swapoff /dev/zram0 2>/dev/null"));
	shrinker_write("/sys/block/zram0/reset", "1");
}

/*
 * Let scans outside memory reclaim (the core MM's debugfs scan,
 * drop_caches) evict too, or not (the default: only reclaim evicts), with
 * the DRM shrinker's debugfs switch, for tests that evict by a scan.
 */
static inline void shrinker_scan_evicts(bool on)
{
	char path[PATH_MAX];

	int ret;

	snprintf(path, sizeof(path), "%s/dri/shrinker_scan_evicts",
		 igt_debugfs_mount());
	ret = shrinker_write(path, on ? "1" : "0");
	/* Kernels before the switch evict in every scan. */
	if (ret == -ENOENT)
		igt_info("%s: none, scans evict\n", path);
	else
		igt_assert_eq(ret, 0);
}

/* The same, then wait for the purges it started to finish. */
static inline void shrinker_scan(uint64_t pages)
{
	__shrinker_scan(pages);
	shrinker_pending_settle();
}

/* Value of an fdinfo key of @fd in bytes (KiB/MiB units folded), or -1. */
static inline int64_t shrinker_fdinfo(int fd, const char *key)
{
	char path[64], line[256], unit[8];
	int64_t ret = -1, value;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(key);

		if (strncmp(line, key, n) || line[n] != ':')
			continue;
		unit[0] = '\0';
		if (sscanf(line + n + 1, " %" SCNd64 " %7s", &value, unit) < 1)
			break;
		if (!strcmp(unit, "KiB"))
			value *= 1024;
		else if (!strcmp(unit, "MiB"))
			value *= 1024 * 1024;
		ret = value;
		break;
	}
	fclose(f);
	return ret;
}

#endif /* DRM_SHRINKER_HELPERS_H */
