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
# 3. Mesa 25.0.7 with the virgl madvise patches against the same Mesa
#    without them (both built by tools/mesa.sh): a cache-heavy GL
#    workload's frame time, rounds alternating which Mesa goes first, and
#    what a hog that lacks 128 MiB gets back from a client whose Mesa
#    cache holds 256 MiB. A step that does not run as it should (a client
#    fails, the wrong Mesa answers, the stock Mesa marks BOs or the
#    patched one does not) fails the case (mesa.rc); the goals are
#    printed by bench-report.py, not enforced.
. "$DS_TOP/tests/guest/plan-lib.sh"
log "bench mesa"
(
set -e
g=$DS_TOP/build/igt/ds-glbench
card=$(ds_virtio_cards | head -n 1)
[ -n "$card" ] || { echo "no virtio-gpu device"; exit 1; }
stats=/sys/kernel/debug/dri/${card#/dev/dri/card}/shrinker
val() {
	v=$(awk -v k="$1:" '$1 == k { print $2 }' "$stats")
	[ -n "$v" ] || { echo "no $1 in $stats" >&2; exit 1; }
	echo "$v"
}
kib_per_page=$(($(getconf PAGESIZE) / 1024))
client=
trap '[ -z "$client" ] || kill "$client" 2>/dev/null' EXIT
# GLBENCH VARIANT ARGS...: ds-glbench with that Mesa, which must answer
# as Mesa 25.0.7 (not the system's 22.3.6).
glbench() {
	v=$1
	shift
	# shellcheck disable=SC2046
	env $(ds_mesa_env "$v") MESA_SHADER_CACHE_DISABLE=true "$@"
}
check_version() {
	grep -q "^GL_VERSION: .*Mesa $MESA_VER" "$1" ||
		{ echo "not Mesa $MESA_VER: $(grep GL_VERSION "$1")"; exit 1; }
}
MESA_VER=25.0.7
echo "case,mesa,round,value" >"$OUT/mesa.csv"
# First a short run of each with the madvise counter: the patched Mesa
# marks its cached buffers, the stock one does not.
for v in stock patched; do
	rm -f "$OUT/mesa-madvise.$v"
	glbench $v DS_MADVCOUNT_OUT="$OUT/mesa-madvise.$v" "$g" frames 10 32 256 \
		>/dev/null 2>"$OUT/mesa-frames.$v.err"
	check_version "$OUT/mesa-frames.$v.err"
done
dn() {
	n=$(sed -n 's/^ds-glbench.* dontneed=\([0-9]*\) .*/\1/p' "$OUT/mesa-madvise.$1")
	[ -n "$n" ] || { echo "no madvise counts of ds-glbench ($1 Mesa)"; exit 1; }
	echo "$n"
}
[ "$(dn patched)" -gt 0 ] || { echo "the patched Mesa marked nothing DONTNEED"; exit 1; }
[ "$(dn stock)" = 0 ] || { echo "the stock Mesa marked BOs DONTNEED"; exit 1; }
# The timed rounds, without the counter (it wraps every ioctl).
for round in 1 2 3 4 5; do
	order="stock patched"
	[ $((round % 2)) = 0 ] && order="patched stock"
	for v in $order; do
		t=$(glbench $v LD_PRELOAD= DS_MADVCOUNT_REQUIRED= "$g" frames 100 32 256 \
			2>/dev/null | awk '/^frame_us / { print $2 }')
		[ -n "$t" ] || { echo "ds-glbench frames failed ($v Mesa)"; exit 1; }
		echo "frame_us,$v,$round,$t" >>"$OUT/mesa.csv"
	done
done
for v in stock patched; do
	p0=$(val purged_pages)
	# env(1) itself, not a function, in the background: $! is then the
	# client's pid (env execs it).
	# shellcheck disable=SC2046
	env $(ds_mesa_env "$v") MESA_SHADER_CACHE_DISABLE=true DS_MADVCOUNT_REQUIRED= \
		"$g" cache 256 >"$OUT/mesa-cache-$v.log" 2>&1 &
	client=$!
	for i in $(seq 600); do
		grep -q ready "$OUT/mesa-cache-$v.log" && break
		kill -0 "$client" 2>/dev/null || break
		sleep 0.1
	done
	grep -q ready "$OUT/mesa-cache-$v.log" ||
		{ echo "ds-glbench cache did not get ready ($v Mesa)"; exit 1; }
	check_version "$OUT/mesa-cache-$v.log"
	marked=$(($(val purgeable_pages) * kib_per_page / 1024))
	avail=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
	hog=0
	"$DS_TOP/build/igt/ds-cache" hog $((avail + 128)) >/dev/null 2>&1 || hog=$?
	kill -0 "$client" || { echo "the GL client died under the hog ($v Mesa)"; exit 1; }
	kill "$client"
	wait "$client" 2>/dev/null || true
	client=
	p1=$(val purged_pages)
	echo "dontneed_mib,$v,1,$marked" >>"$OUT/mesa.csv"
	echo "purged_mib,$v,1,$(((p1 - p0) * kib_per_page / 1024))" >>"$OUT/mesa.csv"
	echo "hog_rc,$v,1,$hog" >>"$OUT/mesa.csv"
done
) >"$OUT/mesa.err" 2>&1
echo $? >"$OUT/mesa.rc"
