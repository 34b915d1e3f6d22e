#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tables, CSV and plot of the benchmark module's results (`make bench`).

    bench-report.py MODULE_TXT OUT_DIR
    bench-report.py --mesa MESA_CSV

MODULE_TXT holds the drm_shrinker_bench lines of the guest's kernel log.
Writes OUT_DIR/module.csv and OUT_DIR/cost.dat, prints Markdown tables
with the ratios against the anchors, and exits 1 if no result was found.
With --mesa, prints the tables of the Mesa cases of tests/guest/
plan-bench.sh from their CSV (case,mesa,round,value).
"""
import os
import re
import sys

LINE = re.compile(r"drm_shrinker_bench: objects=(\d+) (.*)")
PAIRS = [
    # (ours, anchor, what, anchor's name)
    ("count_ns", "walk_count_ns", "count (ns per call)",
     "panfrost-style walk under a mutex"),
    ("scan_ns", "lru_scan_ns", "scan (ns per object purged)",
     "drm_gem_lru_scan"),
    ("bump_ns", "lru_bump_ns", "LRU bump (ns per object, resv lock included)",
     "drm_gem_lru_move_tail"),
    ("use_ns", "lru_bump_ns",
     "a use and its share of the next scan (bump + age, ns per object)",
     "drm_gem_lru_move_tail"),
]
# The goal of each ratio (issue 24), at every object count.
GOALS = {"count_ns": "-", "scan_ns": "<= 1.2", "bump_ns": "<= 1.0",
         "use_ns": "-"}


def mesa(path):
    """Frame time of the cache-heavy GL workload, patched Mesa against
    stock (median of the rounds' medians; goal <= 1.05), and what a hog
    lacking 128 MiB got back from a 256 MiB cache with each."""
    vals = {}
    for line in open(path):
        f = line.strip().split(",")
        if len(f) != 4 or f[0] == "case" or not f[3]:
            continue
        vals.setdefault((f[0], f[1]), []).append(float(f[3]))

    def median(v):
        v = sorted(v)
        return v[len(v) // 2]

    st, pa = vals.get(("frame_us", "stock")), vals.get(("frame_us", "patched"))
    if not st or not pa:
        return 1
    print("| measure | stock Mesa | patched Mesa | ratio | goal |")
    print("| --- | --- | --- | --- | --- |")
    print("| frame time, 32 buffers of 256 KiB made and deleted per frame "
          "(us, median of %d rounds) | %.0f | %.0f | %.3f | <= 1.05 |"
          % (len(pa), median(st), median(pa), median(pa) / median(st)))
    for v in ("stock", "patched"):
        if (("purged_mib", v) not in vals) or (("hog_rc", v) not in vals):
            return 1
    rc = {v: int(vals[("hog_rc", v)][0]) for v in ("stock", "patched")}
    what = {v: "got its memory" if rc[v] == 0 else
            ("OOM-killed" if rc[v] == 137 else "failed (exit %d)" % rc[v])
            for v in rc}
    if any(("dontneed_mib", v) not in vals for v in ("stock", "patched")):
        return 1
    print("| MiB of a 256 MiB Mesa cache marked DONTNEED (the device's "
          "purgeable pages) | %d | %d | - | patched: ~256 |"
          % (vals[("dontneed_mib", "stock")][0], vals[("dontneed_mib", "patched")][0]))
    print("| MiB purged from it for a hog lacking 128 MiB "
          "| %d (hog %s) | %d (hog %s) | - | patched: >= 128, hog gets it |"
          % (vals[("purged_mib", "stock")][0], what["stock"],
             vals[("purged_mib", "patched")][0], what["patched"]))
    return 0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if sys.argv[1] == "--mesa":
        return mesa(sys.argv[2])
    src, out = sys.argv[1], sys.argv[2]
    rows = []
    sizes = ""
    for line in open(src, errors="replace"):
        m = LINE.search(line)
        if m:
            # Picoseconds in the log, nanoseconds in the tables.
            vals = dict(kv.split("=") for kv in m.group(2).split())
            # Bumps and scans: the fastest of this many rounds.
            nrounds = int(vals.pop("rounds", "3"))
            v = {k.replace("_ps", "_ns"): float(v) / 1000
                 for k, v in vals.items()}
            v["rounds"] = nrounds
            # The mark's cost is paid in two parts: at the use (bump) and
            # by the scan that then passes over the object (age).
            v["use_ns"] = v["bump_ns"] + v["age_ns"]
            rows.append((int(m.group(1)), v))
        elif "sizeof" in line:
            sizes = line.split("sizeof", 1)[1].strip()
    if not rows:
        print("no benchmark module results in %s" % src, file=sys.stderr)
        return 1
    rows.sort()

    with open(os.path.join(out, "module.csv"), "w") as f:
        keys = [k for pair in PAIRS for k in pair[:2]]
        f.write("objects,rounds," + ",".join(keys) + "\n")
        for n, v in rows:
            f.write("%d,%d,%s\n" % (n, v["rounds"],
                                    ",".join("%.1f" % v[k] for k in keys)))
    with open(os.path.join(out, "cost.dat"), "w") as f:
        f.write("# objects " + " ".join(k for pair in PAIRS for k in pair[:2]) + "\n")
        for n, v in rows:
            f.write("%d %s\n" % (n, " ".join("%.1f" % v[k] for pair in PAIRS
                                              for k in pair[:2])))

    for ours, anchor, what, name in PAIRS:
        print("\n| %s | objects | rounds | drm_shrinker | %s | ratio | goal |" %
              (what, name))
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for n, v in rows:
            # A count is timed in batches of calls (at least 50 ms).
            nr = "-" if ours == "count_ns" else "%d" % v["rounds"]
            print("| | %d | %s | %.1f | %.1f | %.3g | %s |" %
                  (n, nr, v[ours], v[anchor], v[ours] / v[anchor], GOALS[ours]))
    lo, hi = rows[0], rows[-1]
    print("\n| flatness from %d to %d objects | drm_shrinker | anchor | goal |" %
          (lo[0], hi[0]))
    print("| --- | --- | --- | --- |")
    for ours, anchor, what, name in PAIRS:
        goal = "<= 1.1" if ours == "count_ns" else "-"
        print("| %s | %.2f | %.2f | %s |" % (what, hi[1][ours] / lo[1][ours],
                                             hi[1][anchor] / lo[1][anchor], goal))
    with open(os.path.join(out, "module.csv"), "a") as f:
        f.write("# flatness %d->%d: %s\n" % (lo[0], hi[0], ", ".join(
            "%s %.3f %s %.3f" % (o, hi[1][o] / lo[1][o], a, hi[1][a] / lo[1][a])
            for o, a, _, _ in PAIRS)))
    if sizes:
        print("\nsizes in the guest kernel: %s" % sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
