#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the benchmarks of the DRM shrinker against their anchors,
# as ratios measured in one run. Results in build/results/bench/:
#   bench.md   every table (also printed)
#   bench.csv  the ioctl-level benchmarks (reclaim, pressure, madvise,
#              scaling, nostall, evict, free)
#   reclaim.csv what reclaim did in each case of the pressure benchmark
#   vmstat.txt every /proc/vmstat counter that moved while the hog ran,
#              by round and case
#   module.csv the benchmark module: count, scan and bump cost by object
#              count, ours and the anchors'
#   sizes.csv  bytes per BO, pristine and patched
#   mesa.csv   the Mesa cases: frame time per round, MiB purged and the
#              hog's exit code per Mesa
#   cost.png   cost against object count, log-log
# The kernel is guest.config + bench.config (no lockdep, no kmemleak), built
# in build/obj-bench.
. "$(dirname "$0")/lib.sh"

export RESULTS=$BUILD/results$KSUF/bench
# Its own kernel: guest.config without lockdep and kmemleak.
export KOBJ=$BUILD/obj-bench$KSUF
MIB=${DS_BENCH_MIB:-512}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
say "make bench: build the bench kernel and tools, then one guest run (about 15 minutes)"
guest_build_phases "$TOP/tests/config/guest.config" "$TOP/tests/config/bench.config" \
	2>&1 | tee "$RESULTS/build.log" || die "build failed: see $RESULTS/build.log"

# Mesa with and without the virgl madvise patches, for the Mesa cases.
{ phase mesa "$TOP/tools/mesa.sh" patched &&
	phase mesa-stock "$TOP/tools/mesa.sh" stock; } 2>&1 | tee -a "$RESULTS/build.log" ||
	die "Mesa build failed: see $RESULTS/build.log"

# The page cache of the pressure benchmark is read from this file.
export PAGECACHE_DIR=$BUILD/pagecache
mkdir -p "$PAGECACHE_DIR"
if [ "$(stat -c %s "$PAGECACHE_DIR/file" 2>/dev/null)" != $((MIB << 20)) ]; then
	dd if=/dev/urandom of="$PAGECACHE_DIR/file" bs=1M count="$MIB" status=none
fi

MEM=${MEM:-3G} TIMEOUT=${TIMEOUT:-1200} phase guest "$TOP/tools/guest.sh" bench \
	"$RESULTS/guest" "DS_BENCH_MIB=$MIB" || true
g=$RESULTS/guest
[ "$(cat "$g/module.rc" 2>/dev/null)" = 0 ] ||
	die "the benchmark module failed: $(cat "$g/module.err" "$g/module.txt" 2>/dev/null)"
[ "$(cat "$g/bench.rc" 2>/dev/null)" = 0 ] ||
	die "the benchmark failed: $(cat "$g/bench.err" 2>/dev/null)"

{
	echo "## ioctl level (one run, TCG guest)"
	echo
	cat "$g/bench.md"
	echo
	echo "## count, scan and LRU bump by object count (benchmark module)"
	"$PY" "$TOP/tools/bench-report.py" "$g/module.txt" "$RESULTS" ||
		die "no benchmark module results"
	echo
	echo "## Mesa's virgl BO cache with madvise (Mesa $MESA_VER, patched vs stock)"
	echo
	[ "$(cat "$g/mesa.rc" 2>/dev/null)" = 0 ] ||
		die "the Mesa benchmark failed: $(cat "$g/mesa.err" 2>/dev/null)"
	"$PY" "$TOP/tools/bench-report.py" --mesa "$g/mesa.csv" ||
		die "no Mesa benchmark results"
	echo
	echo "## bytes per BO (sizeof, with the bench kernel's config)"
	echo
	"$TOP/tools/sizes.sh" "$RESULTS/sizes.csv"
} >"$RESULTS/bench.md"
cp "$g/bench.csv" "$g/reclaim.csv" "$g/vmstat.txt" "$g/mesa.csv" "$RESULTS/"

gnuplot <<GP || die "gnuplot failed"
set terminal png size 900,600 noenhanced
set output "$RESULTS/cost.png"
set title "DRM shrinker vs anchors: cost by number of objects on the LRU"
set logscale xy
set xlabel "objects on the LRU"
set ylabel "ns (per call for count, per object for scan and bump)"
set key top left
set grid
plot "$RESULTS/cost.dat" using 1:2 with linespoints lw 2 title "count: drm_shrinker", \
     "" using 1:3 with linespoints dt 2 title "count: panfrost-style walk", \
     "" using 1:4 with linespoints lw 2 title "scan: drm_shrinker", \
     "" using 1:5 with linespoints dt 2 title "scan: drm_gem_lru_scan", \
     "" using 1:6 with linespoints lw 2 title "bump: drm_shrinker", \
     "" using 1:7 with linespoints dt 2 title "bump: drm_gem_lru_move_tail"
GP
cat "$RESULTS/bench.md"
say "plot: $RESULTS/cost.png"
