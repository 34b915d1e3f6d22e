#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel selftests the guest runs, from the patched tree with
# their own Makefiles (as `make -C tools/testing/selftests` builds them),
# against the tree's uAPI headers. Output: build/kselftest/<dir>/<test>.
# The cgroup memory controller's tests cover patch 0008 (memcg reclaim
# credited with the folios its shrinkers uncharge).
. "$(dirname "$0")/lib.sh"

TESTS=(cgroup/test_memcontrol)

kmake -s headers_install >/dev/null
for t in "${TESTS[@]}"; do
	dir=${t%/*}
	out=$BUILD/kselftest/$dir
	mkdir -p "$out"
	make -s -C "$KSRC/tools/testing/selftests/$dir" OUTPUT="$out" \
		KHDR_INCLUDES="-isystem $KOBJ/usr/include" "$out/${t#*/}" ||
		die "building the selftest $t failed"
done
say "selftests built: ${TESTS[*]}"
