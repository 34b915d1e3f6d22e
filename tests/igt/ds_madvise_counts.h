/* SPDX-License-Identifier: MIT */
/*
 * The counters of tests/guest/ds-madvcount.c, an LD_PRELOAD library that
 * watches a process's DRM_IOCTL_VIRTGPU_MADVISE calls (Mesa's, in the
 * guest's Mesa tests), as the tests read them through
 * dlsym(RTLD_DEFAULT, "ds_madvise_counts").
 */
#ifndef DS_MADVISE_COUNTS_H
#define DS_MADVISE_COUNTS_H

struct ds_madvise_counts {
	unsigned long dontneed;		/* DONTNEED the kernel took */
	unsigned long dontneed_refused;	/* DONTNEED that failed */
	unsigned long willneed;		/* WILLNEED, retained == 1 */
	unsigned long willneed_purged;	/* WILLNEED, retained == 0 */
	unsigned long reused_after_purge; /* WILLNEED == 1 after the first purge */
	unsigned long closed_purged;	/* GEM_CLOSE of a purged handle */
	unsigned long misused_purged;	/* a purged handle used again */
	unsigned long untracked;	/* purged handles past the table's size */
};

#endif
