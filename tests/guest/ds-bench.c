// SPDX-License-Identifier: MIT
/*
 * `make bench`, run in the guest: the DRM shrinker against its anchors,
 * each as a ratio measured in this one run.
 *
 *  reclaim   purging G MiB of DONTNEED vgem BOs through a shrinker scan vs
 *            freeing the same amount by closing the BOs (goal: >= 0.9)
 *  pressure  a process allocating and touching most of the guest's memory
 *            while the only reclaimable memory is (a) G MiB of DONTNEED
 *            BOs, (b) G MiB of clean page cache, or (c) nothing, because
 *            the BOs were closed first: allocation throughput of (a) vs
 *            GEM_CLOSE + allocation in (c) (goal: >= 0.9), and time of (a)
 *            over (b) (goal: <= 1.2); after one unmeasured run of the hog
 *            that makes the host back all of the guest's memory
 *  madvise   latency of DRM_IOCTL_VIRTGPU_MADVISE vs GETPARAM, a no-op
 *  scaling   madvise throughput of 2 and 4 threads, each with its own
 *            file, on one device vs on two devices (a per-device wall?),
 *            and their speedup over 1 thread vs the speedup of GETPARAM,
 *            which takes no shared lock (is the shrinker's lock a wall?)
 *  nostall   the worst latency of a scan over 1000 DONTNEED BOs of the 2D
 *            virtio-gpu while another thread keeps its host busy with
 *            slow transfers, against a scan over 1000 vgem BOs (no host)
 *            with the host as busy, from the tracepoints
 *            drm_shrinker_scan_start and drm_shrinker_scan
 *  evict     with swap on zram: evicting mapped, idle vgem BOs through a
 *            scan (pages written to zram) vs MADV_PAGEOUT of as much
 *            anonymous memory with the same contents (goal: >= 0.8 of
 *            its throughput); the first use of an evicted 1 MiB and 64 MiB
 *            BO, by CPU faults and by a fence attach (vgem's submission),
 *            vs touching as much swapped-out anonymous memory (goal:
 *            <= 1.5); a fence attach and signal on a BO whose attach
 *            bumps it on the evictable list vs on one that is on no list
 *            (goal: <= 1.1)
 *  free      how long a free waits for scans: GEM_CLOSE of DONTNEED BOs
 *            while scans purge them, and the munmap that frees mapped
 *            BOs while scans evict them, p50 and p99, against the same
 *            frees with no scan (goal for p99: <= 2)
 *
 * For each case of the pressure benchmark it also prints what reclaim did
 * while the hog ran (direct reclaims, pages taken from the LRUs, shrinker
 * scans), the reason for a gap between (a) and (b).
 *
 * Prints a Markdown table; writes CSV to argv[1], what reclaim did to
 * argv[2], and every /proc/vmstat counter that moved during each run of
 * the hog to argv[3]. DS_BENCH_MIB sets G
 * (default 512); DS_PAGECACHE names a file of at least G MiB on a file
 * system with a page cache, for (b). DS_BENCH, a comma-separated list of
 * the names above, runs only those (default: all).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include "drm_shrinker_open.h"

#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <drm/virtgpu_drm.h>

#define BO_SIZE (4 << 20)

static FILE *csv, *csv_reclaim, *vmstat_log;

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

/* A vgem BO of @pages pages in *@handle, and a CPU mapping of it. */
static uint32_t *vgem_bo_map(int fd, uint32_t pages, uint32_t *handle)
{
	struct drm_mode_create_dumb create = {
		.width = 1024, .height = pages, .bpp = 32,
	};
	struct drm_mode_map_dumb map = {};
	void *p;

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		die("create");
	map.handle = create.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		die("map");
	p = mmap(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, map.offset);
	if (p == MAP_FAILED)
		die("mmap");
	*handle = create.handle;
	return p;
}

/* A vgem BO of @pages pages, written so that it holds them. */
static uint32_t vgem_bo_pages(int fd, uint32_t pages)
{
	size_t size = (size_t)pages * 4096;
	uint32_t handle;
	void *p = vgem_bo_map(fd, pages, &handle);

	memset(p, 1, size);
	munmap(p, size);
	return handle;
}

static uint32_t vgem_bo(int fd)
{
	return vgem_bo_pages(fd, BO_SIZE / 4096);
}

/*
 * The inode of this process's memory cgroup, as the shrinker's debugfs
 * files name it (1, the root, without cgroup2 on /sys/fs/cgroup).
 */
static unsigned long memcg_ino(void)
{
	char line[4096], path[4200];
	unsigned long ino = 1;
	struct stat st;
	FILE *f = fopen("/proc/self/cgroup", "r");

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s", line + 3);
		if (!strncmp(line, "0::", 3) && !stat(path, &st) &&
		    !access("/sys/fs/cgroup/cgroup.controllers", F_OK))
			ino = st.st_ino;
	}
	if (f)
		fclose(f);
	return ino;
}

/* A scan of everything of this process's cgroup on node 0. */
static void scan_all(void)
{
	char path[512], cmd[64];
	glob_t g;
	int fd, len;

	if (glob("/sys/kernel/debug/shrinker/drm-shrinker-*/scan", 0, NULL, &g) ||
	    !g.gl_pathc)
		die("no drm-shrinker scan file");
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	len = snprintf(cmd, sizeof(cmd), "%lu 0 4294967295", memcg_ino());
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, cmd, len) != len)
		die("scan");
	close(fd);
}

static double best(double a, double b)
{
	return a > b ? a : b;
}

static double least(double a, double b)
{
	return a < b ? a : b;
}

/* Close every BO of @handles; the seconds it took. */
static double close_all(int fd, uint32_t *handles, int n)
{
	double t = now();

	for (int i = 0; i < n; i++) {
		struct drm_gem_close c = { .handle = handles[i] };

		if (drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c))
			die("close");
	}
	return now() - t;
}

/* Fill @handles with @n new, written vgem BOs marked DONTNEED. */
static void dontneed_bos(int fd, uint32_t *handles, int n)
{
	for (int i = 0; i < n; i++) {
		struct drm_vgem_madvise m = { .madv = VGEM_MADV_DONTNEED };

		handles[i] = vgem_bo(fd);
		m.handle = handles[i];
		if (drmIoctl(fd, DRM_IOCTL_VGEM_MADVISE, &m))
			die("madvise");
	}
}

