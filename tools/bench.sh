#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: run tests/guest/ds-bench.c in the guest and print its
# table; results in build/results/bench/ (bench.md, bench.csv).
. "$(dirname "$0")/lib.sh"

export RESULTS=$BUILD/results/bench
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
guest_build_phases "$TOP/tests/config/guest.config" >"$RESULTS/build.log" 2>&1 || { cat "$RESULTS/build.log"; die "build failed"; }
TIMEOUT=${TIMEOUT:-600} phase guest "$TOP/tools/guest.sh" bench "$RESULTS/guest" 2>/dev/null || true
[ "$(cat "$RESULTS/guest/bench.rc" 2>/dev/null)" = 0 ] ||
	die "the benchmark failed: $(cat "$RESULTS/guest/bench.err" 2>/dev/null)"
cp "$RESULTS/guest/bench.md" "$RESULTS/guest/bench.csv" "$RESULTS/"
cat "$RESULTS/bench.md"
