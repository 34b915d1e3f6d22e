// SPDX-License-Identifier: MIT
/*
 * A real client: Mesa's virgl driver renders on the 3D virtio-gpu device
 * through GBM and EGL while another process's DONTNEED BOs on the same
 * device are purged, and across the eviction of its own idle BOs to swap.
 * Every frame must read back right: the shrinker never purges the BOs of
 * a client that never marked any DONTNEED, and what it evicts comes back
 * as it was.
 */
#include "igt.h"
#include "drm_shrinker_helpers.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <drm/virtgpu_drm.h>
#include <gbm.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>

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
			pid_t pid = fork();
			int status;

			igt_assert(pid >= 0);
			if (pid == 0)
				shrinker_hog(shrinker_meminfo("MemTotal"));
			igt_assert_eq(waitpid(pid, &status, 0), pid);
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

	igt_fixture {
		eglMakeCurrent(mesa_dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
		eglDestroyContext(mesa_dpy, mesa_ctx);
		eglTerminate(mesa_dpy);
		gbm_device_destroy(mesa_gbm);
		close(mesa_render);
		close(mesa_card);
	}
}
