# SPDX-License-Identifier: GPL-2.0
# Test plan of `make series`' bisection: only the KUnit suites built into
# the kernel of one step of the series, which ran at boot.

. "$DS_TOP/tests/guest/plan-lib.sh"

ds_kunit_collect
