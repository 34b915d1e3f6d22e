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

# The card nodes of the virtio-gpu devices (their parent is the virtio-pci
# device), in card order.
ds_virtio_cards() {
	for c in /sys/class/drm/card*; do
		case "$(basename "$c")" in *-*) continue ;; esac
		drv=$(readlink "$c/device/driver")
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
