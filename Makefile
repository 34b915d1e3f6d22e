# SPDX-License-Identifier: GPL-2.0
# drm-shrinker: build, boot and test the patched kernel.
# All tooling lives in tools/; everything it writes goes to build/.
# KVER=6.12 or KVER=7.3 picks the kernel (patches/KVER); tools/lib.sh
# says which one is the default.

.PHONY: all demo check check-main check-kasan bench stress series kernel clean distclean help

all: help

help:
	@echo "make demo         boot the guest and show what the shrinker does"
	@echo "make check        all tests: static checks, KUnit and IGT in the guest, on 7.3 and 6.12"
	@echo "make check-main   the same, less the other kernel's build and boot (quicker)"
	@echo "make check-kasan  make check-main on a KASAN kernel"
	@echo "make bench        benchmarks against their anchors, as ratios (build/results/bench)"
	@echo "make stress       the reliability suite at full length, lockdep and KASAN kernels"
	@echo "make series       export the series as git format-patch into build/series"
	@echo "make kernel       only prepare the tree and build the guest kernel"
	@echo "make clean        drop build outputs, keep the unpacked source and ccache"
	@echo "KVER=6.12|7.3     (with any of them) the kernel to build the series for"

demo:
	@tools/demo.sh

check:
	@tools/check.sh

check-kasan:
	@tools/check.sh kasan

check-main:
	@DS_OTHER_KERNEL=0 tools/check.sh

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
	rm -rf build/obj build/obj-* build/pagecache build/igt build/results build/results-* \
		build/series build/series-* build/bisect build/bisect-*

distclean:
	rm -rf build
