#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test guest under QEMU (TCG) and run a plan in it.
#   guest.sh PLAN RESULT_DIR [extra kernel command line...]
# Environment: MEM (guest memory, default 2G), TIMEOUT (seconds, default
# 900), KOBJ (build dir with the bzImage), PAGECACHE_DIR (a host folder
# shared read-only as 9p tag "pagecache", for `make bench`), NUMA (2: two
# NUMA nodes, each with one vCPU and half the memory).
# The guest: 2 vCPUs, q35, the host root read-only over 9p, RESULT_DIR
# writable over 9p, virtio-gpu with virgl 3D, a plain 2D virtio-gpu, and
# vgem (built in). A guest that does not finish its plan in TIMEOUT is
# killed and reported as a failure. The 2D device keeps a host copy of
# every resource: QEMU's default cap of 256 MiB for those would make the
# memory-pressure tests' resource creation fail on the host, so it is 4G.
# The 2D device also has iommu_platform=on behind QEMU's intel-iommu
# (QEMU 7.2 offers VIRTIO_F_ACCESS_PLATFORM only with an IOMMU on the
# bus), so virtio-gpu maps its memory through the DMA API there; the guest
# has no IOMMU driver, so the mapping is direct. IGT `dma-api` checks it.
. "$(dirname "$0")/lib.sh"

plan=${1:?plan}
out=${2:?result dir}
shift 2
MEM=${MEM:-2G}
TIMEOUT=${TIMEOUT:-900}
kernel=$KOBJ/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no kernel at $kernel: build it first"

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

extra=()
smp=2
if [ "${NUMA:-1}" = 2 ]; then
	# One socket per node, or the kernel warns that CPUs sharing a
	# cache sit on different nodes.
	smp=2,sockets=2,cores=1,threads=1
	half=$(($(numfmt --from=iec "$MEM") / 2))
	extra+=(-object "memory-backend-ram,id=m0,size=$half"
		-object "memory-backend-ram,id=m1,size=$half"
		-numa node,nodeid=0,cpus=0,memdev=m0
		-numa node,nodeid=1,cpus=1,memdev=m1)
fi
if [ -n "${PAGECACHE_DIR:-}" ]; then
	extra+=(-fsdev "local,id=pagecache,path=$PAGECACHE_DIR,security_model=none,readonly=on"
		-device virtio-9p-pci,fsdev=pagecache,mount_tag=pagecache)
fi

# Every plan: the upstream KUnit suites that WARN or leak by themselves
# stay out (tests/guest/kunit-filter-KVER.txt says why).
kf=$TOP/tests/guest/kunit-filter-$KVER.txt
[ -f "$kf" ] || die "no $kf"
filter=$(grep -v '^#' "$kf" | grep . | paste -sd, -)

cmdline="console=ttyS0 loglevel=6 root=/dev/root rootfstype=9p
 rootflags=trans=virtio,version=9p2000.L,msize=262144 ro
 init=$TOP/tests/guest/init.sh panic=-1 no_hash_pointers
 ${filter:+kunit.filter=$filter}
 DS_TOP=$TOP DS_KOBJ=$(realpath --relative-to="$TOP" "$KOBJ") DS_PLAN=$plan
 DS_KSELFTEST=build/kselftest$KSUF $*"

say "booting guest: plan $plan, ${MEM} memory, timeout ${TIMEOUT}s"
rc=0
t0=$(date +%s)
: >"$out/console.log"
GBM_ALWAYS_SOFTWARE=1 timeout -k 10 "$TIMEOUT" \
	qemu-system-x86_64 -M q35 -accel tcg,thread=multi -cpu max -smp "$smp" \
	-m "$MEM" -no-reboot -nographic \
	-display egl-headless,rendernode=/dev/null \
	-kernel "$kernel" -append "$(echo $cmdline)" \
	-nic none \
	-fsdev local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=rootfs,mount_tag=/dev/root \
	-fsdev local,id=results,path="$out",security_model=none \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	-device intel-iommu \
	-device virtio-gpu-gl-pci \
	-device virtio-gpu-pci,max_hostmem=4G,iommu_platform=on \
	"${extra[@]}" \
	</dev/null >"$out/console.log" 2>&1 &
qemu=$!
# timeout(1) runs in a process group of its own, which a Ctrl-C of the
# terminal does not reach: a guest.sh that ends before QEMU takes it down.
trap 'kill -TERM "$qemu" 2>/dev/null || true' EXIT
# The guest's progress lines, live, with the seconds since boot; tail ends
# when QEMU does.
tail -n +1 -F --pid="$qemu" "$out/console.log" 2>/dev/null |
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		ds:*) printf '  [%4ds] %s\n' "$(($(date +%s) - t0))" "$line" >&2 ;;
		esac
	done
wait "$qemu" || rc=$?
if ((rc == 124 || rc == 137)); then
	echo "guest killed after ${TIMEOUT}s" >"$out/guest-timeout"
	say "guest timed out after ${TIMEOUT}s"
fi
[ -f "$out/guest-done" ] || { say "guest did not finish its plan (rc=$rc): see $out/console.log"; exit 1; }
