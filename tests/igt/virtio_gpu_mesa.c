// SPDX-License-Identifier: MIT
/*
 * A real client: Mesa's virgl driver renders on the 3D virtio-gpu device
 * through GBM and EGL while another process's DONTNEED BOs on the same
 * device are purged, and across the eviction of its own idle BOs to swap.
 * Every frame must read back right: the shrinker never purges the BOs of
 * a client that never marked any DONTNEED, and what it evicts comes back
 * as it was. With a Mesa whose virgl winsys marks the BOs of its resource
 * cache DONTNEED (mesa/ in this project), memory pressure purges that
 * cache between two frames: Mesa finds those BOs gone when it takes
 * them back, closes them and makes new ones, and every frame still reads
 * back right.
 */
#include "igt.h"
#include "drm_shrinker_helpers.h"
#include "ds_madvise_counts.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "virtgpu_drm.h"
#include <gbm.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>

/**
 * TEST: Mesa virgl renders correctly while the DRM shrinker purges and evicts
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: virtio-gpu with Mesa
 * Functionality: GEM shrinker
 * Feature: memory management
 * Test category: functionality test
 *
 * SUBTEST: render-while-purging
 * Description: Frames rendered by Mesa read back right while another
 *	process's DONTNEED BOs on the same device are purged.
 *
 * SUBTEST: render-across-eviction
 * Description: Mesa renders a frame and uploads a texture; memory pressure
 *	(a hog swapping to zram) then evicts its idle BOs (the host is told to
 *	drop their backing); the next frames and the texture read back right,
 *	with the BOs swapped in on their use.
 *
 * SUBTEST: cache-purged
 * Description: Mesa's virgl BO cache marks the BOs it keeps DONTNEED
 *	(fdinfo counts them); a memory hog between two frames makes reclaim
 *	purge them; Mesa finds them purged when it takes them back (WILLNEED
 *	answers retained = 0), closes every one and goes on reusing its cache.
 *	Every frame reads back right. Needs a Mesa with the virgl madvise
 *	patches; counts Mesa's madvise calls exactly with ds-madvcount.so
 *	preloaded.
 */

IGT_TEST_DESCRIPTION("Mesa virgl renders correctly while the DRM shrinker purges and evicts");

#define MESA_SIZE 64
#define MESA_FRAMES 200		/* at least */
#define MESA_MAX_FRAMES 5000
#define MESA_PURGES 5		/* of the other process's BOs, at least */
#define MESA_HOG_ROUNDS 5	/* of memory pressure, at most */

static int mesa_card = -1;
static int mesa_render = -1;
static struct gbm_device *mesa_gbm;
static EGLDisplay mesa_dpy = EGL_NO_DISPLAY;
static EGLContext mesa_ctx = EGL_NO_CONTEXT;

static int mesa_open_3d(void)
{
	for (int i = 0; ; i++) {
		struct drm_virtgpu_getparam gp = { .param = VIRTGPU_PARAM_3D_FEATURES };
		int fd = shrinker_open_driver("virtio_gpu", i), threed = 0;

		if (fd < 0)
			return -1;
		gp.value = (uintptr_t)&threed;
		if (!igt_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp) && threed)
			return fd;
		close(fd);
	}
}

static void mesa_init(void)
{
	static const EGLint ctx_attribs[] = {
		EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE
	};
	const char *renderer;
	char *node;

	mesa_card = mesa_open_3d();
	igt_require_f(mesa_card >= 0, "no virtio-gpu device with 3D\n");
	node = drmGetRenderDeviceNameFromFd(mesa_card);
	igt_assert(node);
	mesa_render = open(node, O_RDWR | O_CLOEXEC);
	igt_assert_f(mesa_render >= 0, "%s: %m\n", node);
	free(node);

	mesa_gbm = gbm_create_device(mesa_render);
	igt_assert(mesa_gbm);
	mesa_dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, mesa_gbm, NULL);
	igt_assert(mesa_dpy != EGL_NO_DISPLAY);
	igt_assert(eglInitialize(mesa_dpy, NULL, NULL));
	igt_assert(eglBindAPI(EGL_OPENGL_ES_API));
	mesa_ctx = eglCreateContext(mesa_dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT,
				    ctx_attribs);
	igt_assert_f(mesa_ctx != EGL_NO_CONTEXT, "eglCreateContext: %#x\n",
		     eglGetError());
	igt_assert(eglMakeCurrent(mesa_dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
				  mesa_ctx));
	renderer = (const char *)glGetString(GL_RENDERER);
	igt_info("GL_RENDERER: %s\n", renderer);
	igt_require_f(renderer && strstr(renderer, "virgl"),
		      "Mesa does not drive the device through virgl\n");
}