static void bench_reclaim(int mib)
{
	int fd = shrinker_open_driver("vgem", 0), n = mib / (BO_SIZE >> 20);
	uint32_t *handles = calloc(n, sizeof(*handles));
	double t, scan_s = 1e9, close_s = 1e9;

	if (fd < 0 || !handles)
		die("vgem");
	/*
	 * The fastest of 3 rounds of each side, alternating: one run of each
	 * read 0.87 and 1.04 in two runs of the same code.
	 */
	for (int round = 0; round < 3; round++) {
		/* Anchor: freeing by closing. */
		for (int i = 0; i < n; i++)
			handles[i] = vgem_bo(fd);
		close_s = least(close_s, close_all(fd, handles, n));

		/* The shrinker: purging the same amount in one scan. */
		dontneed_bos(fd, handles, n);
		t = now();
		scan_all();
		scan_s = least(scan_s, now() - t);
		for (int i = 0; i < n; i++) {
			struct drm_vgem_madvise m = {
				.handle = handles[i], .madv = VGEM_MADV_WILLNEED,
			};

			if (drmIoctl(fd, DRM_IOCTL_VGEM_MADVISE, &m) || m.retained)
				die("a BO survived the scan");
		}
		close_all(fd, handles, n);
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
	/* HOT_GETPARAM, HOT_MADVISE or HOT_WAIT */
	int madvise;
};

enum { HOT_GETPARAM, HOT_MADVISE, HOT_WAIT };

static void *hot_loop(void *data)
{
	struct hot *h = data;
	double end = now() + h->seconds;
	int value;

	while (now() < end) {
		for (int i = 0; i < 1000; i++) {
			if (h->madvise == HOT_MADVISE) {
				struct drm_virtgpu_madvise m = {
					.bo_handle = h->handle, .madv = i & 1,
				};

				if (drmIoctl(h->fd, DRM_IOCTL_VIRTGPU_MADVISE, &m))
					die("madvise");
			} else if (h->madvise == HOT_WAIT) {
				struct drm_virtgpu_3d_wait w = {
					.handle = h->handle,
					.flags = VIRTGPU_WAIT_NOWAIT,
				};

				if (drmIoctl(h->fd, DRM_IOCTL_VIRTGPU_WAIT, &w))
					die("wait");
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
	struct drm_virtgpu_3d_wait w = {};

	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc))
		die("resource create");
	/* Idle before the loops: WAIT(NOWAIT) on it must not see its creation. */
	w.handle = rc.bo_handle;
	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &w))
		die("wait for the new BO");
	return rc.bo_handle;
}

/* Calls per second of @n threads, each on its own BO of fds[i]. */
static double hot_run(int *fds, int n, int madvise, double seconds)
{
	struct hot h[8];
	pthread_t t[8];
	long calls = 0;

	for (int i = 0; i < n; i++) {
		h[i] = (struct hot){ .fd = fds[i], .seconds = seconds, .madvise = madvise };
		h[i].handle = virtio_bo(fds[i]);
		pthread_create(&t[i], NULL, hot_loop, &h[i]);
	}
	for (int i = 0; i < n; i++) {
		struct drm_gem_close c = { .handle = h[i].handle };

		pthread_join(t[i], NULL);
		calls += h[i].calls;
		if (drmIoctl(fds[i], DRM_IOCTL_GEM_CLOSE, &c))
			die("close");
	}
	return calls / seconds;
}

static void bench_hot(double seconds)
{
	/*
	 * One file per thread, so that the threads share no drm_file (its
	 * handle table lock) and no struct file: all they share on one device
	 * is the device, and on any device the shrinker.
	 */
	int same[4], apart[4];
	double madv = 0, noop = 0, one2 = 0, two2 = 0, one4 = 0, two4 = 0;
	double noop2 = 0, noop4 = 0, nowait = 0;

	for (int i = 0; i < 4; i++) {
		same[i] = shrinker_open_driver("virtio_gpu", 0);
		apart[i] = i % 2 ? shrinker_open_driver("virtio_gpu", 1) : same[i];
		if (same[i] < 0 || apart[i] < 0)
			die("virtio-gpu");
	}
	/*
	 * The fastest of 5 rounds, each measure once per round: one run of
	 * each gave speedups of GETPARAM above the 2 vCPUs' 2x (2.66, its
	 * 1-thread run slowed by something else), or madvise's below; with
	 * 3 rounds, madvise's 2-thread speedup still read 0.92 to 1.42 of
	 * GETPARAM's from boot to boot.
	 */
	for (int round = 0; round < 5; round++) {
		noop = best(noop, hot_run(same, 1, HOT_GETPARAM, seconds));
		madv = best(madv, hot_run(same, 1, HOT_MADVISE, seconds));
		nowait = best(nowait, hot_run(same, 1, HOT_WAIT, seconds));
		one2 = best(one2, hot_run(same, 2, HOT_MADVISE, seconds));
		two2 = best(two2, hot_run(apart, 2, HOT_MADVISE, seconds));
		one4 = best(one4, hot_run(same, 4, HOT_MADVISE, seconds));
		two4 = best(two4, hot_run(apart, 4, HOT_MADVISE, seconds));
		noop2 = best(noop2, hot_run(same, 2, HOT_GETPARAM, seconds));
		noop4 = best(noop4, hot_run(same, 4, HOT_GETPARAM, seconds));
	}
	row("madvise", "madvise latency", 1e6 / madv, "us", "GETPARAM latency",
	    1e6 / noop, "<= 1.3");
	/*
	 * What any ioctl on a BO costs beyond GETPARAM (the handle's lookup
	 * and reference, in WAIT with NOWAIT on an idle BO), to tell the
	 * shrinker's share of madvise's cost from that floor; no goal.
	 */
	row("madvise", "madvise latency", 1e6 / madv, "us",
	    "WAIT(NOWAIT) latency", 1e6 / nowait, "-");
	row("scaling", "2 threads, one device", one2 / 1e3, "kcalls/s",
	    "2 threads, two devices", two2 / 1e3, "~1: no wall");
	row("scaling", "4 threads, one device", one4 / 1e3, "kcalls/s",
	    "4 threads, two devices", two4 / 1e3, "~1: no wall");
	row("scaling", "madvise, 2 threads over 1", one2 / madv, "x",
	    "GETPARAM, 2 threads over 1", noop2 / noop, ">= 0.95");
	row("scaling", "madvise, 4 threads over 1", one4 / madv, "x",
	    "GETPARAM, 4 threads over 1", noop4 / noop, ">= 0.95");
	for (int i = 0; i < 4; i++) {
		close(same[i]);
		if (i % 2)
			close(apart[i]);
	}
}

