# SPDX-License-Identifier: GPL-2.0
# Plan of `make demo`, sourced by init.sh in the guest: fill BO caches on
# both virtio-gpu devices and on vgem (all DONTNEED), then run a memory
# hog that needs that memory. The shrinker gives it back, or, booted with
# drm.shrinker=0, the OOM killer takes the hog. Writes demo.txt and
# samples.csv (pages on the LRU per device over time) to the share.
BIN=$DS_TOP/build/igt
say() { echo "$*" | tee -a "$OUT/demo.txt" | sed 's/^/ds: /'; }

# The per-device statistics files: real directories, not the minor links.
ds_dev_files() {
	for d in /sys/kernel/debug/dri/*/; do
		d=${d%/}
		[ -L "$d" ] || [ ! -f "$d/shrinker" ] || echo "$d/shrinker"
	done
}
ds_val() { awk -v k="$2:" '$1 == k {print $2}' "$1"; }
ds_stats() {
	say "$1"
	for f in $(ds_dev_files); do
		say "$(printf '  %-14s on LRU %6s pages  purged %6s pages' \
			"$(basename "$(dirname "$f")")" "$(ds_val "$f" purgeable_pages)" \
			"$(ds_val "$f" purged_pages)")"
	done
}

say "DRM devices: $(for c in /dev/dri/card*; do printf '%s ' "$(basename "$c")"; done)"
say "DRM shrinker in /sys/kernel/debug/shrinker: $(ls /sys/kernel/debug/shrinker | grep drm-shrinker || echo none)"
if grep -q 'drm.shrinker=0' /proc/cmdline; then
	say "booted with drm.shrinker=0: the DRM shrinker is not registered"
fi

avail=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
per_dev=$((avail / 2 / 3 / 4 * 4))
hog=$((avail * 3 / 4))
say "MemAvailable ${avail} MiB: caching ${per_dev} MiB per device, then a hog of ${hog} MiB"

# Sampler: time, pages on the LRU per device, MemAvailable.
files=$(ds_dev_files)
{
	printf 'time'
	for f in $files; do printf ' %s' "$(basename "$(dirname "$f")")"; done
	printf ' memavail_mib\n'
} >"$OUT/samples.csv"
(
	t0=$(date +%s%N)
	while :; do
		printf '%s' "$((($(date +%s%N) - t0) / 1000000))"
		for f in $files; do printf ' %s' "$(ds_val "$f" purgeable_pages)"; done
		printf ' %s\n' "$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)"
		sleep 0.5
	done >>"$OUT/samples.csv"
) &
sampler=$!

"$BIN/ds-cache" cache "$per_dev" >"$OUT/cache.log" 2>&1 &
cache=$!
while ! grep -q ready "$OUT/cache.log" 2>/dev/null; do
	kill -0 $cache 2>/dev/null || break
	sleep 1
done
say "$(cat "$OUT/cache.log")"
ds_stats "before the hog:"
ds_purged() {
	n=0
	for f in $(ds_dev_files); do n=$((n + $(ds_val "$f" purged_pages))); done
	echo $n
}
purged0=$(ds_purged)
avail0=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)

"$BIN/ds-cache" hog "$hog" >"$OUT/hog.log" 2>&1
rc=$?
if [ $rc = 0 ]; then
	say "RESULT: the ${hog} MiB hog got its memory"
else
	say "RESULT: the ${hog} MiB hog failed (exit $rc$( [ $rc -gt 128 ] && echo ", killed by signal $((rc - 128))"))"
fi
ds_stats "after the hog:"
# Over-reclaim: what the shrinker purged against what the hog lacked
# (its size past MemAvailable, which leaves the DONTNEED BOs out).
lacked=$((hog - avail0))
purged=$((($(ds_purged) - purged0) / 256))
if [ $lacked -gt 0 ]; then
	say "OVER-RECLAIM: the hog lacked ${lacked} MiB, the shrinker purged ${purged} MiB: $(awk -v p=$purged -v l=$lacked 'BEGIN { printf "%.2f", p / l }')x (goal <= 1.25)"
fi
sleep 1
kill $cache $sampler 2>/dev/null
wait 2>/dev/null
say "OOM kills: $(dmesg | grep -c 'Out of memory: Killed process')"

# The same with a real GL client (with the shrinker only): 256 MiB of
# vertex buffers released into Mesa's BO cache on the 3D virtio-gpu
# device, then a hog that lacks 128 MiB. With the system's Mesa (22.3.6)
# the cache is not marked and stays; with Mesa 25.0.7 and the virgl
# madvise patches (mesa/) it is DONTNEED and the shrinker purges it.
if ! grep -q 'drm.shrinker=0' /proc/cmdline; then
	. "$DS_TOP/tests/guest/plan-lib.sh"
	card=$(ds_virtio_cards | head -n 1)
	dev=/sys/kernel/debug/dri/${card#/dev/dri/card}/shrinker
	[ -n "$card" ] && [ -f "$dev" ] || say "MESA: no 3D virtio-gpu device with statistics"
	[ -n "$card" ] && [ -f "$dev" ] &&
	for mesa in system patched; do
		env=MESA_SHADER_CACHE_DISABLE=true
		[ $mesa = patched ] && env="$env $(ds_mesa_env) DS_MADVCOUNT_REQUIRED="
		# shellcheck disable=SC2086
		env $env "$BIN/ds-glbench" cache 256 >"$OUT/mesa-$mesa.log" 2>&1 &
		client=$!
		for i in $(seq 120); do
			grep -q ready "$OUT/mesa-$mesa.log" 2>/dev/null && break
			kill -0 $client 2>/dev/null || break
			sleep 0.5
		done
		if ! grep -q ready "$OUT/mesa-$mesa.log" 2>/dev/null; then
			kill $client 2>/dev/null
			say "MESA ($mesa Mesa): the GL client did not get ready: $(tail -n 1 "$OUT/mesa-$mesa.log")"
			continue
		fi
		marked=$(($(ds_val "$dev" purgeable_pages) / 256))
		purged0=$(ds_val "$dev" purged_pages)
		avail=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
		"$BIN/ds-cache" hog $((avail + 128)) >/dev/null 2>&1
		rc=$?
		purged=$((($(ds_val "$dev" purged_pages) - purged0) / 256))
		kill $client 2>/dev/null
		wait $client 2>/dev/null
		if [ $rc = 0 ]; then what="got its memory"; else what="failed (exit $rc)"; fi
		say "MESA ($mesa Mesa): 256 MiB in a GL client's BO cache, ${marked} MiB of it DONTNEED; a hog lacking 128 MiB ${what}; ${purged} MiB purged"
	done
fi
cat /sys/kernel/debug/dri/shrinker >"$OUT/shrinker-global.txt"
for f in $(ds_dev_files); do
	echo "== $f"
	cat "$f"
done >"$OUT/shrinker-devices.txt"
