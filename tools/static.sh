#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks on what this project adds or touches. Each check is one
# line of $OUT (static.tsv): name, PASS|FAIL, seconds, first finding.
#  - checkpatch --strict on every new file (overlay) and every patch;
#  - kernel-doc -none -Wall on every new .c/.h, and every EXPORT_SYMBOL of
#    a new file has a kernel-doc comment;
#  - make W=1 C=2 (sparse) on every object built from a new or patched .c
#    file, all in one make: any warning the series adds fails, a row per
#    object for the warnings in its .c file and one (w1-sparse/headers)
#    for those in headers. The warnings of the pristine files, built once
#    with the series popped, are the baseline (cached in
#    build/static-baseline-KVER/);
#  - the same for panfrost cross-built for arm64 as a module
#    (tests/config/arm64.config, in build/obj-arm64).
. "$(dirname "$0")/lib.sh"

OUT=${1:?output tsv}
: >"$OUT"
LOGDIR=$(dirname "$OUT")/static
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"

record() { # name rc seconds logfile
	local first=""
	if [ "$2" != 0 ]; then
		first=$( (grep -m1 -E 'ERROR|WARNING|CHECK|warning|error' "$4" ||
			  head -n1 "$4") 2>/dev/null | cut -c1-120 | tr '\t' ' ' || true)
	fi
	printf '%s\t%s\t%s\t%s\n' "$1" "$([ "$2" = 0 ] && echo PASS || echo FAIL)" "$3" "$first" >>"$OUT"
}

run_check() { # name cmd...: the check fails on non-zero exit or any output
	local name=$1 log t0 rc=0
	shift
	log=$LOGDIR/$(echo "$name" | tr '/' '_').log
	t0=$(date +%s)
	(cd "$KSRC" && "$@") >"$log" 2>&1 || rc=$?
	if [ $rc = 0 ] && grep -q . "$log"; then rc=1; fi
	record "$name" $rc $(($(date +%s) - t0)) "$log"
}

new_files=$(cd "$TOP" && git ls-files --cached --others --exclude-standard \
	drivers include Documentation 2>/dev/null | grep -E '\.(c|h)$' || true)
patches=$(grep -v '^#' "$PATCHES/series" | sed '/^$/d' || true)

checkpatch() { # checkpatch prints a summary; keep only findings
	scripts/checkpatch.pl --strict --terse --show-types --no-summary "$@"
}
# A new file's findings, less those patches/KVER/checkpatch-kept keeps
# (said in static/checkpatch-kept.log and at the end).
export CHECKPATCH_KEPT_LOG=$LOGDIR/checkpatch-kept.log
checkpatch_file() {
	{ checkpatch -f "$1" 2>&1 || true; } | checkpatch_filter "$1"
}
for f in $new_files; do
	run_check "checkpatch/$f" checkpatch_file "$f"
	run_check "kernel-doc/$f" scripts/kernel-doc -none -Wall "$f"
	exports=$(sed -n 's/^EXPORT_SYMBOL\(_GPL\)\?(\(.*\));/\2/p' "$TOP/$f")
	if [ -n "$exports" ]; then
		run_check "exports-documented/$f" bash -c '
			for s in '"$(echo $exports)"'; do
				scripts/kernel-doc -rst -function "$s" "$0" 2>/dev/null |
					grep -q . || echo "$0: $s has no kernel-doc"
			done' "$f"
	fi
done
# The unpacked source has no upstream git history, so checkpatch cannot
# look up the commits that Fixes: tags name: UNKNOWN_COMMIT_ID is left out
# here (the tags' format, BAD_FIXES_TAG, is still checked; the README says
# where the ids come from).
for p in $patches; do
	run_check "checkpatch/patches/$p" checkpatch --ignore UNKNOWN_COMMIT_ID "$PATCHES/$p"
done

