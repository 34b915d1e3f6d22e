#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the test guest. The root file system is the host's, shared
# read-only over 9p; results go to the writable 9p share "results".
# The kernel passes DS_TOP (this repo on the host) and DS_PLAN (the test
# plan: tests/guest/plan-$DS_PLAN.sh) in the environment.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
# The repo may live below /tmp or /run, which tmpfs mounts are about to
# hide: reach it through /mnt from here on.
mount --bind "$DS_TOP" /mnt && DS_TOP=/mnt
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/shm /run/out
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
# 7.3 no longer mounts tracefs below debugfs by itself
# (CONFIG_TRACEFS_AUTOMOUNT_DEPRECATED): the trace events' home.
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /run/out

OUT=/run/out
export OUT DS_TOP
log() { echo "ds: $*"; echo "$*" >>"$OUT/progress"; }

log "guest up: $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB"

plan=$DS_TOP/tests/guest/plan-$DS_PLAN.sh
if [ -r "$plan" ]; then
	log "plan $DS_PLAN"
	. "$plan"
	log "plan $DS_PLAN finished"
else
	log "no plan $plan"
fi

# kmemleak: two scans, since an object is only reported after surviving one.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$OUT/kmemleak.txt"
fi
dmesg >"$OUT/dmesg.txt"
echo done >"$OUT/guest-done"
log "done"
sync
exec "$DS_TOP/build/igt/ds-poweroff"
