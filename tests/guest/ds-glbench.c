// SPDX-License-Identifier: MIT
/*
 * A GL client for `make bench`'s Mesa cases, on the first virtio-gpu
 * device with 3D, through GBM and EGL (the Mesa that the environment
 * selects: the system's, or a build of tools/mesa.sh):
 *
 *   ds-glbench frames FRAMES BOS KIB
 *	a cache-heavy workload: every frame makes BOS vertex buffers of KIB
 *	KiB, draws with each, reads one pixel back and deletes them, so
 *	that every buffer of a frame comes from Mesa's cache and goes back
 *	to it. Prints "frame_us MEDIAN" over FRAMES frames (after 10 not
 *	timed).
 *   ds-glbench cache MIB
 *	fills Mesa's cache with MIB MiB of released vertex buffers (1 MiB
 *	each), prints "ready", and waits for a signal: the buffers stay in
 *	the cache (marked DONTNEED with the patched Mesa) until then.
 *
 * Both print Mesa's GL_VERSION to stderr first, for the caller to check
 * which Mesa it got.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <gbm.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <drm/virtgpu_drm.h>

static void die(const char *what)
{
	fprintf(stderr, "ds-glbench: %s\n", what);
	exit(1);
}

static int open_3d(void)
{
	for (int i = 0; i < 16; i++) {
		struct drm_virtgpu_getparam gp = { .param = VIRTGPU_PARAM_3D_FEATURES };
		char path[32];
		drmVersionPtr v;
		int fd, threed = 0, ok;

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", 128 + i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		ok = v && !strcmp(v->name, "virtio_gpu");
		drmFreeVersion(v);
		gp.value = (uintptr_t)&threed;
		if (ok && !drmIoctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp) && threed)
			return fd;
		close(fd);
	}
	die("no virtio-gpu render node with 3D");
	return -1;
}

static void gl_init(void)
{
	static const EGLint ctx_attribs[] = { EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE };
	struct gbm_device *gbm = gbm_create_device(open_3d());
	EGLDisplay dpy;
	EGLContext ctx;
	GLuint tex, fbo;

	if (!gbm)
		die("gbm_create_device");
	dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, gbm, NULL);
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, NULL, NULL) ||
	    !eglBindAPI(EGL_OPENGL_ES_API))
		die("EGL");
	ctx = eglCreateContext(dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, ctx_attribs);
	if (ctx == EGL_NO_CONTEXT ||
	    !eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx))
		die("EGL context");
	if (!strstr((const char *)glGetString(GL_RENDERER), "virgl"))
		die("Mesa does not drive the device through virgl");
	fprintf(stderr, "GL_VERSION: %s\n", (const char *)glGetString(GL_VERSION));

	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, 64, 64, 0, GL_RGBA,
		     GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
		die("framebuffer");
}

static GLuint program(void)
{
	static const char *vs =
		"attribute vec2 pos;\n"
		"void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n";
	static const char *fs =
		"precision mediump float;\n"
		"void main() { gl_FragColor = vec4(1.0, 0.5, 0.25, 1.0); }\n";
	GLuint p = glCreateProgram(), v = glCreateShader(GL_VERTEX_SHADER),
	       f = glCreateShader(GL_FRAGMENT_SHADER);
	GLint ok = 0;

	glShaderSource(v, 1, &vs, NULL);
	glCompileShader(v);
	glShaderSource(f, 1, &fs, NULL);
	glCompileShader(f);
	glAttachShader(p, v);
	glAttachShader(p, f);
	glBindAttribLocation(p, 0, "pos");
	glLinkProgram(p);
	glGetProgramiv(p, GL_LINK_STATUS, &ok);
	if (!ok)
		die("program");
	glUseProgram(p);
	glEnableVertexAttribArray(0);
	return p;
}

/* BOS buffers of SIZE bytes made, drawn with and deleted; one pixel read. */
static void frame(int bos, size_t size, const void *data)
{
	GLuint vbo[1024];
	uint8_t px[4];

	glGenBuffers(bos, vbo);
	for (int i = 0; i < bos; i++) {
		glBindBuffer(GL_ARRAY_BUFFER, vbo[i]);
		glBufferData(GL_ARRAY_BUFFER, size, data, GL_STREAM_DRAW);
		glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
		glDrawArrays(GL_TRIANGLES, 0, 3);
	}
	glReadPixels(32, 32, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, px);
	glBindBuffer(GL_ARRAY_BUFFER, 0);
	glDeleteBuffers(bos, vbo);
	glFinish();
	if (glGetError() != GL_NO_ERROR)
		die("GL error");
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const float tri[] = { -1, -1, 3, -1, -1, 3 };

	if (argc == 5 && !strcmp(argv[1], "frames")) {
		int frames = atoi(argv[2]), bos = atoi(argv[3]);
		size_t size = (size_t)atoi(argv[4]) << 10;
		double *t = calloc(frames, sizeof(*t));
		char *data = calloc(1, size);

		if (!t || !data || frames < 1 || bos < 1 || bos > 1024 ||
		    size < sizeof(tri))
			die("usage: frames FRAMES BOS KIB");
		memcpy(data, tri, sizeof(tri));
		gl_init();
		program();
		for (int i = 0; i < 10; i++)
			frame(bos, size, data);
		for (int i = 0; i < frames; i++) {
			double t0 = now_us();

			frame(bos, size, data);
			t[i] = now_us() - t0;
		}
		qsort(t, frames, sizeof(*t), cmp_double);
		printf("frame_us %.1f\n", t[frames / 2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "cache")) {
		int mib = atoi(argv[2]);
		char *data = calloc(1, 1 << 20);

		if (!data || mib < 1 || mib > 1024)
			die("usage: cache MIB");
		memcpy(data, tri, sizeof(tri));
		gl_init();
		program();
		/* All made before any is deleted, so that none is reused. */
		{
			GLuint vbo[1024];

			glGenBuffers(mib, vbo);
			for (int i = 0; i < mib; i++) {
				glBindBuffer(GL_ARRAY_BUFFER, vbo[i]);
				glBufferData(GL_ARRAY_BUFFER, 1 << 20, data, GL_STREAM_DRAW);
				glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
				glDrawArrays(GL_TRIANGLES, 0, 3);
			}
			glBindBuffer(GL_ARRAY_BUFFER, 0);
			glDeleteBuffers(mib, vbo);
			glFinish();
			if (glGetError() != GL_NO_ERROR)
				die("GL error");
		}
		printf("ready\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	die("usage: ds-glbench frames FRAMES BOS KIB | cache MIB");
	return 1;
}