# Objects built from new or patched C files, that this config builds.
objs=$(series_objects)
# W=1 C=2 warnings of objects or directories (one make), without line
# numbers and the source tree's path: "FILE: warning: TEXT", sorted.
# gcc prints the source's path relative to the object dir (ccache's
# base dir), sparse the absolute one: both become relative to the tree.
# A sparse the kernel refuses, and a make that fails without an error
# line, are reported too, not skipped silently.
KREL=$(realpath --relative-to="$KOBJ" "$KSRC")
w1_warnings() {
	local rc=0 out
	out=$(kmake -s -k W=1 C=2 "$@" 2>&1) || rc=$?
	{
		printf '%s\n' "$out" |
			sed -E 's/^.*(not available or not up to date).*$/sparse: warning: \1/' |
			grep -E 'warning:|error:' |
			sed -E "s|^$KSRC/||; s|^$KREL/||; s|^\./||; s|^([^:]+):[0-9]+:([0-9]+:)?|\1:|" || true
		((rc == 0)) || echo "make: error: exit status $rc"
	} | LC_ALL=C sort -u
}

# of_file FILE: the lines of FILE's own warnings.
of_file() { awk -v f="$1: " 'index($0, f) == 1 && NF'; }
# not_of_files OBJ...: every line of none of the objects' .c files (those
# of headers, and of make and sparse themselves).
not_of_files() {
	awk -v objs="$*" 'BEGIN { n = split(objs, o, " ")
		for (i = 1; i <= n; i++) { sub(/\.o$/, ".c: ", o[i]); p[i] = o[i] } }
	NF { for (i = 1; i <= n; i++) if (index($0, p[i]) == 1) next; print }'
}

# arm64: panfrost as a module, with its baseline.
ARM64_OBJ=$BUILD/obj-arm64$KSUF
arm64_warnings() {
	KARCH=arm64 KOBJ=$ARM64_OBJ w1_warnings drivers/gpu/drm/panfrost/
}
t0=$(date +%s)
rc=0
KARCH=arm64 KOBJ=$ARM64_OBJ "$TOP/tools/kconfig.sh" "$TOP/tests/config/arm64.config" \
	>"$LOGDIR/arm64-config.log" 2>&1 &&
	KARCH=arm64 KOBJ=$ARM64_OBJ kmake -s prepare >>"$LOGDIR/arm64-config.log" 2>&1 || rc=$?
record "arm64-config" $rc $(($(date +%s) - t0)) "$LOGDIR/arm64-config.log"

# Baselines: pristine upstream objects, with the series popped, all in
# one make: per object the warnings in its .c file, and those of headers
# (BASE_DIR/headers). Made again when an object of the series has none.
BASE_DIR=$BUILD/static-baseline-$KVER
mkdir -p "$BASE_DIR"
pristine=()
missing=0
for o in $objs; do
	f=${o%.o}.c
	grep -qxF "$f" <<<"$new_files" && continue	# a new file: no baseline
	pristine+=("$o")
	[ -f "$BASE_DIR/$(echo "$o" | tr / _)" ] || missing=1
