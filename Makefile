# SPDX-License-Identifier: GPL-2.0
# drm-shrinker: build, boot and test the patched 6.12 kernel.
# All tooling lives in tools/; everything it writes goes to build/.

.PHONY: all demo check check-kasan bench stress series kernel clean distclean help

all: help

help:
	@echo "make demo         boot the guest and show what the shrinker does"
	@echo "make check        all tests: static checks, KUnit and IGT in the guest"
	@echo "make check-kasan  the same on a KASAN kernel"
	@echo "make bench        benchmarks against their anchors, as ratios (build/results/bench)"
	@echo "make stress       the reliability suite at full length, lockdep and KASAN kernels"
	@echo "make series       export the series as git format-patch into build/series"
	@echo "make kernel       only prepare the tree and build the guest kernel"
	@echo "make clean        drop build outputs, keep the unpacked source and ccache"

demo:
	@tools/demo.sh

check:
	@tools/check.sh

check-kasan:
	@tools/check.sh kasan

bench:
	@tools/bench.sh

stress:
	@tools/stress.sh

series:
	@tools/deps.sh && tools/series.sh

kernel:
	@tools/deps.sh && tools/tree.sh && tools/kconfig.sh tests/config/guest.config && \
		bash -c '. tools/lib.sh; kmake -s bzImage modules'

clean:
	rm -rf build/obj build/obj-kasan build/obj-bench build/pagecache build/igt build/results build/series build/series-work

distclean:
	rm -rf build
