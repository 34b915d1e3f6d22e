# SPDX-License-Identifier: GPL-2.0
# Plan of `make bench`, sourced by init.sh in the guest.
log "bench"
"$DS_TOP/build/igt/ds-bench" "$OUT/bench.csv" >"$OUT/bench.md" 2>"$OUT/bench.err"
echo $? >"$OUT/bench.rc"
sed 's/^/ds: /' "$OUT/bench.md"