/* A /proc/meminfo value, in MiB. */
static long meminfo_mib(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long kib = -1;

	if (!f)
		die("meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			kib = atol(line + strlen(key) + 1);
	fclose(f);
	return kib / 1024;
}

/*
 * What a hog leaves free: 64 MiB above the zones' high watermarks (about
 * 1.5 times min_free_kbytes), which the allocator does not hand out. 64
 * MiB alone was enough on 6.12; in the 3 GiB guest of 7.3 the min
 * watermarks alone came to 76 MiB, and the warm-up hog, which has
 * nothing to reclaim, was OOM-killed.
 */
static long hog_margin_mib(void)
{
	FILE *f = fopen("/proc/sys/vm/min_free_kbytes", "r");
	long kib = 0;

	if (!f)
		die("min_free_kbytes");
	if (fscanf(f, "%ld", &kib) != 1) {
		errno = EINVAL;
		die("min_free_kbytes");
	}
	fclose(f);
	return 64 + (kib * 3 / 2 + 1023) / 1024;
}

/*
 * Drop the clean page cache. Only that: "2" and "3" would also run every
 * shrinker, which purges all DONTNEED BOs.
 */
static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "1", 1) != 1)
		die("drop_caches");
	close(fd);
}

/*
 * Seconds a child process takes to allocate and touch @mib MiB; dies if
 * the child does not get its memory (the OOM killer took it).
 */
static double hog(long mib)
{
	int pipefd[2], status;
	double seconds;
	pid_t pid;

	if (pipe(pipefd))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		size_t size = (size_t)mib << 20;
		double t = now();
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		for (size_t i = 0; i < size; i += 4096)
			p[i] = 1;
		t = now() - t;
		if (write(pipefd[1], &t, sizeof(t)) != sizeof(t))
			_exit(3);
		_exit(0);
	}
	close(pipefd[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || read(pipefd[0], &seconds, sizeof(seconds)) !=
	    sizeof(seconds)) {
		errno = 0;
		die("the memory hog did not get its memory (OOM-killed?)");
	}
	close(pipefd[0]);
	return seconds;
}

#define VMSTAT_MAX 256

/* All of /proc/vmstat: @n names and values. */
struct vmstat {
	char name[VMSTAT_MAX][48];
	long value[VMSTAT_MAX];
	int n;
};

static void vmstat_read(struct vmstat *v)
{
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		die("vmstat");
	for (v->n = 0; v->n < VMSTAT_MAX &&
	     fscanf(f, "%47s %ld", v->name[v->n], &v->value[v->n]) == 2; v->n++)
		;
	fclose(f);
}

/* How much the counters whose names start with @prefix moved, summed. */
static long vmstat_moved(const struct vmstat *v0, const struct vmstat *v1,
			 const char *prefix)
{
	long sum = 0;

	for (int i = 0; i < v0->n && i < v1->n; i++)
		if (!strncmp(v0->name[i], prefix, strlen(prefix)))
			sum += v1->value[i] - v0->value[i];
	return sum;
}

/* What reclaim did while a hog ran: /proc/vmstat and the shrinker's scans. */
struct activity {
	long allocstall, pgsteal_direct, pgsteal_kswapd, slabs_scanned;
	long scans, purged;
};

/* A global statistic of the DRM shrinker, from its debugfs file. */
static long shrinker_stat(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/dri/shrinker", "r");
	char key[64];
	long v, found = -1;

	if (!f)
		die("debugfs dri/shrinker");
	while (fscanf(f, "%63s %ld", key, &v) == 2) {
		if (!strncmp(key, name, strlen(name)) && key[strlen(name)] == ':')
			found = v;
	}
	fclose(f);
	if (found < 0) {
		errno = 0;
		die(name);
	}
	return found;
}

/* The shrinker's scans and purged pages so far. */
static void shrinker_read(long *scans, long *purged)
{
	*scans = shrinker_stat("scans");
	*purged = shrinker_stat("purged_pages");
}

/*
 * Run the hog; @a gets what reclaim did meanwhile, and every /proc/vmstat
 * counter that moved goes to the vmstat log under @label.
 */
static double hog_measured(long mib, struct activity *a, const char *label)
{
	static struct vmstat v0, v1;
	long scans0, purged0;
	double t;

	vmstat_read(&v0);
	shrinker_read(&scans0, &purged0);
	t = hog(mib);
	shrinker_read(&a->scans, &a->purged);
	vmstat_read(&v1);
	a->scans -= scans0;
	a->purged -= purged0;
	a->allocstall = vmstat_moved(&v0, &v1, "allocstall_");
	a->pgsteal_direct = vmstat_moved(&v0, &v1, "pgsteal_direct");
	a->pgsteal_kswapd = vmstat_moved(&v0, &v1, "pgsteal_kswapd");
	a->slabs_scanned = vmstat_moved(&v0, &v1, "slabs_scanned");
	fprintf(vmstat_log, "%s: %.2f s\n", label, t);
	for (int i = 0; i < v0.n && i < v1.n; i++)
		if (v1.value[i] != v0.value[i] && !strcmp(v0.name[i], v1.name[i]))
			fprintf(vmstat_log, "  %s %ld\n", v0.name[i],
				v1.value[i] - v0.value[i]);
	return t;
}