done
[ -f "$BASE_DIR/headers" ] || missing=1
arm64_base=$BASE_DIR/arm64_drivers_gpu_drm_panfrost
if ((missing)) || [ ! -f "$arm64_base" ]; then
	say "static: pristine W=1/sparse baseline of ${pristine[*]} arm64:panfrost"
	touched=$(cd "$KSRC/.pc" && find . -mindepth 2 -type f | cut -d/ -f3- | sort -u)
	# Building against the popped Kconfig rewrites .config: keep ours.
	cp -p "$KOBJ/.config" "$KOBJ/.config.static-keep"
	cp -p "$ARM64_OBJ/.config" "$ARM64_OBJ/.config.static-keep"
	quilt_in pop -a -q >/dev/null
	# Interrupted from here on: the series and our configs go back
	# (tools/tree.sh also finds a tree left popped, and pushes the rest).
	trap 'set +e
	      say "static: interrupted; putting the series and the configs back"
	      quilt_in push -a -q --fuzz=0 >/dev/null 2>&1
	      for c in "$KOBJ/.config" "$ARM64_OBJ/.config"; do
	          [ -e "$c.static-keep" ] && mv "$c.static-keep" "$c"
	      done' EXIT
	if ((missing)) && ((${#pristine[@]} == 0)); then
		: >"$BASE_DIR/headers"
	elif ((missing)); then
		all=$(w1_warnings "${pristine[@]}")
		if grep -q '^make: \|^sparse: ' <<<"$all"; then
			# A make that failed, or a sparse refused: no baseline.
			grep '^make: \|^sparse: ' <<<"$all" >"$LOGDIR/w1-sparse-baseline.log"
			record "w1-sparse/baseline" 1 0 "$LOGDIR/w1-sparse-baseline.log"
		else
			for o in "${pristine[@]}"; do
				of_file "${o%.o}.c" <<<"$all" >"$BASE_DIR/$(echo "$o" | tr / _)"
			done
			not_of_files "${pristine[@]}" <<<"$all" >"$BASE_DIR/headers"
		fi
	fi
	[ -f "$arm64_base" ] || { arm64_warnings | grep -v '^make: \|^sparse: ' >"$arm64_base" || true; }
	quilt_in push -a -q --fuzz=0 >/dev/null
	(cd "$KSRC" && for f in $touched; do if [ -e "$f" ]; then touch "$f"; fi; done)
	mv "$KOBJ/.config.static-keep" "$KOBJ/.config"
	mv "$ARM64_OBJ/.config.static-keep" "$ARM64_OBJ/.config"
	trap - EXIT
	touch "$KOBJ/.config" "$ARM64_OBJ/.config"
fi

# The sparse kmake runs (lib.sh): build/sparse's for kernels after 6.12.
if [ "$KVER" != 6.12 ] && [ ! -x "$BUILD/sparse/sparse" ]; then
	echo "no $BUILD/sparse/sparse: tools/deps.sh builds it for $KVER" >"$LOGDIR/w1-sparse.log"
	record "w1-sparse" 1 0 "$LOGDIR/w1-sparse.log"
elif ! command -v sparse >/dev/null; then
	echo "sparse is not installed" >"$LOGDIR/w1-sparse.log"
	record "w1-sparse" 1 0 "$LOGDIR/w1-sparse.log"
elif [ -n "$objs" ]; then
	t0=$(date +%s)
	# shellcheck disable=SC2086 # one word per object
	all=$(w1_warnings $objs)
	dt=$(($(date +%s) - t0))
	for o in $objs; do
		log=$LOGDIR/w1-sparse_$(echo "$o" | tr '/' '_').log
		base=$BASE_DIR/$(echo "$o" | tr / _)
		[ -f "$base" ] || base=/dev/null
		of_file "${o%.o}.c" <<<"$all" | LC_ALL=C comm -23 - "$base" >"$log"
		rc=0
		grep -q . "$log" && rc=1
		# The one make's time, on its first row.
		record "w1-sparse/$o" $rc "$dt" "$log"
		dt=0
	done
	log=$LOGDIR/w1-sparse_headers.log
	# shellcheck disable=SC2086 # one word per object
	base=$BASE_DIR/headers
	[ -f "$base" ] || base=/dev/null
	not_of_files $objs <<<"$all" | LC_ALL=C comm -23 - "$base" >"$log"
	rc=0
	grep -q . "$log" && rc=1
	record "w1-sparse/headers" $rc "$dt" "$log"
fi
t0=$(date +%s)
log=$LOGDIR/w1-sparse-arm64_panfrost.log
arm64_warnings | LC_ALL=C comm -23 - "$arm64_base" >"$log"
rc=0
grep -q . "$log" && rc=1
# The module must have been built, not just configured.
[ -f "$ARM64_OBJ/drivers/gpu/drm/panfrost/panfrost_gem.o" ] ||
	{ echo "panfrost_gem.o was not built for arm64" >>"$log"; rc=1; }
record "w1-sparse-arm64/drivers/gpu/drm/panfrost" $rc $(($(date +%s) - t0)) "$log"

[ ! -s "$CHECKPATCH_KEPT_LOG" ] || sed 's/^/==> /' "$CHECKPATCH_KEPT_LOG" >&2
say "static checks: $(grep -c PASS "$OUT") passed, $(grep -c FAIL "$OUT") failed"
