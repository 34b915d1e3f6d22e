/* SPDX-License-Identifier: MIT */
/*
 * The subset of IGT's public API that tests/igt/ uses, declared against
 * the ABI of Debian's libigt.so.0 (intel-gpu-tools 1.27.1), which ships no
 * headers. The tests include "igt.h" and use only what IGT's own igt.h
 * offers, so they drop unchanged into an IGT tree, where this file is not
 * used. Keep every declaration here identical in meaning to IGT's.
 */
#ifndef DRM_SHRINKER_IGT_H
#define DRM_SHRINKER_IGT_H

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xf86drm.h>

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN (NULL)
#endif

#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_SKIP 77
#define IGT_EXIT_INVALID 79
#define IGT_EXIT_FAILURE 98

#define __igt_tokencat2(x, y) x ## y
#define igt_tokencat(x, y) __igt_tokencat2(x, y)

/* igt_core */
extern jmp_buf igt_subtest_jmpbuf;
typedef int (*igt_opt_handler_t)(int opt, int opt_index, void *data);
int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data);
bool __igt_run_subtest(const char *subtest_name, const char *file,
		       const int line);
bool __igt_fixture(void);
void __igt_fixture_complete(void);
const char *igt_subtest_name(void);
bool igt_only_list_subtests(void);
void __igt_subtest_group_save(int *save, int *desc);
void __igt_subtest_group_restore(int save, int desc);
void igt_success(void);
void igt_fail(int exitcode) __attribute__((noreturn));
void igt_exit(void) __attribute__((noreturn));
void igt_skip(const char *f, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *format, ...)
	__attribute__((format(printf, 5, 6), noreturn));
void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *format, ...)
	__attribute__((format(printf, 6, 7), noreturn));
void igt_describe_f(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};
void igt_log(const char *domain, enum igt_log_level level,
	     const char *format, ...) __attribute__((format(printf, 3, 4)));

#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = str

#define igt_main_args(short_opts, long_opts, help_str, opt_handler, data) \
	static void igt_tokencat(__real_main, __LINE__)(void); \
	int main(int argc, char **argv) \
	{ \
		igt_subtest_init_parse_opts(&argc, argv, short_opts, \
					    long_opts, help_str, \
					    opt_handler, data); \
		igt_tokencat(__real_main, __LINE__)(); \
		igt_exit(); \
	} \
	static void igt_tokencat(__real_main, __LINE__)(void)

#define igt_main igt_main_args(NULL, NULL, NULL, NULL, NULL)

#define igt_fixture \
	for (volatile int igt_tokencat(__tmpint, __LINE__) = 0; \
	     igt_tokencat(__tmpint, __LINE__) < 1 && __igt_fixture() && \
	     (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	     igt_tokencat(__tmpint, __LINE__)++, __igt_fixture_complete())

#define igt_subtest(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	     igt_success())

#define __igt_subtest_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_subtest(tmp, __FILE__, __LINE__) && \
	     (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	     igt_success())
#define igt_subtest_f(f...) __igt_subtest_f(igt_tokencat(__tmpchar, __LINE__), f)

#define igt_subtest_group \
	for (int igt_tokencat(__tmpint, __LINE__) = 0, \
	     igt_tokencat(__save, __LINE__) = 0, \
	     igt_tokencat(__desc, __LINE__) = 0; \
	     igt_tokencat(__tmpint, __LINE__) < 1 && \
	     (__igt_subtest_group_save(&igt_tokencat(__save, __LINE__), \
				       &igt_tokencat(__desc, __LINE__)), true); \
	     igt_tokencat(__tmpint, __LINE__)++, \
	     __igt_subtest_group_restore(igt_tokencat(__save, __LINE__), \
					 igt_tokencat(__desc, __LINE__)))

#define igt_describe(dsc) igt_describe_f("%s", dsc)

#define igt_assert(expr) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, NULL); \
	} while (0)
#define igt_assert_f(expr, f...) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, f); \
	} while (0)
#define igt_fail_on(expr) igt_assert(!(expr))
#define igt_fail_on_f(expr, f...) igt_assert_f(!(expr), f)

#define igt_assert_cmpint(n1, cmp, ncmp, n2) \
	do { \
		int __n1 = (n1), __n2 = (n2); \
		if (!(__n1 cmp __n2)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #n1 " " #cmp " " #n2, \
					  "error: %d " #ncmp " %d\n", \
					  __n1, __n2); \
	} while (0)
#define igt_assert_cmpu64(n1, cmp, ncmp, n2) \
	do { \
		uint64_t __n1 = (n1), __n2 = (n2); \
		if (!(__n1 cmp __n2)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #n1 " " #cmp " " #n2, \
					  "error: %#" PRIx64 " " #ncmp \
					  " %#" PRIx64 "\n", __n1, __n2); \
	} while (0)
#define igt_assert_eq(n1, n2) igt_assert_cmpint(n1, ==, !=, n2)
#define igt_assert_neq(n1, n2) igt_assert_cmpint(n1, !=, ==, n2)
#define igt_assert_lt(n1, n2) igt_assert_cmpint(n1, <, >=, n2)
#define igt_assert_lte(n1, n2) igt_assert_cmpint(n1, <=, >, n2)
#define igt_assert_eq_u64(n1, n2) igt_assert_cmpu64(n1, ==, !=, n2)
#define igt_assert_lte_u64(n1, n2) igt_assert_cmpu64(n1, <=, >, n2)
#define igt_assert_lt_u64(n1, n2) igt_assert_cmpu64(n1, <, >=, n2)
#define do_ioctl(fd, ioc, ioc_data) \
	do { \
		igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), 0); \
		errno = 0; \
	} while (0)
#define do_ioctl_err(fd, ioc, ioc_data, err) \
	do { \
		igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), -1); \
		igt_assert_eq(errno, err); \
		errno = 0; \
	} while (0)

#define igt_require(expr) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, NULL); \
	} while (0)
#define igt_require_f(expr, f...) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, f); \
	} while (0)
#define igt_skip_on(expr) igt_require(!(expr))

/* Silences warn_unused_result, as IGT's own macro does. */
#define igt_ignore_warn(x) { if (x) {} }

#define igt_debug(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, f)
#define igt_info(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, f)
#define igt_warn(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, f)

/* ioctl_wrappers / drmtest */
extern int (*igt_ioctl)(int fd, unsigned long request, void *arg);
#define DRIVER_VGEM (1 << 2)
#define DRIVER_ANY ~(DRIVER_VGEM)
int drm_open_driver(int chipset);
int __drm_open_driver(int chipset);
void gem_close(int fd, uint32_t handle);

/* igt_debugfs / igt_sysfs */
int igt_debugfs_dir(int device);
const char *igt_debugfs_mount(void);
int igt_sysfs_open(int device);

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif

#endif /* DRM_SHRINKER_IGT_H */
