#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark 5 of `make bench`: the bytes the series adds to each BO.
#   sizes.sh OUT.csv
# Compiles one probe file twice with the guest kernel's own compiler
# flags (taken from the build's .cmd file) and its generated headers:
# once against the patched tree, once against the headers of Debian's
# pristine tarball. The compiler reports sizeof() of every BO struct that
# drivers allocate; the kmalloc bucket each size lands in is what a BO
# really costs. Prints a Markdown table; writes CSV to OUT.csv.
. "$(dirname "$0")/lib.sh"

out=${1:?csv}
PRISTINE=$BUILD/pristine-headers$KSUF
cmdfile=$KOBJ/drivers/gpu/drm/virtio/.virtgpu_object.o.cmd
[ -f "$cmdfile" ] || die "build the guest kernel first (no $cmdfile)"

if [ "$(cat "$PRISTINE/.done" 2>/dev/null)" != "$KVER" ]; then
	say "extracting pristine headers from $TARBALL"
	rm -rf "$PRISTINE"
	mkdir -p "$PRISTINE"
	tar -C "$PRISTINE" --strip-components=1 -xJf "$TARBALL" \
		linux-source-$KVER/include linux-source-$KVER/arch/x86/include \
		linux-source-$KVER/drivers/gpu/drm/virtio \
		linux-source-$KVER/drivers/gpu/drm/panfrost
	echo "$KVER" >"$PRISTINE/.done"
fi

probe=$(mktemp --suffix=.c)
trap 'rm -f "$probe"' EXIT
cat >"$probe" <<'EOF'
#include <linux/kbuild.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include "virtgpu_drv.h"
#include "panfrost_device.h"
#include "panfrost_gem.h"

void ds_sizes(void);
void ds_sizes(void)
{
	DEFINE(drm_gem_object, sizeof(struct drm_gem_object));
	DEFINE(drm_gem_shmem_object, sizeof(struct drm_gem_shmem_object));
	DEFINE(virtio_gpu_object_shmem, sizeof(struct virtio_gpu_object_shmem));
	DEFINE(panfrost_gem_object, sizeof(struct panfrost_gem_object));
}
EOF

# The compiler and its flags, minus dependency output and file names.
flags=$(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdfile" |
	sed 's/ -Wp,-MMD,[^ ]*//; s/ -c -o .*//')

# sizes ROOT: "name size" lines, compiled against the sources in ROOT.
sizes() {
	local root=$1
	(cd "$KOBJ" && eval "${flags//$KSRC/$root}" \
		-I"$root/drivers/gpu/drm/virtio" -I"$root/drivers/gpu/drm/panfrost" \
		-S -o - "$probe") | sed -n 's/^[[:space:]]*\.ascii "->\([a-z_]*\) \$*\([0-9]*\) .*/\1 \2/p'
}

patched=$(sizes "$KSRC")
pristine=$(sizes "$PRISTINE")
[ -n "$patched" ] && [ -n "$pristine" ] || die "the probe did not compile"

# kmalloc's size classes (x86_64, 4 KiB pages, no KMALLOC_RECLAIM split).
bucket() {
	local s=$1 b
	for b in 8 16 32 64 96 128 192 256 512 1024 2048 4096 8192; do
		((s <= b)) && { echo "$b"; return; }
	done
	echo "$s"
}

echo "struct,pristine_bytes,patched_bytes,added_bytes,pristine_kmalloc,patched_kmalloc,added_kmalloc" >"$out"
echo "| struct (one per BO) | pristine | patched | added | kmalloc bucket | added per BO |"
echo "| --- | --- | --- | --- | --- | --- |"
while read -r name size; do
	old=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$pristine")
	ob=$(bucket "$old")
	nb=$(bucket "$size")
	echo "$name,$old,$size,$((size - old)),$ob,$nb,$((nb - ob))" >>"$out"
	echo "| $name | $old | $size | $((size - old)) | $ob -> $nb | $((nb - ob)) |"
done <<<"$patched"