static void activity_row(const char *what, double seconds, const struct activity *a)
{
	printf("| %s | %.2f | %ld | %ld | %ld | %ld | %ld | %ld |\n", what,
	       seconds, a->allocstall, a->pgsteal_direct, a->pgsteal_kswapd,
	       a->slabs_scanned, a->scans, a->purged);
	fprintf(csv_reclaim, "%s,%.4f,%ld,%ld,%ld,%ld,%ld,%ld\n", what, seconds,
		a->allocstall, a->pgsteal_direct, a->pgsteal_kswapd,
		a->slabs_scanned, a->scans, a->purged);
}

/* Read @mib MiB of @path into the page cache; the MiB that it added. */
static long fill_page_cache(const char *path, int mib, char *buf)
{
	long cached = meminfo_mib("Cached");
	ssize_t got;
	int cfd = open(path, O_RDONLY);

	if (cfd < 0)
		die(path);
	for (long left = (long)mib << 20; left > 0; left -= got) {
		got = read(cfd, buf, 1 << 20);
		if (got <= 0)
			die("page cache file too short");
	}
	close(cfd);
	return meminfo_mib("Cached") - cached;
}

#define PRESSURE_ROUNDS 3

/*
 * PRESSURE_ROUNDS rounds of (a), (b) and (c), in turn; each case keeps its
 * fastest round, as TCG makes single runs of the hog vary by 20%.
 */
static void bench_pressure(int mib, const char *pagecache)
{
	int fd = shrinker_open_driver("vgem", 0), n = mib / (BO_SIZE >> 20);
	uint32_t *handles = calloc(n, sizeof(*handles));
	/* t_free: GEM_CLOSE and then the allocation, together. */
	double t_bo = 1e9, t_cache = 1e9, t_free = 1e9, t, t_close, t_warm;
	long free0, hog_mib, purged, least_purged = -1, cached, least_cached = -1;
	long lacked, least_lacked = -1;
	struct activity a, act_bo, act_cache, act_free;
	/* Every round's times, printed after the table. */
	char *rounds = NULL, label[64];
	size_t rounds_size;
	FILE *log = open_memstream(&rounds, &rounds_size);
	char *buf = malloc(1 << 20);

	if (fd < 0 || !handles || !buf || !log)
		die("vgem");
	/*
	 * Warm-up, not measured: the host backs the guest's memory on first
	 * touch, which made the first measured case up to twice as slow. It
	 * also leaves the guest with less in its other caches.
	 */
	drop_caches();
	t_warm = hog(meminfo_mib("MemFree") - hog_margin_mib());
	drop_caches();
	free0 = meminfo_mib("MemFree");
	/* Most of what is free now: G MiB less must come from reclaim. */
	hog_mib = free0 - hog_margin_mib();

	for (int round = 0; round < PRESSURE_ROUNDS; round++) {
		/* (a) The only reclaimable memory: DONTNEED BOs. */
		dontneed_bos(fd, handles, n);
		drop_caches();
		/* What the hog cannot get without reclaim. */
		lacked = hog_mib - meminfo_mib("MemFree");
		snprintf(label, sizeof(label), "round %d, (a) DONTNEED BOs", round + 1);
		t = hog_measured(hog_mib, &a, label);
		purged = a.purged * 4096 >> 20;
		/*
		 * Most of the memory must have come from the BOs. Not all:
		 * reclaim also takes the page cache of the mapped binaries
		 * (about an eighth here), which drop_caches leaves.
		 */
		if (purged < lacked * 3 / 4) {
			errno = 0;
			fprintf(stderr, "ds-bench: round %d: the hog lacked %ld MiB, reclaim purged %ld MiB\n",
				round + 1, lacked, purged);
			die("reclaim purged less than the hog needed");
		}
		if (least_lacked < 0 || lacked < least_lacked)
			least_lacked = lacked;
		close_all(fd, handles, n);
		fprintf(log, "round %d: (a) %.2f s (%ld direct reclaims)",
			round + 1, t, a.allocstall);
		if (t < t_bo) {
			t_bo = t;
			act_bo = a;
		}
		if (least_purged < 0 || purged < least_purged)
			least_purged = purged;

		/* (b) The only reclaimable memory: clean page cache. */
		drop_caches();
		cached = fill_page_cache(pagecache, mib, buf);
		if (cached < mib * 9 / 10) {
			errno = 0;
			fprintf(stderr, "ds-bench: reading %d MiB cached only %ld MiB\n",
				mib, cached);
			die("page cache");
		}
		snprintf(label, sizeof(label), "round %d, (b) clean page cache", round + 1);
		t = hog_measured(hog_mib, &a, label);
		fprintf(log, ", (b) %.2f s (%ld)", t, a.allocstall);
		if (t < t_cache) {
			t_cache = t;
			act_cache = a;
		}
		if (least_cached < 0 || cached < least_cached)
			least_cached = cached;

		/* (c) The anchor: the same BOs closed, then the same allocation. */
		drop_caches();
		for (int i = 0; i < n; i++)
			handles[i] = vgem_bo(fd);
		t_close = close_all(fd, handles, n);
		drop_caches();
		snprintf(label, sizeof(label), "round %d, (c) BOs closed first", round + 1);
		t = t_close + hog_measured(hog_mib, &a, label);
		fprintf(log, ", (c) %.2f s (GEM_CLOSE %.2f s of it)\n", t, t_close);
		if (t < t_free) {
			t_free = t;
			act_free = a;
		}
	}

	row("pressure", "allocate, BOs purged by reclaim", hog_mib / 1024.0 / t_bo,
	    "GiB/s", "GEM_CLOSE, then allocate", hog_mib / 1024.0 / t_free,
	    ">= 0.9");
	row("pressure", "allocation time, DONTNEED BOs to reclaim", t_bo, "s",
	    "same, clean page cache to reclaim", t_cache, "<= 1.2");
	fprintf(csv, "pressure,MiB purged by reclaim in (a) (least of %d rounds),%ld,MiB of DONTNEED BOs,%d,MiB,%.4f\n",
		PRESSURE_ROUNDS, least_purged, mib, (double)least_purged / mib);
	printf("\npressure: %ld MiB free at start; the hog allocated %ld MiB; "
	       "fastest of %d rounds each; in (a) the hog lacked at least %ld MiB "
	       "and reclaim purged at least %ld MiB of the %d MiB of DONTNEED "
	       "BOs (and at least 75%% of what the hog lacked, in every round); "
	       "(b) read at least %ld MiB into the page cache.\n\n",
	       free0, hog_mib, PRESSURE_ROUNDS, least_lacked, least_purged, mib,
	       least_cached);
	fclose(log);
	printf("warm-up: %.2f s\n%s\n", t_warm, rounds);
	free(rounds);
	printf("What reclaim did while the hog ran, in the fastest round of each case:\n\n");
	printf("| case | seconds | direct reclaims (allocstall) | pages reclaimed from the LRUs, direct | by kswapd | slabs_scanned | DRM shrinker scans | pages purged |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
	activity_row("(a) DONTNEED BOs", t_bo, &act_bo);
	activity_row("(b) clean page cache", t_cache, &act_cache);
	activity_row("(c) BOs closed first", t_free, &act_free);
	printf("\n");
	free(buf);
	free(handles);
	close(fd);
}

/*
 * nostall: a scan over NOSTALL_BOS DONTNEED BOs of the 2D virtio-gpu
 * while a thread keeps its host busy with slow transfers of a 64 MiB
 * resource, against a scan over as many vgem BOs, which no host holds
 * up, with the host as busy: under TCG a busy device model slows every
 * vCPU (QEMU's big lock). Each scan's latency comes from the tracepoints
 * drm_shrinker_scan_start and drm_shrinker_scan; the worst of
 * NOSTALL_ROUNDS rounds counts.
 */
#define NOSTALL_BOS	1000
#define NOSTALL_ROUNDS	5
#define NOSTALL_W	4096
#define NOSTALL_H	4096
#define NOSTALL_BUSY_MS	300

/* tracefs, where init.sh mounted it or under debugfs. */
static const char *tracefs_dir(void)
{
	return access("/sys/kernel/tracing/trace", F_OK) ?
	       "/sys/kernel/debug/tracing" : "/sys/kernel/tracing";
}

static void tracefs(const char *file, const char *value)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tracefs_dir(), file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		die(path);
	close(fd);
}

