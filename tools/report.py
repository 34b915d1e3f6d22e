#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one `make check` run into a per-test table and a final line.

    report.py RUN_DIR REPO [EXPECT]

Reads RUN_DIR (build/results/check):
  phases.txt           "name seconds rc" per phase (tools/lib.sh)
  static.tsv           "name<TAB>PASS|FAIL<TAB>seconds<TAB>detail" (tools/static.sh)
  builds.tsv           the same per build (tools/builds.sh)
  guest/kunit/*.ktap   KTAP of each KUnit suite, from debugfs
  guest/igt/NAME.out   output of an IGT binary, NAME.rc its exit code
  guest/module/NAME.*  output and exit code of loading a test module
  guest/kselftest/NAME.*  KTAP output, exit code and set-up log of a
                       kernel selftest
  guest/app/NAME.*     output and exit code of a plan's check of an
                       application (NAME.out, NAME.rc: 0 passes)
  guest/dmesg.txt, guest/kmemleak.txt, guest/guest-done
  guest-NAME/          the same for make check's other boots, with
                       tests/guest/expect-NAME.txt
  guest-KVER/          the boot of the other kernel (6.12 or 7.3) with
                       the main plan: tests/guest/expect-KVER.txt
and EXPECT (default: tests/guest/expect-KVER.txt for the kernel in $KVER,
else for tools/lib.sh's MAIN_KVER, in the repo): what must have
run, and (`pass NAME/SUBTEST`) subtests that must pass: a skip of one of
those fails.

Every KUnit case and every IGT subtest is one test; a suite or binary that
was expected and did not report fails, and so does a dirty dmesg. Prints
the table and `N passed, N failed, N skipped`; exits 1 on any failure.
"""
import os
import re
import sys

DMESG_BAD = re.compile(
    r"(WARNING:|BUG:|Oops|general protection fault|Kernel panic|"
    r"possible circular locking|possible recursive locking|"
    r"inconsistent lock state|KASAN:|UBSAN:|kmemleak: \d+ new suspected|"
    r"INFO: task .* blocked|rcu: INFO:|Call Trace:|"
    r"Unable to handle kernel|kernel BUG at|refcount_t:|list_(add|del) corruption)")

KTAP_RESULT = re.compile(r"^(\s*)(ok|not ok) (\d+) (.*?)(?:\s+#\s*(SKIP|TODO)\b(.*))?$")
# kselftest.h's result lines: "ok 3 name", "ok 3 # SKIP name",
# "not ok 3 # error name", "ok 3 # XFAIL name".
KSFT_RESULT = re.compile(r"^(not ok|ok) \d+ (?:# (\w+) )?(\S+)")
IGT_SUBTEST = re.compile(r"^Subtest (\S+): (SUCCESS|FAIL|SKIP|CRASH|TIMEOUT)(?: \(([\d.]+)s\))?")


class Report:
    def __init__(self):
        self.rows = []

    def add(self, name, result, secs=None, detail=""):
        self.rows.append((name, result, secs, detail))


def parse_ktap(path):
    """Return [(case, result, detail)] for the cases of one suite file."""
    out = []
    lines = open(path, errors="replace").read().splitlines()
    results = []
    for line in lines:
        m = KTAP_RESULT.match(line)
        if m:
            depth = len(m.group(1).expandtabs(8))
            results.append((depth, m))
    if not results:
        return out
    # The suite's own result line is the least indented; its cases are the
    # result lines one level deeper (parameters of a case are deeper still).
    top = min(d for d, _ in results)
    deeper = sorted({d for d, _ in results if d > top})
    if not deeper:
        return out
    case_depth = deeper[0]
    for depth, m in results:
        if depth != case_depth:
            continue
        res = "pass" if m.group(2) == "ok" else "FAIL"
        if m.group(5) == "SKIP":
            res = "skip"
        out.append((m.group(4), res, (m.group(6) or "").strip()))
    return out


def parse_igt(out_path, rc_path):
    subs = []
    text = open(out_path, errors="replace").read() if os.path.exists(out_path) else ""
    for line in text.splitlines():
        m = IGT_SUBTEST.match(line)
        if m:
            res = {"SUCCESS": "pass", "SKIP": "skip"}.get(m.group(2), "FAIL")
            subs.append((m.group(1), res, float(m.group(3)) if m.group(3) else None))
    rc = open(rc_path).read().strip() if os.path.exists(rc_path) else None
    return subs, rc, text


def parse_kselftest(path):
    """Return [(test, result)] of a kselftest's flat KTAP output."""
    out = []
    text = open(path, errors="replace").read() if os.path.exists(path) else ""
    for line in text.splitlines():
        m = KSFT_RESULT.match(line)
        if not m:
            continue
        if m.group(2) in ("SKIP", "XFAIL"):
            res = "skip"
        elif m.group(1) == "ok" and not m.group(2):
            res = "pass"
        else:
            res = "FAIL"
        out.append((m.group(3), res))
    return out


def load_expect(path):
    kinds = {"kunit": [], "igt": [], "module": [], "pass": [], "app": [],
             "kselftest": []}
    if os.path.exists(path):
        for line in open(path):
            line = line.split("#", 1)[0].split()
            if len(line) == 2 and line[0] in kinds:
                kinds[line[0]].append(line[1])
    return kinds


def report_guest(rep, guest, expect, prefix="guest", prefix_k=""):
    """Rows for one booted guest: its plan, KUnit, IGT, modules, dmesg."""
    done = os.path.exists(os.path.join(guest, "guest-done"))
    timeout = os.path.exists(os.path.join(guest, "guest-timeout"))
    rep.add(prefix + "/finished-plan", "pass" if done else "FAIL", None,
            "" if done else ("killed by timeout" if timeout else "no guest-done marker"))

    kdir = os.path.join(guest, "kunit")
    seen = set()
    if os.path.isdir(kdir):
        for f in sorted(os.listdir(kdir)):
            suite = f[:-5]
            seen.add(suite)
            cases = parse_ktap(os.path.join(kdir, f))
            if not cases:
                rep.add(prefix_k + "kunit/%s" % suite, "FAIL", None, "no case results")
            for case, res, detail in cases:
                rep.add(prefix_k + "kunit/%s/%s" % (suite, case), res, None, detail)
    for suite in expect["kunit"]:
        if suite not in seen:
            rep.add(prefix_k + "kunit/%s" % suite, "FAIL", None, "suite did not run")

    idir = os.path.join(guest, "igt")
    for name in expect["igt"]:
        subs, rc, text = parse_igt(os.path.join(idir, name + ".out"),
                                   os.path.join(idir, name + ".rc"))
        if rc is None:
            rep.add(prefix_k + "igt/%s" % name, "FAIL", None, "did not run")
            continue
        for sub, res, secs in subs:
            if res == "skip" and "%s/%s" % (name, sub) in expect["pass"]:
                res = "FAIL"
                skip = re.search(r"^Test requirement not met.*\n(.*)$", text, re.M)
                rep.add(prefix_k + "igt/%s/%s" % (name, sub), res, secs,
                        "skipped, must pass" + (": " + skip.group(1) if skip else ""))
                continue
            rep.add(prefix_k + "igt/%s/%s" % (name, sub), res, secs)
        ran = {sub for sub, _, _ in subs}
        for entry in expect["pass"]:
            bin_, _, sub = entry.partition("/")
            if bin_ == name and sub not in ran:
                rep.add(prefix_k + "igt/%s" % entry, "FAIL", None, "did not run, must pass")
        if not subs:
            rep.add(prefix_k + "igt/%s" % name, "FAIL", None, "no subtest ran (rc %s)" % rc)
        elif rc not in ("0", "77") and all(r != "FAIL" for _, r, _ in subs):
            rep.add(prefix_k + "igt/%s" % name, "FAIL", None, "exit code %s" % rc)

    # Kernel selftests: one row per test of their KTAP; a test listed as
    # `pass NAME/TEST` fails if it skipped or did not run. Exit code 0, or
    # 1 with a failed test; anything else (a crash, the timeout) fails.
    kdir = os.path.join(guest, "kselftest")
    for name in expect["kselftest"]:
        rc_path = os.path.join(kdir, name + ".rc")
        if not os.path.exists(rc_path):
            setup = os.path.join(kdir, name + ".setup")
            lines = (open(setup, errors="replace").read().splitlines()
                     if os.path.exists(setup) else [])
            rep.add(prefix_k + "kselftest/%s" % name, "FAIL", None,
                    "did not run" + (": " + lines[-1][:80] if lines else ""))
            continue
        tests = parse_kselftest(os.path.join(kdir, name + ".out"))
        for test, res in tests:
            if res == "skip" and "%s/%s" % (name, test) in expect["pass"]:
                rep.add(prefix_k + "kselftest/%s/%s" % (name, test), "FAIL", None,
                        "skipped, must pass")
                continue
            rep.add(prefix_k + "kselftest/%s/%s" % (name, test), res)
        ran = {t for t, _ in tests}
        for entry in expect["pass"]:
            bin_, _, test = entry.partition("/")
            if bin_ == name and test not in ran:
                rep.add(prefix_k + "kselftest/%s" % entry, "FAIL", None,
                        "did not run, must pass")
        rc = open(rc_path).read().strip()
        failed = any(r == "FAIL" for _, r in tests)
        if not tests:
            rep.add(prefix_k + "kselftest/%s" % name, "FAIL", None,
                    "no test result (exit %s)" % rc)
        elif rc not in ("0", "1") or (rc == "1") != failed:
            rep.add(prefix_k + "kselftest/%s" % name, "FAIL", None,
                    "exit code %s" % rc)

    # Test modules and applications: NAME.rc (0 passes) and NAME.out,
    # whose last line is the detail.
    for kind in ("module", "app"):
        kdir = os.path.join(guest, kind)
        for name in expect[kind]:
            rc_path = os.path.join(kdir, name + ".rc")
            if not os.path.exists(rc_path):
                rep.add(prefix_k + "%s/%s" % (kind, name), "FAIL", None, "did not run")
                continue
            rc = open(rc_path).read().strip()
            out = os.path.join(kdir, name + ".out")
            lines = (open(out, errors="replace").read().splitlines()
                     if os.path.exists(out) else [])
            rep.add(prefix_k + "%s/%s" % (kind, name), "pass" if rc == "0" else "FAIL",
                    None, ("exit %s: " % rc if rc != "0" else "") +
                    (lines[-1][:100] if lines else ""))

    bad = []
    dm = os.path.join(guest, "dmesg.txt")
    if os.path.exists(dm):
        bad = [l for l in dmesg_lines(dm) if DMESG_BAD.search(l)]
        rep.add(prefix + "/dmesg-clean", "FAIL" if bad else "pass", None,
                bad[0].strip()[:100] if bad else "")
    else:
        rep.add(prefix + "/dmesg-clean", "FAIL", None, "no dmesg captured")
    km = os.path.join(guest, "kmemleak.txt")
    if os.path.exists(km):
        leaks = open(km, errors="replace").read().count("unreferenced object")
        # A kmemleak that turned itself off (its pool ran dry) scanned
        # nothing: that is not a clean scan.
        off = [l for l in (dmesg_lines(dm) if os.path.exists(dm) else [])
               if "Kernel memory leak detector disabled" in l]
        if off and "kmemleak=off" in open(dm, errors="replace").read(4096):
            rep.add(prefix + "/kmemleak-clean", "skip", None,
                    "booted with kmemleak=off")
        elif off:
            rep.add(prefix + "/kmemleak-clean", "FAIL", None,
                    "kmemleak turned itself off: " + off[0].strip()[:60])
        else:
            rep.add(prefix + "/kmemleak-clean", "FAIL" if leaks else "pass", None,
                    "%d unreferenced objects" % leaks if leaks else "")



def dmesg_lines(path):
    """The kernel log without the reports of OOM kills, which the tests
    cause on purpose and check themselves (their stack dumps are not bugs)."""
    out, in_oom = [], False
    for line in open(path, errors="replace"):
        if "invoked oom-killer" in line:
            in_oom = True
        if not in_oom:
            out.append(line)
        if in_oom and ("Killed process" in line or "oom_reaper" in line):
            in_oom = False
    return out


def main():
    run, top = sys.argv[1], sys.argv[2]
    guest = os.path.join(run, "guest")
    rep = Report()
    # The main guest's kernel (KVER, else tools/lib.sh's MAIN_KVER):
    # expect-KVER.txt, which must exist.
    kver = os.environ.get("KVER")
    if not kver:
        with open(os.path.join(top, "tools/lib.sh")) as f:
            kver = re.search(r"^MAIN_KVER=(\S+)$", f.read(), re.M).group(1)
    default = os.path.join(top, "tests/guest/expect-%s.txt" % kver)
    expect = load_expect(sys.argv[3] if len(sys.argv) > 3 else default)

    phases = []
    if os.path.exists(os.path.join(run, "phases.txt")):
        for line in open(os.path.join(run, "phases.txt")):
            name, secs, rc = line.split()
            phases.append((name, int(secs), int(rc)))
            if int(rc) != 0:
                rep.add("phase/" + name, "FAIL", float(secs), "exit %s" % rc)

    if os.path.exists(os.path.join(run, "static.tsv")):
        for line in open(os.path.join(run, "static.tsv")):
            f = line.rstrip("\n").split("\t")
            rep.add("static/" + f[0], "pass" if f[1] == "PASS" else "FAIL",
                    float(f[2]), f[3] if len(f) > 3 else "")

    if os.path.exists(os.path.join(run, "builds.tsv")):
        for line in open(os.path.join(run, "builds.tsv")):
            f = line.rstrip("\n").split("\t")
            rep.add("build/" + f[0], "pass" if f[1] == "PASS" else "FAIL",
                    float(f[2]), f[3] if len(f) > 3 else "")

    if os.path.isdir(guest):
        report_guest(rep, guest, expect)
    # make check's other boots: the control run with drm.shrinker=0, the
    # boot with cgroup.memory=nokmem, a guest with two NUMA nodes, the
    # eviction boot, and the modular kernel.
    for extra in ("noshrinker", "nokmem", "numa", "evict", "modular"):
        gdir = os.path.join(run, "guest-" + extra)
        if any(n == "guest-" + extra for n, _, _ in phases) or os.path.isdir(gdir):
            report_guest(rep, gdir,
                         load_expect(os.path.join(top, "tests/guest/expect-%s.txt" % extra)),
                         "guest-" + extra, extra + "/")

    # The other kernel's boot with the main plan (make check's
    # guest-KVER): tests/guest/expect-KVER.txt. make check-main says
    # that it did not run it.
    for kver in ("6.12", "7.3"):
        gdir = os.path.join(run, "guest-" + kver)
        if any(n == "guest-" + kver for n, _, _ in phases) or os.path.isdir(gdir):
            exp = os.path.join(top, "tests/guest/expect-%s.txt" % kver)
            report_guest(rep, gdir, load_expect(exp), "guest-" + kver, kver + "/")
        elif kver == os.environ.get("DS_SKIPPED_KVER"):
            rep.add("kernel-" + kver, "skip", None,
                    "not built or booted: make check-main leaves it out")

    width = max([len(r[0]) for r in rep.rows] + [20])
    print("\n%-*s  %-6s  %8s  %s" % (width, "test", "result", "time", "detail"))
    for name, res, secs, detail in rep.rows:
        t = "%.2fs" % secs if secs is not None else "-"
        print("%-*s  %-6s  %8s  %s" % (width, name, res, t, detail))
    if phases:
        total = sum(s for _, s, _ in phases)
        if os.path.exists(os.path.join(run, "background.log")):
            note = (" (%ds added up: more than the run took, as the builds"
                    " behind the guests overlap them)" % total)
        else:
            note = " (total %ds)" % total
        print("\nphases: " + ", ".join("%s %ds" % (n, s) for n, s, _ in phases)
              + note)
    npass = sum(1 for r in rep.rows if r[1] == "pass")
    nfail = sum(1 for r in rep.rows if r[1] == "FAIL")
    nskip = sum(1 for r in rep.rows if r[1] == "skip")
    if not rep.rows:
        nfail = 1
        print("no test reported anything")
    print("%d passed, %d failed, %d skipped" % (npass, nfail, nskip))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
