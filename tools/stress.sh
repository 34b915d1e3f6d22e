#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make stress`: the reliability suite (tests/igt/drm_shrinker_stress.c)
# at full length, on the PROVE_LOCKING kernel and then on the KASAN
# kernel, one after the other. Per kernel: a soak of STRESS_MINUTES
# (default 10) in a memory-limited cgroup swapping to zram, fault
# injection, hostile ioctls, and a soak while virtio-gpu #2 is unbound and
# bound again. Results in build/results/stress-{default,kasan}/; prints a
# table per kernel and a final `N passed, N failed, N skipped` over both.
. "$(dirname "$0")/lib.sh"

MINUTES=${STRESS_MINUTES:-10}
VARIANTS=${STRESS_VARIANTS:-default kasan}
T0=$(date +%s)
total=(0 0 0)

for variant in $VARIANTS; do
	fragments=("$TOP/tests/config/guest.config")
	KOBJ=$BUILD/obj$KSUF
	timeout=$((MINUTES * 60 + 1200))
	if [ "$variant" = kasan ]; then
		fragments+=("$TOP/tests/config/kasan.config")
		KOBJ=$BUILD/obj-kasan$KSUF
		timeout=$((MINUTES * 60 * 2 + 2400))
	fi
	export KOBJ RESULTS=$BUILD/results$KSUF/stress-$variant
	rm -rf "$RESULTS"
	mkdir -p "$RESULTS"
	if guest_build_phases "${fragments[@]}"; then
		TIMEOUT=$timeout phase guest "$TOP/tools/guest.sh" stress \
			"$RESULTS/guest" "DS_SOAK_SECONDS=$((MINUTES * 60))" \
			"DS_UNPLUG_SECONDS=$((MINUTES * 12))" || true
	fi
	say "make stress ($variant): report"
	"$PY" "$TOP/tools/report.py" "$RESULTS" "$TOP" \
		"$TOP/tests/guest/expect-stress.txt" | tee "$RESULTS/report.txt" || true
	# What the suite counted, for the closing notes.
	grep -h -E 'hostile madvise calls|racing madvise|faults injected|^soak ' \
		"$RESULTS/guest/igt/drm_shrinker_stress.out" 2>/dev/null || true
	read -r p f s < <(tail -n 1 "$RESULTS/report.txt" |
			  sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p') || true
	total=($((total[0] + ${p:-0})) $((total[1] + ${f:-1})) $((total[2] + ${s:-0})))
done
say "make stress took $(($(date +%s) - T0))s"
echo "${total[0]} passed, ${total[1]} failed, ${total[2]} skipped"
((total[1] == 0))