/* A render target that Mesa backs with its own virtio-gpu BO. */
static GLuint mesa_target(void)
{
	GLuint tex, fbo;

	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, MESA_SIZE, MESA_SIZE, 0,
		     GL_RGBA, GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	igt_assert_eq(glCheckFramebufferStatus(GL_FRAMEBUFFER),
		      GL_FRAMEBUFFER_COMPLETE);
	return fbo;
}

static uint32_t mesa_color(unsigned int frame, unsigned int quadrant)
{
	return ((frame * 37 + quadrant * 91) & 0xff) |
	       (((frame * 11 + quadrant * 53) & 0xff) << 8) |
	       (((frame * 7 + quadrant * 29) & 0xff) << 16) | 0xff000000u;
}

/* Draw four quadrants of their own colour and check every pixel. */
static void mesa_frame(unsigned int frame)
{
	static uint32_t pixels[MESA_SIZE * MESA_SIZE];
	const int half = MESA_SIZE / 2;

	glEnable(GL_SCISSOR_TEST);
	for (unsigned int q = 0; q < 4; q++) {
		uint32_t c = mesa_color(frame, q);

		glScissor((q % 2) * half, (q / 2) * half, half, half);
		glClearColor((c & 0xff) / 255.0f, ((c >> 8) & 0xff) / 255.0f,
			     ((c >> 16) & 0xff) / 255.0f, 1.0f);
		glClear(GL_COLOR_BUFFER_BIT);
	}
	glDisable(GL_SCISSOR_TEST);
	glReadPixels(0, 0, MESA_SIZE, MESA_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
	igt_assert_eq(glGetError(), GL_NO_ERROR);

	for (int y = 0; y < MESA_SIZE; y++) {
		for (int x = 0; x < MESA_SIZE; x++) {
			unsigned int q = (x >= half) + 2 * (y >= half);

			igt_assert_f(pixels[y * MESA_SIZE + x] == mesa_color(frame, q),
				     "frame %u pixel %d,%d: %#x, expected %#x\n",
				     frame, x, y, pixels[y * MESA_SIZE + x],
				     mesa_color(frame, q));
		}
	}
}

/*
 * Another process with a BO cache on the same device: makes BOs, marks
 * them DONTNEED and purges them through the shrinker, until killed.
 */
static void mesa_cache_process(void)
{
	int fd;

	/*
	 * Runs until the parent kills it; should the parent fail first, it
	 * ends with the test, or after the longest a subtest may take.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(600);
	fd = mesa_open_3d();
	if (fd < 0)
		_exit(1);
	for (;;) {
		struct drm_virtgpu_resource_create rc = {
			.target = 2, .format = 2, .bind = 2 | 8, .width = 1024,
			.height = 16, .depth = 1, .array_size = 1,
			.size = 16 * 4096,
		};
		struct drm_virtgpu_madvise madv = { .madv = VIRTGPU_MADV_DONTNEED };
		struct drm_virtgpu_3d_wait wait = {};

		if (igt_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc))
			_exit(2);
		wait.handle = rc.bo_handle;
		igt_ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &wait);
		madv.bo_handle = rc.bo_handle;
		if (igt_ioctl(fd, DRM_IOCTL_VIRTGPU_MADVISE, &madv))
			_exit(3);
		shrinker_scan(16);
		gem_close(fd, rc.bo_handle);
	}
}

/* A texture with its own pixel per position, uploaded by Mesa. */
static uint32_t mesa_texel(int x, int y)
{
	return (x * 4 + 1) | ((y * 4 + 2) << 8) | (((x ^ y) & 0xff) << 16) | 0xff000000u;
}

static GLuint mesa_texture(void)
{
	static uint32_t texels[MESA_SIZE * MESA_SIZE];
	GLuint tex;

	for (int y = 0; y < MESA_SIZE; y++)
		for (int x = 0; x < MESA_SIZE; x++)
			texels[y * MESA_SIZE + x] = mesa_texel(x, y);
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, MESA_SIZE, MESA_SIZE, 0,
		     GL_RGBA, GL_UNSIGNED_BYTE, texels);
	glFinish();
	igt_assert_eq(glGetError(), GL_NO_ERROR);
	return tex;
}

/* Read @tex back through a framebuffer of its own; check every texel. */
static void mesa_check_texture(GLuint tex)
{
	static uint32_t pixels[MESA_SIZE * MESA_SIZE];
	GLuint fbo;

	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	igt_assert_eq(glCheckFramebufferStatus(GL_FRAMEBUFFER),
		      GL_FRAMEBUFFER_COMPLETE);
	glReadPixels(0, 0, MESA_SIZE, MESA_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
	igt_assert_eq(glGetError(), GL_NO_ERROR);
	for (int y = 0; y < MESA_SIZE; y++)
		for (int x = 0; x < MESA_SIZE; x++)
			igt_assert_f(pixels[y * MESA_SIZE + x] == mesa_texel(x, y),
				     "texel %d,%d: %#x, expected %#x\n", x, y,
				     pixels[y * MESA_SIZE + x], mesa_texel(x, y));
	glDeleteFramebuffers(1, &fbo);
}

#define CHURN_BOS 16		/* vertex buffers per frame */
#define CHURN_BO_SIZE (2 << 20)
#define CHURN_GRID 4		/* CHURN_GRID x CHURN_GRID cells */
#define CHURN_MIN_FRAMES 4	/* after the pressure, reusing the cache */

static GLuint churn_prog;
static GLint churn_pos, churn_col;

static GLuint churn_shader(GLenum type, const char *src)
{
	GLuint sh = glCreateShader(type);
	GLint ok = 0;

	glShaderSource(sh, 1, &src, NULL);
	glCompileShader(sh);
	glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
	igt_assert_f(ok, "shader did not compile\n");
	return sh;
}

static void churn_init(void)
{
	GLint ok = 0;

	churn_prog = glCreateProgram();
	glAttachShader(churn_prog, churn_shader(GL_VERTEX_SHADER,
		"attribute vec2 pos;\n"
		"attribute vec4 col;\n"
		"varying vec4 c;\n"
		"void main() { gl_Position = vec4(pos, 0.0, 1.0); c = col; }\n"));
	glAttachShader(churn_prog, churn_shader(GL_FRAGMENT_SHADER,
		"precision mediump float;\n"
		"varying vec4 c;\n"
		"void main() { gl_FragColor = c; }\n"));
	glLinkProgram(churn_prog);
	glGetProgramiv(churn_prog, GL_LINK_STATUS, &ok);
	igt_assert_f(ok, "program did not link\n");
	churn_pos = glGetAttribLocation(churn_prog, "pos");
	churn_col = glGetAttribLocation(churn_prog, "col");
	igt_assert(churn_pos >= 0 && churn_col >= 0);
}

struct churn_vertex {
	float x, y;
	uint8_t rgba[4];
};

/*
 * One frame of a client that makes its buffers anew every frame, as an
 * application streaming vertex data does: CHURN_BOS vertex buffers of
 * CHURN_BO_SIZE, each drawing one cell of the bound MESA_SIZE target in a
 * colour of the frame and cell, all deleted at the end of the frame. Mesa
 * keeps the deleted buffers' BOs in its cache and the next frame takes
 * them back. Every pixel is checked.
 */
static void churn_frame(unsigned int frame)
{
	static uint8_t data[CHURN_BO_SIZE];
	static uint32_t pixels[MESA_SIZE * MESA_SIZE];
	const int cell = MESA_SIZE / CHURN_GRID;
	GLuint vbo[CHURN_BOS];

	glUseProgram(churn_prog);
	glViewport(0, 0, MESA_SIZE, MESA_SIZE);
	glGenBuffers(CHURN_BOS, vbo);
	glEnableVertexAttribArray(churn_pos);
	glEnableVertexAttribArray(churn_col);
	memset(data, frame & 0xff, sizeof(data));
	for (int i = 0; i < CHURN_BOS; i++) {
		static const float corner[6][2] = {
			{ 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 0, 1 },
		};
		struct churn_vertex *v = (struct churn_vertex *)data;
		uint32_t c = mesa_color(frame, i);
		float x0 = -1.0f + 2.0f * (i % CHURN_GRID) / CHURN_GRID;
		float y0 = -1.0f + 2.0f * (i / CHURN_GRID) / CHURN_GRID;

		for (int k = 0; k < 6; k++) {
			v[k].x = x0 + corner[k][0] * 2.0f / CHURN_GRID;
			v[k].y = y0 + corner[k][1] * 2.0f / CHURN_GRID;
			memcpy(v[k].rgba, &c, 4);
		}
		glBindBuffer(GL_ARRAY_BUFFER, vbo[i]);
		glBufferData(GL_ARRAY_BUFFER, sizeof(data), data, GL_STREAM_DRAW);
		glVertexAttribPointer(churn_pos, 2, GL_FLOAT, GL_FALSE,
				      sizeof(*v), (void *)0);
		glVertexAttribPointer(churn_col, 4, GL_UNSIGNED_BYTE, GL_TRUE,
				      sizeof(*v), (void *)offsetof(struct churn_vertex, rgba));
		glDrawArrays(GL_TRIANGLES, 0, 6);
	}
	glReadPixels(0, 0, MESA_SIZE, MESA_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
	igt_assert_eq(glGetError(), GL_NO_ERROR);
	for (int y = 0; y < MESA_SIZE; y++) {
		for (int x = 0; x < MESA_SIZE; x++) {
			int i = (x / cell) + CHURN_GRID * (y / cell);

			igt_assert_f(pixels[y * MESA_SIZE + x] == mesa_color(frame, i),
				     "frame %u pixel %d,%d: %#x, expected %#x\n",
				     frame, x, y, pixels[y * MESA_SIZE + x],
				     mesa_color(frame, i));
		}
	}
	glBindBuffer(GL_ARRAY_BUFFER, 0);
	glDeleteBuffers(CHURN_BOS, vbo);
	/* The deleted buffers' BOs go to Mesa's cache once submitted. */
	glFinish();
}

/*
 * The DONTNEED bytes that Mesa's DRM file holds (its fdinfo's
 * drm-purgeable-memory): Mesa's file is this process's DRM file other
 * than mesa_card (one struct file, whatever fd numbers it has).
 */
static int64_t mesa_purgeable_bytes(void)
{
	int64_t max = -1;

	for (int fd = 0; fd < 1024; fd++) {
		int64_t v;

		if (fd == mesa_card)
			continue;
		v = shrinker_fdinfo(fd, "drm-purgeable-memory");
		if (v > max)
			max = v;
	}
	return max;
}

igt_main
{
	igt_fixture
		mesa_init();

	igt_describe("Frames rendered by Mesa read back right while another "
		     "process's DONTNEED BOs on the same device are purged.");
	igt_subtest("render-while-purging") {
		struct shrinker_stats before, after;
		unsigned int f;
		pid_t pid;
		int status;

		mesa_target();
		mesa_frame(0);
		shrinker_stats_device(mesa_card, &before);

		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0)
			mesa_cache_process();

		/* Render until enough of the other process's BOs went. */
		for (f = 1; f <= MESA_MAX_FRAMES; f++) {
			mesa_frame(f);
			if (f < MESA_FRAMES || f % 50)
				continue;
			shrinker_stats_device(mesa_card, &after);
			if (after.purged_objects - before.purged_objects >= MESA_PURGES)
				break;
		}

		kill(pid, SIGKILL);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert_f(WIFSIGNALED(status),
			     "the cache process failed: status %#x\n", status);
		shrinker_stats_device(mesa_card, &after);
		igt_info("%" PRIu64 " BOs of the cache process purged during %u frames\n",
			 after.purged_objects - before.purged_objects, f - 1);
		igt_assert_lte_u64(MESA_PURGES, after.purged_objects - before.purged_objects);
	}

	igt_describe("Mesa renders a frame and uploads a texture; memory "
		     "pressure (a hog swapping to zram) then evicts its idle "
		     "BOs (the host is told to drop their backing); the next "
		     "frames and the texture read back right, with the BOs "
		     "swapped in on their use.");
	igt_subtest("render-across-eviction") {
		struct shrinker_stats before, evicted, after;
		unsigned int round;
		char disksize[32];
		GLuint tex, fbo;

		tex = mesa_texture();
		fbo = mesa_target();
		mesa_frame(1);
		glFinish();

		/*
		 * Memory pressure, not a scan by hand: a hog of the guest's
		 * memory swapping to zram, until reclaim evicted some of
		 * Mesa's idle BOs (a few rounds at most).
		 */
		snprintf(disksize, sizeof(disksize), "%" PRIu64 "M",
			 (shrinker_meminfo("MemTotal") * 3 / 2) >> 20);
		shrinker_zram_on(disksize);
		shrinker_stats_device(mesa_card, &before);
		for (round = 0; round < MESA_HOG_ROUNDS; round++) {
			shrinker_run_hog(shrinker_meminfo("MemTotal"));
			shrinker_pending_settle();
			shrinker_stats_device(mesa_card, &evicted);
			if (evicted.evicted_by_kswapd + evicted.evicted_by_direct >
			    before.evicted_by_kswapd + before.evicted_by_direct)
				break;
		}

		glBindFramebuffer(GL_FRAMEBUFFER, fbo);
		mesa_frame(2);
		mesa_frame(3);
		mesa_check_texture(tex);
		shrinker_stats_device(mesa_card, &after);
		shrinker_zram_off();
		igt_info("%" PRIu64 " of Mesa's BOs evicted (%" PRIu64
			 " pages; kswapd %" PRIu64 ", direct %" PRIu64
			 ") in %u hog rounds, %" PRIu64 " swapped in\n",
			 evicted.evicted_objects - before.evicted_objects,
			 evicted.evicted_pages - before.evicted_pages,
			 evicted.evicted_by_kswapd - before.evicted_by_kswapd,
			 evicted.evicted_by_direct - before.evicted_by_direct,
			 round + 1,
			 after.swapped_in_objects - evicted.swapped_in_objects);
		/* Reclaim evicted them, not a scan by hand. */
		igt_assert_lt_u64(before.evicted_by_kswapd + before.evicted_by_direct,
				  evicted.evicted_by_kswapd + evicted.evicted_by_direct);
		igt_assert_eq_u64(evicted.evicted_by_other, before.evicted_by_other);
		igt_assert_lt_u64(evicted.swapped_in_objects, after.swapped_in_objects);
		glDeleteTextures(1, &tex);
	}

	igt_describe("Mesa's virgl BO cache marks the BOs it keeps DONTNEED "
		     "(fdinfo counts them); a memory hog between two frames "
		     "makes reclaim purge them; Mesa finds them purged "
		     "when it takes them back (WILLNEED answers retained = 0), "
		     "closes every one and goes on reusing its cache. Every "
		     "frame reads back right. Needs a Mesa with the virgl "
		     "madvise patches; counts Mesa's madvise calls exactly "
		     "with ds-madvcount.so preloaded.");
	igt_subtest("cache-purged") {
		const struct ds_madvise_counts *(*get)(void);
		const struct ds_madvise_counts *c = NULL;
		struct shrinker_stats before, after;
		unsigned int f = 0, round, rounds = 0;
		int64_t purgeable;

		/*
		 * With ds-madvcount.so preloaded (the project's guest does;
		 * DS_MADVCOUNT_REQUIRED says it must be), Mesa's madvise
		 * calls and the kernel's answers are counted and checked
		 * exactly; without it, what the kernel shows (fdinfo, the
		 * device's statistics) and the frames are.
		 */
		get = (const struct ds_madvise_counts *(*)(void))
			dlsym(RTLD_DEFAULT, "ds_madvise_counts");
		igt_assert_f(get || !getenv("DS_MADVCOUNT_REQUIRED"),
			     "ds-madvcount.so is not preloaded\n");
		if (get)
			c = get();
		churn_init();
		mesa_target();
		for (; f < CHURN_MIN_FRAMES; f++)
			churn_frame(f);
		purgeable = mesa_purgeable_bytes();
		igt_info("after %u frames: fdinfo drm-purgeable-memory %" PRId64
			 " KiB\n", f, purgeable >> 10);
		igt_require_f(purgeable > 0,
			      "Mesa does not mark its cached BOs DONTNEED\n");
		if (c)
			igt_assert_lt_u64(0, c->dontneed);

		/*
		 * Between two frames, a hog of the guest's memory makes
		 * reclaim (kswapd, direct) purge what is in Mesa's cache;
		 * then frames again, which find the cache purged. The
		 * client does not render while the hog runs: at its peak
		 * a BO of its own could not be allocated (GL_OUT_OF_MEMORY),
		 * which is not what this test is about. A few rounds at most.
		 */
		shrinker_stats_device(mesa_card, &before);
		for (round = 0; round < MESA_HOG_ROUNDS; round++) {
			shrinker_run_hog(shrinker_meminfo("MemTotal"));
			shrinker_pending_settle();
			for (int i = 0; i < CHURN_MIN_FRAMES; i++)
				churn_frame(f++);
			rounds++;
			shrinker_stats_device(mesa_card, &after);
			if (c ? c->willneed_purged && c->reused_after_purge :
			    after.purged_by_kswapd + after.purged_by_direct >
			    before.purged_by_kswapd + before.purged_by_direct)
				break;
		}
		shrinker_pending_settle();
		shrinker_stats_device(mesa_card, &after);
		igt_info("%u frames, %u hog rounds: %" PRIu64 " BOs purged by "
			 "kswapd, %" PRIu64 " by direct reclaim, %" PRIu64
			 " by others\n", f, rounds,
			 after.purged_by_kswapd - before.purged_by_kswapd,
			 after.purged_by_direct - before.purged_by_direct,
			 after.purged_by_other - before.purged_by_other);
		/* Reclaim purged them, not a scan by hand. */
		igt_assert_lt_u64(before.purged_by_kswapd + before.purged_by_direct,
				  after.purged_by_kswapd + after.purged_by_direct);
		igt_assert_eq_u64(after.purged_by_other, before.purged_by_other);
		if (c) {
			igt_info("Mesa: %lu DONTNEED (%lu refused), %lu WILLNEED "
				 "retained, %lu found purged (%lu closed), %lu "
				 "reused after the first purge\n", c->dontneed,
				 c->dontneed_refused, c->willneed,
				 c->willneed_purged, c->closed_purged,
				 c->reused_after_purge);
			igt_assert_lt_u64(0, c->willneed_purged);
			igt_assert_eq_u64(c->closed_purged, c->willneed_purged);
			igt_assert_lt_u64(0, c->reused_after_purge);
			igt_assert_eq_u64(c->misused_purged, 0);
			igt_assert_eq_u64(c->untracked, 0);
			igt_assert_eq_u64(c->dontneed_refused, 0);
		} else {
			igt_info("ds-madvcount.so not preloaded: Mesa's madvise "
				 "calls not counted\n");
		}
	}

	igt_fixture {
		eglMakeCurrent(mesa_dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
		eglDestroyContext(mesa_dpy, mesa_ctx);
		eglTerminate(mesa_dpy);
		gbm_device_destroy(mesa_gbm);
		close(mesa_render);
		close(mesa_card);
	}
}
