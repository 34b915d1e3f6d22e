#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The other builds of `make check`, each allnoconfig + guest.config + one
# fragment of tests/config/, in build/obj-NAME, one after the other:
#   modular     DRM, the GEM shmem helpers, virtio-gpu, vgem, panfrost and
#               the DRM KUnit tests as modules, as distributions build
#               them, built to the end (bzImage, modules, modpost) and
#               installed into build/obj-modular/mods for the guest's
#               modular boot (tests/guest/plan-modular.sh)
#   no-memcg, no-numa, no-swap, no-debugfs, no-tracing
#               the series with each option its code depends on turned
#               off: every object built from a .c file the series adds or
#               patches (lib.sh's series_objects) that the config builds,
#               compiled with the option off, each against that config's
#               headers. Not linked: a whole kernel per option took 5 to
#               10 minutes from cold caches, five of them half of make
#               check's time. DS_FULL_BUILDS=1 builds them to the end.
# A build fails on any compiler, linker or modpost error or warning: the
# guest config builds without one before the series, and with it.
# Each build is one line of OUT: name, PASS|FAIL, seconds, first finding;
# the logs are in OUT's directory, builds/NAME.log.
#   builds.sh OUT [NAME...]	(default: all of the above)
. "$(dirname "$0")/lib.sh"

OUT=${1:?output tsv}
shift
names=("$@")
((${#names[@]})) || names=(modular no-memcg no-numa no-swap no-debugfs no-tracing)
LOGDIR=$(dirname "$OUT")/builds
mkdir -p "$LOGDIR"
: >"$OUT"
# The series' objects of the guest kernel's build, to compile in the
# option-off configs.
candidates=$(series_objects "$BUILD/obj$KSUF")

# enabled OBJ: the object's line in its directory's Makefile, with its
# continuation lines, names no CONFIG_ option that $KOBJ/.config leaves
# unset (obj-$(CONFIG_X) += o.o, drm-$(CONFIG_DEBUG_FS) += \ ...
# drm_debugfs.o). A composite's own option and ifdef blocks are not
# read: every object of the series is in a list that names its option.
enabled() {
	local o=$1 mk line c
	mk=$KSRC/$(dirname "$o")/Makefile
	# Continuation lines joined: an object on one takes its list's option.
	line=$(sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$mk" |
		grep -E "(^|[[:space:]=])$(basename "$o" | sed 's/\./\\./g')([[:space:]]|$)" | head -n1 || true)
	if [ -z "$line" ]; then
		echo "$o: not in $mk: compiled" >>"$log"
		return 0
	fi
	for c in $(grep -oE 'CONFIG_[A-Z0-9_]+' <<<"$line"); do
		grep -qE "^$c=(y|m)$" "$KOBJ/.config" || return 1
	done
}

for name in "${names[@]}"; do
	export KOBJ=$BUILD/obj-$name$KSUF
	log=$LOGDIR/$name.log
	t0=$(date +%s)
	rc=0
	say "build $name in $KOBJ"
	"$TOP/tools/kconfig.sh" "$TOP/tests/config/guest.config" \
		"$TOP/tests/config/$name.config" >"$LOGDIR/$name-config.log" 2>&1 || rc=$?
	if ((rc)); then
		cp "$LOGDIR/$name-config.log" "$log"
	elif [ "$name" = modular ] || [ "${DS_FULL_BUILDS:-0}" = 1 ]; then
		# The series' objects again (ccache replays them), so that a
		# warning shows in every run.
		objs=$(series_objects "$KOBJ")
		# shellcheck disable=SC2086 # one word per object
		[ -z "$objs" ] || (cd "$KOBJ" && rm -f $objs)
		kmake -s bzImage modules >"$log" 2>&1 || rc=$?
	else
		objs=()
		for o in $candidates; do
			if enabled "$o"; then objs+=("$o"); else echo "not in this config: $o" >>"$log"; fi
		done
		if ((${#objs[@]} == 0)); then
			echo "no object of the series to build" >>"$log"
			rc=1
		else
			echo "compiling ${#objs[@]} objects: ${objs[*]}" >>"$log"
			# Compiled again each time (ccache replays it), so that a
			# warning shows in every run, not only in the first.
			(cd "$KOBJ" && rm -f "${objs[@]}")
			kmake -s "${objs[@]}" >>"$log" 2>&1 || rc=$?
		fi
	fi
	if ((rc == 0)) && [ "$name" = modular ]; then
		rm -rf "$KOBJ/mods"
		kmake -s INSTALL_MOD_PATH="$KOBJ/mods" modules_install >>"$log" 2>&1 || rc=$?
	fi
	# Compiler and linker warnings, and modpost's WARNING: and ERROR: lines.
	if ((rc == 0)) && grep -qE ': (warning|error): |^(WARNING|ERROR): ' "$log"; then
		rc=1
	fi
	first=""
	if ((rc)); then
		# Kconfig's "override: reassigning" lines are no finding.
		first=$( (grep -m1 -E 'wanted|error|ERROR' "$log" ||
			  grep -m1 -E 'warning|WARNING' "$log" ||
			  tail -n1 "$log") | cut -c1-120 | tr '\t' ' ' || true)
	fi
	printf '%s\t%s\t%s\t%s\n' "$name" "$( ((rc)) && echo FAIL || echo PASS)" \
		"$(($(date +%s) - t0))" "$first" >>"$OUT"
	say "build $name: $( ((rc)) && echo FAILED || echo ok), $(($(date +%s) - t0))s"
done
