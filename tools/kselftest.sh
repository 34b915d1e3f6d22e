#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel selftests the guest runs, from the patched tree with
# their own Makefiles (as `make -C tools/testing/selftests` builds them,
# without CFLAGS from the environment: -O2 lets the compiler drop the
# stores of test_memcontrol's alloc_anon() to memory it frees), with the
# tree's uAPI headers where a Makefile uses them (6.12's cgroup one does
# not: the host's). Output: build/kselftest/<dir>/<test> (for the kernel
# that is not the main one, build/kselftest-KVER/...).
# The cgroup memory controller's tests cover patch 0008 (memcg reclaim
# credited with the folios its shrinkers uncharge).
. "$(dirname "$0")/lib.sh"

TESTS=(cgroup/test_memcontrol)

kmake -s headers_install >/dev/null
for t in "${TESTS[@]}"; do
	dir=${t%/*}
	out=$BUILD/kselftest$KSUF/$dir
	mkdir -p "$out"
	rm -f "$out/${t#*/}"
	env -u CFLAGS -u USERCFLAGS -u LDFLAGS -u USERLDFLAGS \
		make -s -C "$KSRC/tools/testing/selftests/$dir" OUTPUT="$out" \
		KHDR_INCLUDES="-isystem $KOBJ/usr/include" "$out/${t#*/}" ||
		die "building the selftest $t failed"
done
say "selftests built: ${TESTS[*]}"
