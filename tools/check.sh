#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check` / `make check-kasan`: every phase from a fresh machine to
# the per-test table. A failing phase is a failing test; the report always
# prints the final `N passed, N failed, N skipped` line.
#   check.sh [kasan]
. "$(dirname "$0")/lib.sh"

variant=${1:-default}
fragments=("$TOP/tests/config/guest.config")
if [ "$variant" = kasan ]; then
	fragments+=("$TOP/tests/config/kasan.config")
	export KOBJ=$BUILD/obj-kasan$KSUF
	export TIMEOUT=${TIMEOUT:-2400}
fi
# The guests' time limit: a guest with builds running behind it takes
# about a tenth longer than alone (the main one 810 s against 743).
[ "$variant" = kasan ] || export TIMEOUT=${TIMEOUT:-1200}
# make check builds and boots the other kernel too (deps.sh fetches it).
export DS_OTHER_KERNEL=${DS_OTHER_KERNEL:-1}
[ "$variant" = default ] || DS_OTHER_KERNEL=0
RUN=$RESULTS/check-$variant
rm -rf "$RUN"
mkdir -p "$RUN"
export RESULTS=$RUN
T0=$(date +%s)

built=0
if phase deps "$TOP/tools/deps.sh" &&
   phase tree "$TOP/tools/tree.sh" &&
   phase config "$TOP/tools/kconfig.sh" "${fragments[@]}" &&
   phase build kbuild; then
	built=1
