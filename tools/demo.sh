#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: build the guest kernel and boot it with two virtio-gpu
# devices and vgem; the guest prints the DRM devices and the shrinker
# debugfs entries (tests/guest/plan-demo.sh).
. "$(dirname "$0")/lib.sh"

export RESULTS=$BUILD/results/demo
rm -rf "$RESULTS"
phase deps "$TOP/tools/deps.sh"
phase tree "$TOP/tools/tree.sh"
phase config "$TOP/tools/kconfig.sh" "$TOP/tests/config/guest.config"
phase build bash -c ". '$TOP/tools/lib.sh'; kmake -s bzImage"
phase igt "$TOP/tools/igt.sh"
TIMEOUT=${TIMEOUT:-300} phase guest "$TOP/tools/guest.sh" demo "$RESULTS/guest"
