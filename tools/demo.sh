#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: boot the guest twice with two virtio-gpu devices and vgem,
# fill BO caches on all three (DONTNEED), then run a memory hog that needs
# that memory: once with the DRM shrinker, once booted with drm.shrinker=0.
# With the shrinker, the same with a GL client's Mesa BO cache: the
# system's Mesa, then Mesa with the virgl madvise patches (mesa/).
# Prints what happened and draws the pages on the LRU per device over time
# to build/results/demo/demo.png.
. "$(dirname "$0")/lib.sh"

export RESULTS=$BUILD/results$KSUF/demo
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
say "make demo: build the guest kernel and tools, then boot the guest twice (about 3 minutes each)"
{ guest_build_phases "$TOP/tests/config/guest.config" &&
	phase mesa "$TOP/tools/mesa.sh" patched; } 2>&1 | tee "$RESULTS/build.log" ||
	die "build failed: see $RESULTS/build.log"

export MEM=${MEM:-1G} TIMEOUT=${TIMEOUT:-600}
for run in with without; do
	args=()
	[ $run = without ] && args=(drm.shrinker=0)
	say "guest: $MEM, DRM shrinker $([ $run = with ] && echo on || echo off)"
	phase "guest-$run" "$TOP/tools/guest.sh" demo "$RESULTS/$run" "${args[@]}" || true
	sed 's/^/  /' "$RESULTS/$run/demo.txt" 2>/dev/null ||
		echo "  (no output: see $RESULTS/$run/console.log)"
done

echo
echo "with the shrinker:    $(grep RESULT "$RESULTS/with/demo.txt" 2>/dev/null | cut -d' ' -f2-)"
echo "without the shrinker: $(grep RESULT "$RESULTS/without/demo.txt" 2>/dev/null | cut -d' ' -f2-)"
echo "over-reclaim:         $(grep OVER-RECLAIM "$RESULTS/with/demo.txt" 2>/dev/null | cut -d' ' -f2-)"
grep '^MESA' "$RESULTS/with/demo.txt" 2>/dev/null | sed 's/^MESA /GL client /' || true

csv=$RESULTS/with/samples.csv
if [ -s "$csv" ]; then
	cols=$(head -n1 "$csv" | wc -w)
	{
		echo "set terminal pngcairo size 800,450 noenhanced 2>/dev/null"
		echo "set output '$RESULTS/demo.png'"
		echo "set title 'Pages on the DRM shrinker LRU per device (memory hog starts when they fall)'"
		echo "set xlabel 'seconds'; set ylabel 'pages'; set key outside; set grid"
		printf "plot "
		for i in $(seq 2 $((cols - 1))); do
			printf "'%s' using (\$1/1000):%d with lines lw 2 title columnheader(%d)%s" \
				"$csv" "$i" "$i" "$([ "$i" -lt $((cols - 1)) ] && echo ', ')"
		done
		echo
	} >"$RESULTS/demo.gp"
	sed -i 's/ 2>\/dev\/null//' "$RESULTS/demo.gp"
	gnuplot "$RESULTS/demo.gp" 2>/dev/null ||
		{ sed -i 's/pngcairo/png/' "$RESULTS/demo.gp"; gnuplot "$RESULTS/demo.gp"; }
	echo "chart: $RESULTS/demo.png"
fi