/* The timestamp, in seconds, of a trace line's event. */
static double trace_time(const char *line, const char *event)
{
	const char *e = strstr(line, event), *p;

	if (!e)
		return -1;
	for (p = e - 1; p > line && *p == ':'; p--)
		;
	while (p > line && p[-1] != ' ')
		p--;
	return atof(p);
}

/* The longest scan in the trace since the last clear, in seconds. */
static double trace_worst_scan(int *nr)
{
	double start = -1, worst = 0, t;
	char line[512];
	FILE *f;

	snprintf(line, sizeof(line), "%s/trace", tracefs_dir());
	f = fopen(line, "r");
	if (!f)
		die("trace");
	*nr = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		t = trace_time(line, ": drm_shrinker_scan_start:");
		if (t >= 0) {
			start = t;
			continue;
		}
		t = trace_time(line, ": drm_shrinker_scan:");
		if (t >= 0 && start >= 0) {
			if (t - start > worst)
				worst = t - start;
			start = -1;
			(*nr)++;
		}
	}
	fclose(f);
	return worst;
}

static void virtio_madvise(int fd, uint32_t handle, uint32_t madv)
{
	struct drm_virtgpu_madvise m = { .bo_handle = handle, .madv = madv };

	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_MADVISE, &m))
		die("virtio-gpu madvise");
}

/* A 2D resource of @w x @h pixels, its backing attached. */
static uint32_t virtio_2d_bo(int fd, uint32_t w, uint32_t h)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 2, .format = 2, .bind = 2, .width = w, .height = h,
		.depth = 1, .array_size = 1, .size = w * h * 4,
	};

	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc))
		die("2D resource create");
	return rc.bo_handle;
}

/*
 * A transfer of @handle, one pixel narrower than the resource: QEMU then
 * copies it line by line, and finds each line's offset by walking the
 * resource's iovec from its start, which makes each transfer take the
 * host long (about 10 ms for 4096 x 4096 here).
 */
static void virtio_slow_transfer(int fd, uint32_t handle)
{
	struct drm_virtgpu_3d_transfer_to_host t = {
		.bo_handle = handle,
		.box = { .w = NOSTALL_W - 1, .h = NOSTALL_H, .d = 1 },
	};

	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &t))
		die("transfer to host");
}

/* A thread keeping the host busy with slow transfers until told to stop. */
struct nostall_busy {
	int fd;
	uint32_t handle;
	volatile bool stop;
	long transfers;
	double seconds;
};

static void *nostall_busy_loop(void *arg)
{
	struct nostall_busy *b = arg;

	while (!b->stop) {
		virtio_slow_transfer(b->fd, b->handle);
		b->transfers++;
	}
	return NULL;
}

/*
 * Seconds until the host has done everything queued so far: the control
 * queue is in order, so wait for the fenced creation of a new resource,
 * queued behind the backlog.
 */
static double virtio_drain(int fd)
{
	double t = now();
	struct drm_virtgpu_3d_wait w = { .handle = virtio_2d_bo(fd, 1024, 1) };
	struct drm_gem_close c = { .handle = w.handle };

	while (drmIoctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &w)) {
		if (errno != EBUSY)
			die("wait");
	}
	t = now() - t;
	if (drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c))
		die("close");
	return t;
}

/*
 * The latency of one scan over NOSTALL_BOS new DONTNEED BOs of @fd
 * (virtio-gpu if @virtio, else vgem); with @busy, while its thread keeps
 * the 2D host busy with slow transfers (from NOSTALL_BUSY_MS before the
 * scan until it returned); the time the host then took to finish what
 * was queued goes to *@backlog.
 */