fi
if ((built)); then
	phase igt "$TOP/tools/igt.sh" || true
	phase kselftest "$TOP/tools/kselftest.sh" || true
	phase mesa "$TOP/tools/mesa.sh" patched || true
	phase mesa-stock "$TOP/tools/mesa.sh" stock || true
	# What no guest of the main kernel needs runs behind the guests, one
	# build after the other, at the lowest priority: a TCG guest leaves
	# about half of the 2 cores idle (waiting for its host, its timers,
	# its tests' sleeps), which they take, and the guests lose little
	# (nice 19 weighs 15 to their 1024). First the other kernel the
	# series is kept for (OTHER_KVER, lib.sh: 6.12, the stable
	# backport): its tree, the guest config, its build (which fails on
	# any compiler warning) and its selftests, so that it boots right
	# after the main kernel's guests; then the static checks; then the
	# builds a distribution and a maintainer make: modular, and with
	# each option the code depends on turned off. Their output goes to
	# RUN/background.log; their phases are recorded as any other. What
	# they write is nothing a running guest reads: the static checks
	# rebuild objects of build/obj (not its kernel or modules) and pop
	# the series off the tree for a moment, the other builds have dirs
	# of their own (build/obj-NAME, build/obj*-KVER). Not for the KASAN
	# variant, which runs the static checks only (the same sources).
	# DS_OTHER_KERNEL=0 (make check-main) leaves the other kernel out
	# and reports it as one skipped row.
	bg=
	if [ "$variant" = default ]; then
		others="static checks, modular and option builds"
		[ "$DS_OTHER_KERNEL" != 1 ] || others="$OTHER_KVER, $others"
		say "behind the guests (nice 19): $others; output in $RUN/background.log"
		# A process group of its own (job control for the spawn), which
		# an interrupted make check takes down with it: a static check
		# left running pops the series off the tree.
		# The traps first, doing nothing until bg is set. TERM is left to
		# the EXIT trap: a trapped TERM would wait for the running guest.
		trap 'if [ -n "$bg" ]; then kill -TERM -- -"$bg" 2>/dev/null || true; fi' EXIT
		trap 'exit 130' INT
		set -m
		(
			renice -n 19 -p "$BASHPID" >/dev/null || true
			if [ "$DS_OTHER_KERNEL" = 1 ]; then
				env KVER="$OTHER_KVER" KOBJ= TARBALL= bash -c '
					. "$1/tools/lib.sh"
					phase "tree-$KVER" "$TOP/tools/tree.sh" &&
					phase "config-$KVER" "$TOP/tools/kconfig.sh" "$TOP/tests/config/guest.config" &&
					phase "build-$KVER" kbuild_strict || exit 0
					phase "kselftest-$KVER" "$TOP/tools/kselftest.sh" || true' \
					_ "$TOP" || true
			fi
			touch "$RUN/.other-done"
			phase static "$TOP/tools/static.sh" "$RUN/static.tsv" || true
			phase builds "$TOP/tools/builds.sh" "$RUN/builds.tsv" || true
		) </dev/null >"$RUN/background.log" 2>&1 &
		bg=$!
		set +m
	else
		phase static "$TOP/tools/static.sh" "$RUN/static.tsv" || true
	fi
	# background_wait [FILE]: until the background chain made FILE, or
	# ended (bash reaps it: jobs -r lists it only while it runs).
	background_wait() {
		local t1 file=${1:-/nonexistent/marker}
		[ -n "$bg" ] || return 0
		t1=$(date +%s)
		while [ ! -e "$file" ] && jobs -rp | grep -qx "$bg"; do
			sleep 2
		done
		say "waited $(($(date +%s) - t1))s for the builds behind the guests"
	}
	phase guest "$TOP/tools/guest.sh" check "$RUN/guest" \
		${DS_SOAK_SECONDS:+"DS_SOAK_SECONDS=$DS_SOAK_SECONDS"} || true
	# The control: without the shrinker, memcg's OOM killer must strike.
	phase guest-noshrinker "$TOP/tools/guest.sh" noshrinker \
		"$RUN/guest-noshrinker" drm.shrinker=0 || true
	# Without kernel memory accounting no cgroup has lists of its own:
	# a cgroup's reclaim must reach no BO, its own or another's.
	phase guest-nokmem "$TOP/tools/guest.sh" nokmem \
		"$RUN/guest-nokmem" cgroup.memory=nokmem || true
	# Two NUMA nodes: BOs are counted and scanned per node.
	NUMA=2 phase guest-numa "$TOP/tools/guest.sh" numa "$RUN/guest-numa" || true
	# Eviction to swap of 1.5 times the guest's memory, through zswap
	# (plan-evict.sh says why kmemleak is off there).
	MEM=1G phase guest-evict "$TOP/tools/guest.sh" evict "$RUN/guest-evict" \
		kmemleak=off zswap.enabled=1 || true
	# One boot of the other kernel with the main plan (KUnit, IGT, the
	# selftests and the Mesa tests; IGT and Mesa built once: the uAPI is
	# the same), if it built. The static checks, the other boots and the
	# option builds are the main kernel's: `make series KVER=6.12`
	# proves the backport's patches.
	if [ -n "$bg" ] && [ "$DS_OTHER_KERNEL" = 1 ]; then
		background_wait "$RUN/.other-done"
		if grep -q "^build-$OTHER_KVER [0-9]* 0$" "$RUN/phases.txt"; then
			env KVER="$OTHER_KVER" KOBJ= TARBALL= bash -c '
				. "$1/tools/lib.sh"
				phase "guest-$KVER" "$TOP/tools/guest.sh" check "$RESULTS/guest-$KVER" \
					${DS_SOAK_SECONDS:+"DS_SOAK_SECONDS=$DS_SOAK_SECONDS"} || true' \
				_ "$TOP" || true
		fi
	fi
	# A boot of the modular build, once the background chain is done.
	if [ -n "$bg" ]; then
		background_wait
		wait "$bg" || true
		bg=
		grep -E '^==> (phase [^ ]*:|static checks: )|: (warning|error): ' \
			"$RUN/background.log" >&2 || true
		if grep -q "^modular	PASS" "$RUN/builds.tsv" 2>/dev/null; then
			KOBJ=$BUILD/obj-modular$KSUF phase guest-modular \
				"$TOP/tools/guest.sh" modular "$RUN/guest-modular" || true
		fi
	fi
fi
say "make check ($variant) took $(($(date +%s) - T0))s"
skipped=
[ "$variant" = default ] && [ "$DS_OTHER_KERNEL" != 1 ] && skipped=$OTHER_KVER
DS_SKIPPED_KVER=$skipped "$PY" "$TOP/tools/report.py" "$RUN" "$TOP" | tee "$RUN/report.txt"
exit "${PIPESTATUS[0]}"
