# SPDX-License-Identifier: GPL-2.0
# Helpers of the guest's test plans, sourced by them.

ds_kunit_collect() {
	mkdir -p "$OUT/kunit"
	for d in /sys/kernel/debug/kunit/*/; do
		s=$(basename "$d")
		cp "$d/results" "$OUT/kunit/$s.ktap"
	done
	log "kunit: $(ls "$OUT/kunit" | wc -l) suites collected"
}

# ds_igt NAME[@LABEL] [ENV=VALUE...] [-- ARG...]: run build/igt/NAME with
# those variables and arguments, keep its output and exit code as
# NAME@LABEL.
ds_igt() {
	label=$1
	shift
	mkdir -p "$OUT/igt"
	log "igt $label $*"
	# env(1) takes the assignments, then the command and its arguments:
	# the binary goes where the first -- is, or last.
	bin=$DS_TOP/build/igt/${label%@*}
	n=$#
	found=0
	for a in "$@"; do
		if [ "$found" = 0 ] && [ "$a" = -- ]; then
			set -- "$@" "$bin"
			found=1
		else
			set -- "$@" "$a"
		fi
	done
	shift "$n"
	[ "$found" = 1 ] || set -- "$@" "$bin"
	env "$@" >"$OUT/igt/$label.out" 2>&1
	echo $? >"$OUT/igt/$label.rc"
}

# ds_mesa_env [VARIANT]: the environment (for env(1)) under which a GL
# client uses the Mesa that tools/mesa.sh built (VARIANT patched, the
# default: with the virgl madvise patches; stock: without), not the
# system's, through glvnd, with tests/guest/ds-madvcount.c counting its
# madvise calls. GBM's backend path is given too: the one built in is a
# host path, which the guest's tmpfs mounts may hide.
ds_mesa_env() {
	m=$DS_TOP/build/mesa/${1:-patched}
	echo "LD_LIBRARY_PATH=$m/lib" "GBM_BACKENDS_PATH=$m/lib/gbm" \
		"__EGL_VENDOR_LIBRARY_FILENAMES=$m/share/glvnd/egl_vendor.d/50_mesa.json" \
		"LD_PRELOAD=$DS_TOP/build/igt/ds-madvcount.so" DS_MADVCOUNT_REQUIRED=1
}

# The card nodes of the virtio-gpu devices (their parent is the virtio-pci
# device), in card order.
ds_virtio_cards() {
	for c in /sys/class/drm/card*; do
		case "$(basename "$c")" in *-*) continue ;; esac
		# vgem has no driver link; dash keeps set -e in $(...).
		drv=$(readlink "$c/device/driver" || true)
		[ "${drv##*/}" = virtio-pci ] && echo "/dev/dri/$(basename "$c")"
	done
}

# ds_module NAME [PARAM...]: load build/obj's test module NAME, keep its
# kernel log lines and the exit code of insmod as module/NAME, unload it.
ds_module() {
	name=$1
	shift
	mkdir -p "$OUT/module"
	log "module $name $*"
	ko=$(find "$DS_TOP/$DS_KOBJ/drivers" -name "$name.ko" | head -n 1)
	insmod "$ko" "$@" >"$OUT/module/$name.err" 2>&1
	echo $? >"$OUT/module/$name.rc"
	rmmod "$name" 2>/dev/null
	{
		cat "$OUT/module/$name.err"
		dmesg | grep "$name: "
	} >"$OUT/module/$name.out"
}