static double nostall_round(int fd, bool virtio, struct nostall_busy *busy,
			    double *backlog)
{
	uint32_t *h = calloc(NOSTALL_BOS, sizeof(*h));
	pthread_t thread;
	double worst;
	int nr;

	if (!h)
		die("calloc");
	for (int i = 0; i < NOSTALL_BOS; i++) {
		if (virtio) {
			h[i] = virtio_2d_bo(fd, 1024, 1);
			virtio_madvise(fd, h[i], VIRTGPU_MADV_DONTNEED);
		} else {
			struct drm_vgem_madvise m = { .madv = VGEM_MADV_DONTNEED };

			h[i] = m.handle = vgem_bo_pages(fd, 1);
			if (drmIoctl(fd, DRM_IOCTL_VGEM_MADVISE, &m))
				die("madvise");
		}
	}
	if (virtio)
		virtio_drain(fd);	/* the creations answered: nothing busy */
	if (busy) {
		busy->stop = false;
		busy->seconds -= now();
		if (pthread_create(&thread, NULL, nostall_busy_loop, busy))
			die("pthread_create");
		usleep(NOSTALL_BUSY_MS * 1000);
	}
	tracefs("trace", "");
	scan_all();
	worst = trace_worst_scan(&nr);
	if (busy) {
		busy->stop = true;
		pthread_join(thread, NULL);
		busy->seconds += now();
		*backlog = virtio_drain(busy->fd);
	}
	if (nr != 1) {
		errno = 0;
		die("nostall: not one traced scan");
	}
	close_all(fd, h, NOSTALL_BOS);
	free(h);
	return worst;
}

static void bench_nostall(void)
{
	int vgem = shrinker_open_driver("vgem", 0);
	int v2d = shrinker_open_driver("virtio_gpu", 1);
	double vgem_idle = 0, vgem_busy = 0, idle = 0, busy_worst = 0;
	double backlog = 0, b, t;
	long refused = 0, started = 0, r0, s0;
	struct nostall_busy busy = { .fd = v2d };
	char pid[32];

	if (vgem < 0 || v2d < 0)
		die("vgem or 2D virtio-gpu");
	busy.handle = virtio_2d_bo(v2d, NOSTALL_W, NOSTALL_H);
	/* Nothing else DONTNEED of this cgroup: every scan looks at ours. */
	scan_all();
	snprintf(pid, sizeof(pid), "%d", getpid());
	tracefs("set_event_pid", pid);
	tracefs("events/drm_shrinker/drm_shrinker_scan_start/enable", "1");
	tracefs("events/drm_shrinker/drm_shrinker_scan/enable", "1");
	for (int r = 0; r < NOSTALL_ROUNDS; r++) {
		t = nostall_round(vgem, false, NULL, NULL);
		vgem_idle = t > vgem_idle ? t : vgem_idle;
		t = nostall_round(vgem, false, &busy, &b);
		vgem_busy = t > vgem_busy ? t : vgem_busy;
		backlog = b > backlog ? b : backlog;
		t = nostall_round(v2d, true, NULL, NULL);
		idle = t > idle ? t : idle;
		r0 = shrinker_stat("skipped_pinned");
		s0 = shrinker_stat("purged_by_other");
		t = nostall_round(v2d, true, &busy, &b);
		refused += shrinker_stat("skipped_pinned") - r0;
		started += shrinker_stat("purged_by_other") - s0;
		busy_worst = t > busy_worst ? t : busy_worst;
		backlog = b > backlog ? b : backlog;
	}
	tracefs("events/drm_shrinker/drm_shrinker_scan_start/enable", "0");
	tracefs("events/drm_shrinker/drm_shrinker_scan/enable", "0");
	tracefs("set_event_pid", "");

	row("nostall", "worst scan of 1000 virtio-gpu 2D BOs, host busy",
	    busy_worst * 1e3, "ms", "same, 1000 vgem BOs", vgem_busy * 1e3,
	    "~1: no wait");
	row("nostall", "worst scan of 1000 virtio-gpu 2D BOs, host idle",
	    idle * 1e3, "ms", "same, 1000 vgem BOs", vgem_idle * 1e3, "-");
	printf("\nnostall: %d rounds of %d BOs each; the host busy with %ld "
	       "slow transfers, %.1f ms each, queued by another thread; the "
	       "scans of virtio-gpu BOs sent %ld detaches and met a full queue "
	       "%ld times (not now); the host finished its backlog within "
	       "%.1f ms of a scan's end (QEMU runs the device under its big "
	       "lock, which a vCPU's kick and timer also need: under TCG the "
	       "host never holds more than about one command)\n\n",
	       NOSTALL_ROUNDS, NOSTALL_BOS, busy.transfers,
	       busy.transfers ? busy.seconds * 1e3 / busy.transfers : 0.0,
	       started, refused, backlog * 1e3);
	close(vgem);
	close(v2d);
}

/*
 * The eviction benchmarks: swap on zram, vgem BOs mapped and idle (so
 * held, and evictable) against anonymous memory with the same contents.
 */
#define EVICT_MIB	128
#define EVICT_BUMPS	20000

static void zram(const char *disksize)
{
	int fd;

	if (system("swapoff /dev/zram0 2>/dev/null; echo 1 > /sys/block/zram0/reset"))
		; /* none yet */
	if (!disksize)
		return;
	fd = open("/sys/block/zram0/disksize", O_WRONLY);
	if (fd < 0 || write(fd, disksize, strlen(disksize)) != (ssize_t)strlen(disksize))
		die("zram disksize");
	close(fd);
	if (system("mkswap /dev/zram0 >/dev/null && swapon /dev/zram0"))
		die("swapon");
}

/* Contents zram compresses as the IGT eviction tests' (page tag, period 16). */
static void evict_fill(uint32_t *p, size_t bytes, uint32_t tag)
{
	for (size_t i = 0; i < bytes / 4; i++)
		p[i] = 0xa5000000u ^ (tag << 12) ^ ((uint32_t)(i / 1024) << 4) ^ (i & 15);
}

/* Read one word of every page; the sum keeps the reads. */
static volatile uint32_t evict_sink;
static double evict_touch(const uint32_t *p, size_t bytes)
{
	double t0 = now();
	uint32_t sum = 0;

	for (size_t i = 0; i < bytes / 4; i += 1024)
		sum += p[i];
	evict_sink = sum;
	return now() - t0;
}

/* One /proc/vmstat counter. */
static long vmstat_value(const char *key)
{
	struct vmstat v;

	vmstat_read(&v);
	for (int i = 0; i < v.n; i++)
		if (!strcmp(v.name[i], key))
			return v.value[i];
	return -1;
}

