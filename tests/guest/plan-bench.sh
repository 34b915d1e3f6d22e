# SPDX-License-Identifier: GPL-2.0
# Plan of `make bench`, sourced by init.sh in the guest.
# 1. The benchmark module (count, bump and scan cost at 1e3..1e6 objects
#    against the anchors), while the LRU holds nothing else.
log "bench module"
insmod "$DS_TOP/$DS_KOBJ/drivers/gpu/drm/tests/drm_shrinker_bench.ko" \
	>"$OUT/module.err" 2>&1
echo $? >"$OUT/module.rc"
rmmod drm_shrinker_bench 2>/dev/null
dmesg | grep 'drm_shrinker_bench: ' | sed 's/^\[[^]]*\] //' >"$OUT/module.txt"
sed 's/^/ds: /' "$OUT/module.txt"
# 2. The ioctl-level benchmarks; the page cache of (b) comes from a file on
#    a 9p share mounted with a page cache.
log "bench"
mkdir -p /run/pagecache
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose \
	pagecache /run/pagecache
DS_PAGECACHE=/run/pagecache/file "$DS_TOP/build/igt/ds-bench" "$OUT/bench.csv" \
	"$OUT/reclaim.csv" "$OUT/vmstat.txt" >"$OUT/bench.md" 2>"$OUT/bench.err"
echo $? >"$OUT/bench.rc"
sed 's/^/ds: /' "$OUT/bench.md"