# ds_kselftest DIR/NAME: run build/kselftest/DIR/NAME (tools/kselftest.sh;
# build/kselftest-KVER for the kernel that is not the main one)
# where the memory controller's selftests expect to run: in a directory of
# a disk filesystem (ext4 on zram1: they make O_TMPFILE files, which the
# 9p root cannot, and charge page cache by reading a sparse file, which
# allocates nothing on tmpfs), with swap on (zram0), stdout line-buffered
# (its test processes fork: a full buffer would be written by each), for
# at most 10 minutes. Keeps its KTAP output and exit code as
# kselftest/NAME, and what the set-up said as NAME.setup (no NAME.rc if
# it failed); swap and the filesystem go again after it.
ds_kselftest() {
	name=${1#*/}
	k=$OUT/kselftest
	mkdir -p "$k"
	log "kselftest $1"
	(
	set -e
	swapoff /dev/zram0 2>/dev/null || true
	echo 1 >/sys/block/zram0/reset
	dev=$(cat /sys/class/zram-control/hot_add)
	trap 'cd /
		umount /run/kselftest 2>/dev/null || true
		swapoff /dev/zram0 2>/dev/null || true
		echo 1 >/sys/block/zram0/reset 2>/dev/null || true
		echo "$dev" >/sys/class/zram-control/hot_remove 2>/dev/null || true' EXIT
	echo 512M >"/sys/block/zram$dev/disksize"
	mkfs.ext4 -q "/dev/zram$dev"
	mkdir -p /run/kselftest
	mount -t ext4 "/dev/zram$dev" /run/kselftest
	echo 512M >/sys/block/zram0/disksize
	mkswap /dev/zram0 >/dev/null
	swapon /dev/zram0
	cd /run/kselftest
	rc=0
	timeout 600 stdbuf -oL "$DS_TOP/${DS_KSELFTEST:-build/kselftest}/$1" >"$k/$name.out" 2>&1 || rc=$?
	echo "$rc" >"$k/$name.rc"
	) >"$k/$name.setup" 2>&1
}

# drm_smoke on all three devices, then virtio_gpu_madvise on each
# virtio-gpu device (3D and 2D; guest.sh gives the 2D device an
# IOMMU-backed DMA path, see there).
ds_smoke_madvise() {
	ds_igt drm_smoke IGT_DRM_EXPECT="virtio_gpu virtio_gpu vgem"
	i=0
	for card in $(ds_virtio_cards); do
		ds_igt virtio_gpu_madvise@virtio$i IGT_VIRTGPU_CARD="$card" \
			IGT_VIRTGPU_DMA_API_3D=0 IGT_VIRTGPU_DMA_API_2D=1
		i=$((i + 1))
	done
}

# ds_glmark2: a real GL application that this project did not write,
# Debian's glmark2-es2-drm, with its own output check (--validate: each
# scene's pixels against glmark2's references), on the 3D virtio-gpu
# device. Once with Mesa 25.0.7 without the patches (tools/mesa.sh stock)
# and no memory pressure (the reference), then with the patched build
# while hogs swapping to zram keep reclaim busy: Mesa's cache is purged
# and glmark2's idle BOs are evicted as it renders. Passes (app/glmark2.rc
# 0) if every scene validates as it did without the patches, reclaim
# purged and evicted BOs of the device during the run, and Mesa marked
# BOs DONTNEED, never used one it found purged and closed every one
# (ds-madvcount.so's counts).
#
# glmark2's DRM flavour renders at the connector's largest mode (5120x2160
# from QEMU), and asks for 800x600 to validate, which it mishandles when
# the mode is exactly that size ("glwindow has never been initialized");
# ds-modecap.so hides the modes above 1024x768, the nearest size of the
# same aspect. There 16 of glmark2's 33 scenes validate, with or without
# the patches; the other 17 report Failure (their references are for
# 800x600) or Unknown with both, so only those 16 check pixels: the rest
# must merely report the same.
ds_glmark2() {
	a=$OUT/app
	b=$DS_TOP/build/igt
	mkdir -p "$a"
	log "app glmark2"
	(
	set -e
	# The first virtio-gpu device is the 3D one (tools/guest.sh).
	card=$(ds_virtio_cards | head -n 1)
	hogs=
	# However this ends: no hog left running, no swap left on.
	stop() {
		if [ -n "$hogs" ]; then
			# The loop first, so that it starts no hog after the last.
			kill -STOP "$hogs"
			pkill -KILL -P "$hogs" || true
			kill -KILL "$hogs"
			wait "$hogs" 2>/dev/null || true
			hogs=
		fi
		swapoff /dev/zram0 2>/dev/null || true
		echo 1 >/sys/block/zram0/reset 2>/dev/null || true
	}
	trap stop EXIT
	[ -n "$card" ] || { echo "no virtio-gpu device"; exit 1; }
	stats=/sys/kernel/debug/dri/${card#/dev/dri/card}/shrinker
	val() { awk -v k="$1:" '$1 == k { print $2 }' "$stats"; }
	run() { # LABEL VARIANT
		label=$1
		rm -f "$a/glmark2-$label.counts"
		# shellcheck disable=SC2046
		env $(ds_mesa_env "$2") LD_PRELOAD="$b/ds-madvcount.so $b/ds-modecap.so" \
			DS_MODECAP=1024x768 DS_MADVCOUNT_OUT="$a/glmark2-$label.counts" \
			timeout 600 glmark2-es2-drm --validate --off-screen \
			>"$a/glmark2-$label.log" 2>&1 ||
			{ echo "$label: glmark2 failed"; tail -n 5 "$a/glmark2-$label.log"; exit 1; }
		grep -q 'GL_VERSION: .*Mesa 25' "$a/glmark2-$label.log" &&
			grep -q 'GL_RENDERER: *virgl' "$a/glmark2-$label.log" ||
			{ echo "$label: glmark2 did not render through virgl with Mesa 25"; exit 1; }
		grep 'Validation:' "$a/glmark2-$label.log" >"$a/glmark2-$label.validation"
		echo "$label: $(grep -c 'Validation: Success' "$a/glmark2-$label.validation") of" \
			"$(wc -l <"$a/glmark2-$label.validation") scenes validate"
	}
	run stock-mesa stock
	mem=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
	stop
	echo "$((mem * 3 / 2))M" >/sys/block/zram0/disksize
	mkswap /dev/zram0 >/dev/null
	swapon /dev/zram0
	p0=$(($(val purged_by_kswapd) + $(val purged_by_direct)))
	e0=$(($(val evicted_by_kswapd) + $(val evicted_by_direct)))
	(while :; do "$b/ds-cache" hog $((mem * 5 / 4)) >/dev/null 2>&1; done) &
	hogs=$!
	run patched-mesa patched
	stop
	p1=$(($(val purged_by_kswapd) + $(val purged_by_direct)))
	e1=$(($(val evicted_by_kswapd) + $(val evicted_by_direct)))
	echo "under the hogs: reclaim purged $((p1 - p0)) and evicted $((e1 - e0))" \
		"BOs of $card"
	c=$(grep '^glmark2' "$a/glmark2-patched-mesa.counts" | cut -d' ' -f2-)
	echo "Mesa's madvise calls in glmark2: $c"
	diff -u "$a/glmark2-stock-mesa.validation" "$a/glmark2-patched-mesa.validation" ||
		{ echo "the scenes validate differently with the patches"; exit 1; }
	[ "$(grep -c 'Validation: Success' "$a/glmark2-patched-mesa.validation")" -gt 0 ] ||
		{ echo "no scene validates"; exit 1; }
	[ $((p1 - p0)) -gt 0 ] || { echo "reclaim purged none of the device's BOs"; exit 1; }
	[ $((e1 - e0)) -gt 0 ] || { echo "reclaim evicted none of the device's BOs"; exit 1; }
	v() { echo "$c" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	[ "$(v dontneed)" -gt 0 ] || { echo "Mesa marked no BO DONTNEED"; exit 1; }
	[ "$(v untracked)" = 0 ] || { echo "the counter lost track of purged BOs"; exit 1; }
	[ "$(v misused_purged)" = 0 ] || { echo "Mesa used a BO it found purged"; exit 1; }
	[ "$(v closed_purged)" = "$(v willneed_purged)" ] ||
		{ echo "Mesa did not close every BO it found purged"; exit 1; }
	echo "glmark2's scenes validate as without the patches, across purges and evictions"
	) >"$a/glmark2.out" 2>&1
	echo $? >"$a/glmark2.rc"
}