/* A mapped vgem BO of @bytes filled with @tag's contents. */
static uint32_t *evict_bo(int fd, size_t bytes, uint32_t tag, uint32_t *handle)
{
	uint32_t *p = vgem_bo_map(fd, bytes / 4096, handle);

	evict_fill(p, bytes, tag);
	return p;
}

static void evict_bo_free(int fd, uint32_t *p, size_t bytes, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	munmap(p, bytes);
	drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* Anonymous memory of @bytes with @tag's contents, swapped out. */
static uint32_t *evict_anon(size_t bytes, uint32_t tag, double *seconds)
{
	uint32_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0;

	if (p == MAP_FAILED)
		die("mmap anon");
	evict_fill(p, bytes, tag);
	t0 = now();
	if (madvise(p, bytes, MADV_PAGEOUT))
		die("MADV_PAGEOUT");
	if (seconds)
		*seconds = now() - t0;
	return p;
}

/* A fence attach (vgem's submission) and its signal; the seconds. */
static double evict_submit(int fd, uint32_t handle)
{
	struct drm_vgem_fence_attach attach = {
		.handle = handle, .flags = VGEM_FENCE_WRITE,
	};
	struct drm_vgem_fence_signal signal = {};
	double t0 = now();

	if (drmIoctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &attach))
		die("fence attach");
	signal.fence = attach.out_fence;
	if (drmIoctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal))
		die("fence signal");
	return now() - t0;
}

/* Throughput: EVICT_MIB of BOs evicted by a scan vs of anon paged out. */
static void bench_evict_throughput(int fd)
{
	int n = EVICT_MIB / (BO_SIZE >> 20);
	uint32_t *map[EVICT_MIB], handle[EVICT_MIB], *anon;
	long out0, evicted0, bo_pages, anon_pages;
	double t_bo, t_anon;

	for (int i = 0; i < n; i++)
		map[i] = evict_bo(fd, BO_SIZE, i, &handle[i]);
	out0 = vmstat_value("pswpout");
	evicted0 = shrinker_stat("evicted_pages");
	t_bo = now();
	scan_all();
	t_bo = now() - t_bo;
	bo_pages = vmstat_value("pswpout") - out0;
	if (shrinker_stat("evicted_pages") - evicted0 != (long)EVICT_MIB * 256)
		die("the scan did not evict every BO");

	out0 = vmstat_value("pswpout");
	anon = evict_anon((size_t)EVICT_MIB << 20, 0x7f, &t_anon);
	anon_pages = vmstat_value("pswpout") - out0;
	fprintf(stderr, "evict: BOs %ld pages to swap in %.3f s, anon %ld in %.3f s\n",
		bo_pages, t_bo, anon_pages, t_anon);
	row("evict", "throughput, MiB/s to zram", bo_pages / 256.0 / t_bo, "MiB/s",
	    "MADV_PAGEOUT of anon", anon_pages / 256.0 / t_anon, ">= 0.8");
	munmap(anon, (size_t)EVICT_MIB << 20);
	for (int i = 0; i < n; i++)
		evict_bo_free(fd, map[i], BO_SIZE, handle[i]);
}

/* First use of an evicted BO of @mib MiB, by faults and by a submission. */
static void bench_evict_first_use(int fd, int mib)
{
	size_t bytes = (size_t)mib << 20;
	uint32_t *bo, *anon, handle;
	double t_fault, t_submit, t_anon;
	char what[64];

	anon = evict_anon(bytes, 0x7e, NULL);
	t_anon = evict_touch(anon, bytes);
	munmap(anon, bytes);

	bo = evict_bo(fd, bytes, 1, &handle);
	scan_all();
	t_fault = evict_touch(bo, bytes);
	scan_all();
	t_submit = evict_submit(fd, handle);
	evict_bo_free(fd, bo, bytes, handle);

	snprintf(what, sizeof(what), "first use of an evicted %d MiB BO, faults", mib);
	row("evict", what, t_fault * 1e3, "ms", "touching swapped-out anon",
	    t_anon * 1e3, "<= 1.5");
	snprintf(what, sizeof(what), "first use of an evicted %d MiB BO, submit", mib);
	row("evict", what, t_submit * 1e3, "ms", "touching swapped-out anon",
	    t_anon * 1e3, "<= 1.5");
}

/* A submission's cost with the LRU bump vs on a BO on no list. */
static void bench_evict_bump(int fd)
{
	uint32_t *bo, handle, idle = vgem_bo_pages(fd, 1);
	double t_bump = 0, t_none = 0;

	/* Mapped: resident and evictable, so each attach bumps it. */
	bo = evict_bo(fd, 4096, 2, &handle);
	for (int r = 0; r < 2; r++) {
		t_bump = t_none = 0;
		for (int i = 0; i < EVICT_BUMPS; i++) {
			t_bump += evict_submit(fd, handle);
			/* Unmapped: no pages held, on no list. */
			t_none += evict_submit(fd, idle);
		}
	}
	row("evict", "fence attach + signal, with the LRU bump", t_bump / EVICT_BUMPS * 1e6,
	    "us", "on a BO on no list", t_none / EVICT_BUMPS * 1e6, "<= 1.1");
	evict_bo_free(fd, bo, 4096, handle);
	{
		struct drm_gem_close c = { .handle = idle };

		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	}
}

/* Let the debugfs scan evict (only memory reclaim does by default). */
static void scan_evicts(bool on)
{
	int fd = open("/sys/kernel/debug/dri/shrinker_scan_evicts", O_WRONLY);

	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1)
		die("shrinker_scan_evicts");
	close(fd);
}

static void bench_evict(void)
{
	int fd = shrinker_open_driver("vgem", 0);

	if (fd < 0)
		die("vgem");
	/* The benchmarks evict by a scan started here. */
	scan_evicts(true);
	zram("1G");
	bench_evict_throughput(fd);
	bench_evict_first_use(fd, 1);
	bench_evict_first_use(fd, 64);
	bench_evict_bump(fd);
	zram(NULL);
	scan_evicts(false);
	close(fd);
}

/*
 * The free benchmark: how long a free waits for scans. Rounds of
 * FREE_BOS vgem BOs of FREE_PAGES pages, written, each freed in turn
 * while another thread scans again and again, against the same rounds
 * with no scan: (a) DONTNEED BOs, unmapped, freed by GEM_CLOSE while the
 * scans purge them; (b) mapped BOs, their handles closed, freed by the
 * munmap that drops their last reference while the scans evict them to
 * zram (a munmap also locks the BO, which a scan holds while it works on
 * it). p50 and p99 of each free, over all rounds.
 */
#define FREE_BOS	32
#define FREE_ROUNDS	60
#define FREE_PAGES	16

static volatile bool free_stop;

/* Scans this process's cgroup's objects until told to stop. */
static void *free_scanner(void *arg)
{
	while (!free_stop)
		scan_all();
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(double *v, int n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(int)(p * (n - 1))];
}

/* One round of case (a) or (b); the latency of each free into @lat. */
static void free_round(int fd, bool evict, double *lat)
{
	size_t bytes = FREE_PAGES * 4096;
	uint32_t handle[FREE_BOS], *map[FREE_BOS];

	for (int i = 0; i < FREE_BOS; i++) {
		struct drm_vgem_madvise m = { .madv = VGEM_MADV_DONTNEED };

		map[i] = evict_bo(fd, bytes, i, &handle[i]);
		if (evict)
			continue;
		munmap(map[i], bytes);
		m.handle = handle[i];
		if (drmIoctl(fd, DRM_IOCTL_VGEM_MADVISE, &m))
			die("madvise");
	}
	for (int i = 0; i < FREE_BOS; i++) {
		struct drm_gem_close c = { .handle = handle[i] };
		double t0;

		if (evict && drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c))
			die("close");
		t0 = now();
		if (evict ? munmap(map[i], bytes) : drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &c))
			die("free");
		lat[i] = now() - t0;
	}
}

/* p50 and p99 of the frees of case (a) or (b), with scans or without. */
static void free_case(int fd, bool evict, bool scans, double *p50, double *p99)
{
	static double lat[FREE_ROUNDS * FREE_BOS];
	pthread_t scanner;

	free_stop = false;
	if (scans && pthread_create(&scanner, NULL, free_scanner, NULL))
		die("scanner");
	for (int r = 0; r < FREE_ROUNDS; r++)
		free_round(fd, evict, lat + r * FREE_BOS);
	free_stop = true;
	if (scans)
		pthread_join(scanner, NULL);
	*p50 = percentile(lat, FREE_ROUNDS * FREE_BOS, 0.50);
	*p99 = percentile(lat, FREE_ROUNDS * FREE_BOS, 0.99);
}

static void bench_free(void)
{
	int fd = shrinker_open_driver("vgem", 0);
	static const char *what[2] = {
		"GEM_CLOSE of a DONTNEED BO, scans purging",
		"munmap freeing a mapped BO, scans evicting",
	};
	long met[2], scans[2];

	if (fd < 0)
		die("vgem");
	scan_evicts(true);
	zram("1G");
	for (int evict = 0; evict < 2; evict++) {
		double p50[2], p99[2];
		long gone, n;
		char m[128];

		/* One unmeasured case first: the host backs the pages. */
		free_case(fd, evict, false, &p50[0], &p99[0]);
		free_case(fd, evict, false, &p50[0], &p99[0]);
		gone = shrinker_stat("skipped_gone");
		n = shrinker_stat("scans");
		free_case(fd, evict, true, &p50[1], &p99[1]);
		met[evict] = shrinker_stat("skipped_gone") - gone;
		scans[evict] = shrinker_stat("scans") - n;
		snprintf(m, sizeof(m), "%s, p50", what[evict]);
		row("free", m, p50[1] * 1e6, "us", "the same, no scan", p50[0] * 1e6, "-");
		snprintf(m, sizeof(m), "%s, p99", what[evict]);
		row("free", m, p99[1] * 1e6, "us", "the same, no scan", p99[0] * 1e6, "<= 2");
	}
	printf("\nfree: %d frees per case; with scans (%ld and %ld scans), %ld and %ld of them met their BO held by a scan before its turn (skipped_gone); frees that waited for a running callback are not counted\n",
	       FREE_ROUNDS * FREE_BOS, scans[0], scans[1], met[0], met[1]);
	zram(NULL);
	scan_evicts(false);
	close(fd);
}

/* Whether DS_BENCH, if set, names @bench. */
static bool wanted(const char *bench)
{
	const char *list = getenv("DS_BENCH");
	size_t n = strlen(bench);

	if (!list || !*list)
		return true;
	for (const char *p = list; p; p = strchr(p, ',')) {
		p += *p == ',';
		if (!strncmp(p, bench, n) && (p[n] == ',' || !p[n]))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	int mib = getenv("DS_BENCH_MIB") ? atoi(getenv("DS_BENCH_MIB")) : 512;

	csv = fopen(argc > 1 ? argv[1] : "/dev/null", "w");
	csv_reclaim = fopen(argc > 2 ? argv[2] : "/dev/null", "w");
	vmstat_log = fopen(argc > 3 ? argv[3] : "/dev/null", "w");
	if (!csv || !csv_reclaim || !vmstat_log)
		die("csv");
	fprintf(csv_reclaim, "case,seconds,allocstall,pgsteal_direct,pgsteal_kswapd,slabs_scanned,drm_shrinker_scans,pages_purged\n");
	fprintf(csv, "bench,measure,value,anchor,anchor_value,unit,ratio\n");
	printf("| bench | measure | value | anchor | anchor value | ratio | goal |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- |\n");
	if (wanted("reclaim"))
		bench_reclaim(mib);
	if (wanted("madvise") || wanted("scaling"))
		bench_hot(2.0);
	if (getenv("DS_PAGECACHE") && wanted("pressure"))
		bench_pressure(mib, getenv("DS_PAGECACHE"));
	if (wanted("nostall"))
		bench_nostall();
	if (wanted("evict"))
		bench_evict();
	if (wanted("free"))
		bench_free();
	fclose(csv);
	fclose(csv_reclaim);
	fclose(vmstat_log);
	return 0;
}
