#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The benchmarks of issue 7: this mdevctl against Debian's, on the same generated hosts.

    bench.py --mdevctl BIN --sim BIN --bench-compat BIN --bench-run BIN [--upstream BIN]
             [--runs N] [--quick] [--out FILE] [--srcdir DIR] [--source-version V]
             [--command TEXT]

Run it through bench/run.sh, which starts it in a private mount namespace (unshare -m): it
mounts over /sys, /usr, /etc and /etc/mdevctl.d, and refuses to run in the host's namespace.
Debian's mdevctl cannot be rerooted, so both binaries run unrerooted (MDEVCTL_ENV_ROOT unset)
against the generated tree bound over /sys and /etc/mdevctl.d; a read-only overlay of a small
tree over /usr gives both /usr/lib/mdevctl/scripts.d whatever the host has, one over /etc lets
the compatibility rule files of a scenario sit in /etc/mdevctl/compat.d, and a tmpfs over
/run/udev (when it exists) tells this mdevctl that no udev is running (the simulated host sends
no uevents, so waiting for udev could only time out). The sysfs trees live in a tmpfs mounted
over a temporary directory, in memory like sysfs; the definitions (etc/ of each tree) are moved to
a temporary directory on a disk file system (--etc-dir, default /var/tmp), where /etc is on a real
host: the file system decides what reading them costs. Both disappear at the end.

Each timed scenario first runs both binaries once, untimed, and requires the same output
(Debian's 1.2.0 prints one extra trailing newline) and an output that is right for the host (the
number of devices, types or candidates it must show): a benchmark of a wrong answer is
worthless, and two binaries that both see an empty /sys would agree. That run also warms the
caches. Then the binaries run alternately, N times each (the order flips every round), each run
timed from fork to wait4 (wall clock) with its CPU time and peak RSS from wait4's rusage (all
measured by bench-run), and each run's output checked again; nothing is dropped: the median,
minimum and maximum are of every timed run, and every time is listed at the end. System calls
are counted with strace -f -c.

Prints a markdown report (also written to --out FILE); exits 1 with the reason on the first
error (a mismatch, a failed command, a missing tool). No time is ever asserted.
"""
import argparse
import difflib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MKHOST = os.path.join(HERE, "mkhost.py")

# Sizes. The full run is the issue's; the quick one (CI) exercises every scenario and check in a
# few seconds, with two list sizes so that the marginal system call figure still exists.
FULL = {
    "parents": 64, "types": 8, "devices": [100, 1000, 4000], "auto": 500,
    "compat": (64, 8, 16), "cc": (512, 16, 1, 512), "compat_seconds": 1.0,
}
QUICK = {
    "parents": 4, "types": 2, "devices": [10, 40], "auto": 10,
    "compat": (4, 4, 2), "cc": (8, 4, 1, 8), "compat_seconds": 0.1,
}

# The new device's UUID in compat check and create-compatible (else a random one, and two runs
# would print different plans)
FRESH = "2a0f5a38-7a8e-4c51-9b6e-3d1f0c6b8e77"

BENCH_RUN = None  # bench/bench-run, from --bench-run

ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}


class BenchError(Exception):
    pass


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def sh(*argv):
    """Run a setup command (mount, mkhost.py...); its failure is the benchmark's."""
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV)
    if r.returncode != 0:
        raise BenchError("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                 r.stdout.decode(errors="replace").strip()))
    return r.stdout.decode(errors="replace")


class Run:
    """One execution: wall time and CPU time (user + system; ms), peak RSS (KiB), exit status,
    stdout, stderr."""

    def __init__(self, ms, cpu, rss, status, out, err):
        self.ms, self.cpu, self.rss, self.status = ms, cpu, rss, status
        self.out, self.err = out, err


def spawn(argv, scratch):
    """Run argv through bench-run (see bench-run.c: why the command is not spawned from
    here), stdin from /dev/null, stdout and stderr to files in scratch."""
    out_p, err_p = os.path.join(scratch, "out"), os.path.join(scratch, "err")
    r = subprocess.run([BENCH_RUN, out_p, err_p] + argv, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV)
    m = re.match(rb"wall_ns=(\d+) cpu_us=(\d+) maxrss_kib=(\d+) status=(\d+)$",
                 r.stdout.strip())
    if r.returncode != 0 or not m:
        raise BenchError("bench-run %s: %s" % (" ".join(argv), r.stderr.decode(errors="replace")))
    with open(out_p, "rb") as f:
        out = f.read()
    with open(err_p, "rb") as f:
        err = f.read()
    return Run(int(m.group(1)) / 1e6, int(m.group(2)) / 1e3, int(m.group(3)), int(m.group(4)),
               out, err)


def show_diff(a, b, na, nb):
    lines = list(difflib.unified_diff(a.decode(errors="replace").splitlines(True),
                                      b.decode(errors="replace").splitlines(True), na, nb, n=1))
    return "".join(l[:160].rstrip("\n") + "\n" for l in lines[:30]) + \
        ("...\n" if len(lines) > 30 else "")


def entries(out):
    """The number of devices or types in mdevctl's --dumpjson shape [{parent: [{key: ...}]}],
    or -1 when the output has another shape."""
    try:
        return sum(len(v) for o in json.loads(out) for v in o.values())
    except (ValueError, AttributeError, TypeError):
        return -1


class Mounts:
    """The mounts made in the private namespace, undone in reverse order at the end."""

    def __init__(self):
        self.stack = []

    def mount(self, target, *args):
        sh("mount", *args, target)
        self.stack.append(target)

    def bind(self, src, target):
        self.mount(target, "--bind", src)

    def umount(self, target):
        sh("umount", target)
        i = len(self.stack) - 1 - self.stack[::-1].index(target)
        del self.stack[i]

    def release(self):
        while self.stack:
            t = self.stack.pop()
            r = subprocess.run(["umount", t], stderr=subprocess.DEVNULL)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", t], stderr=subprocess.DEVNULL)


def fs_type(path):
    """The file system type of path, as stat -f names it (ext2/ext3 for ext4, tmpfs...)."""
    r = subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True)
    return r.stdout.strip() or "an unknown file system"


class Bench:
    def __init__(self, a):
        self.a = a
        self.size = QUICK if a.quick else FULL
        self.runs = a.runs
        self.ours, self.deb = a.mdevctl, a.upstream
        self.m = Mounts()
        self.work = None
        self.disk = None
        self.host = None  # whether a host is bound over /sys and /etc/mdevctl.d now
        self.sim_mount = None
        self.results = []  # timed scenarios
        self.syscalls = []  # (command, N or "marginal ...", unit, ours calls, Debian calls)
        self.compat = []  # (measure, workload, result)
        self.figures = {}  # what the targets are judged on
        self.load_start = os.getloadavg()

    # ---- the namespace ----

    def setup(self):
        self.disk = tempfile.mkdtemp(prefix="mdevctl-bench-etc.", dir=self.a.etc_dir)
        self.work = tempfile.mkdtemp(prefix="mdevctl-bench.")
        self.m.mount(self.work, "-t", "tmpfs", "-o", "mode=0700", "tmpfs")
        for d in ("usr/lib/mdevctl/scripts.d/callouts", "usr/lib/mdevctl/scripts.d/notifiers",
                  "etc/mdevctl.d", "etc/mdevctl/compat.d", "empty/compat.d", "scratch",
                  "empty/mdevctl.d/scripts.d/callouts", "empty/mdevctl.d/scripts.d/notifiers"):
            os.makedirs(os.path.join(self.work, d))
        w = self.work
        self.m.mount("/usr", "-t", "overlay", "-o", "ro,lowerdir=%s/usr:/usr" % w, "overlay")
        self.m.mount("/etc", "-t", "overlay", "-o", "ro,lowerdir=%s/etc:/etc" % w, "overlay")
        if os.path.isdir("/run/udev"):
            self.m.mount("/run/udev", "-t", "tmpfs", "-o", "mode=0755", "tmpfs")
        self.scratch = os.path.join(w, "scratch")

    def cleanup(self):
        """Undo every mount, the binds first (the simulator's daemon exits only when no mount
        of it is left), then remove the temporary directory. Called on every exit path; what
        it cannot undo it says, without hiding the error that brought it here."""
        try:
            self.unuse()
            if self.sim_mount:
                self.sim_stop()
        except BenchError as e:
            log("cleaning up: %s" % e)
        self.m.release()
        if self.disk:
            shutil.rmtree(self.disk, ignore_errors=True)
        if self.work:
            try:
                os.rmdir(self.work)
            except OSError as e:
                log("cleaning up: %s: %s" % (self.work, e))

    def tree(self, name, *args):
        """Generate a host with mkhost.py (arguments after the directory); returns its root."""
        root = os.path.join(self.work, name)
        t0 = time.perf_counter()
        sh(sys.executable, MKHOST, root, *args)
        # The definitions where a real host has them: on a disk file system, not in memory.
        etc = os.path.join(root, "etc")
        if os.path.isdir(etc):
            moved = os.path.join(self.disk, name)
            shutil.move(etc, moved)
            os.symlink(moved, etc)
        log("host %s made in %.1f s" % (name, time.perf_counter() - t0))
        return root

    def use(self, sys_dir, etc_dir, compat_dir=None):
        """Bind a host over /sys, /etc/mdevctl.d and /etc/mdevctl/compat.d."""
        self.unuse()
        self.m.bind(sys_dir, "/sys")
        self.m.bind(etc_dir, "/etc/mdevctl.d")
        self.m.bind(compat_dir or os.path.join(self.work, "empty/compat.d"),
                    "/etc/mdevctl/compat.d")
        self.host = True

    def unuse(self):
        if self.host:
            for t in ("/etc/mdevctl/compat.d", "/etc/mdevctl.d", "/sys"):
                self.m.umount(t)
            self.host = None

    def sim_start(self, host_json):
        mnt = os.path.join(self.work, "sim/sys")
        os.makedirs(mnt, exist_ok=True)
        sh(self.a.sim, "--host", host_json, mnt)
        self.sim_mount = mnt

    def sim_stop(self):
        mnt, self.sim_mount = self.sim_mount, None
        for _ in range(50):
            if subprocess.run(["umount", mnt], stderr=subprocess.DEVNULL).returncode == 0:
                return
            time.sleep(0.1)
        raise BenchError("cannot unmount the simulated host at %s" % mnt)

    # ---- running ----

    def run_ok(self, argv, what):
        r = spawn(argv, self.scratch)
        if r.status != 0:
            raise BenchError("%s: `%s` exited with %d: %s" % (
                what, " ".join(argv), r.status, r.err.decode(errors="replace").strip()[:2000]))
        return r

    def compare(self, group, host, args, validate, prepare=None, verify=None, upstream=True,
                extra_newline=True):
        """Time `mdevctl ARGS` of both binaries (only ours without upstream). validate(out)
        returns what is wrong with our output for this host, or None; prepare() runs before
        every run and verify() after it, untimed. Debian's output must be ours plus one newline
        (extra_newline: the output of list and types), else the same."""
        what = "%s on %s" % (" ".join(args), host)
        who = [("ours", self.ours)] + ([("deb", self.deb)] if upstream else [])
        expected = {}
        for name, binary in who:
            if prepare:
                prepare()
            r = self.run_ok([binary] + args, what)
            if verify:
                verify(name, r)
            expected[name] = r.out
        bad = validate(expected["ours"])
        if bad:
            raise BenchError("%s: our output is wrong for the host: %s" % (what, bad))
        nl = b"\n" if extra_newline else b""
        if upstream and expected["deb"] != expected["ours"] + nl:
            raise BenchError("%s: the outputs differ (beyond 1.2.0's trailing newline):\n%s" % (
                what, show_diff(expected["ours"] + nl, expected["deb"], "ours", "debian")))
        runs = {name: [] for name, _ in who}
        for i in range(self.runs):
            for name, binary in (who if i % 2 == 0 else who[::-1]):
                if prepare:
                    prepare()
                r = self.run_ok([binary] + args, what)
                if r.out != expected[name]:
                    raise BenchError("%s: run %d of %s printed something else than its first "
                                     "run:\n%s" % (what, i + 1, name, show_diff(
                                         expected[name], r.out, "first", "now")))
                if verify:
                    verify(name, r)
                runs[name].append(r)
        res = {"group": group, "args": args, "host": host, "ours": runs["ours"],
               "deb": runs.get("deb")}
        self.results.append(res)
        log("%-70s ours %7.1f ms%s" % (("%s on %s" % (group, host))[:70], med(runs["ours"]),
                                       "  debian %7.1f ms" % med(runs["deb"]) if upstream else ""))
        return res

    def strace_calls(self, binary, args, what, expected_out):
        trace = os.path.join(self.scratch, "trace")
        r = self.run_ok([self.a.strace, "-f", "-c", "-o", trace, "--", binary] + args, what)
        if r.out != expected_out:
            raise BenchError("%s under strace: other output than without it" % what)
        with open(trace) as f:
            for line in f:
                w = line.split()
                if w and w[-1] == "total":
                    return int(w[3])
        raise BenchError("%s: no total in strace -c's output" % what)

    # ---- scenarios ----

    def lists(self):
        s = self.size
        P, T = s["parents"], s["types"]
        empty_etc = os.path.join(self.work, "empty/mdevctl.d")
        calls = {}
        for n in s["devices"]:
            root = self.tree("list-%d" % n, "--parents", str(P), "--types", str(T),
                             "--devices", str(n), "--defined", str(n))
            host = "%dx%d, %d running" % (P, T, n)
            sysd, etc = os.path.join(root, "sys"), os.path.join(root, "etc/mdevctl.d")

            def lines(want, suffix):
                def check(out):
                    ls = out.decode().splitlines()
                    if len(ls) != want:
                        return "%d lines, not %d" % (len(ls), want)
                    if sum(1 for x in ls if x.endswith(suffix)) != want:
                        return "not every line ends with %r" % suffix
                    return None
                return check

            def count(want):
                return lambda out: None if entries(out) == want else \
                    "%d entries, not %d" % (entries(out), want)

            # (a) every running device defined, (b) none
            self.use(sysd, etc)
            ra = self.compare("list", host + ", all defined", ["list"], lines(n, " (defined)"))
            rd = self.compare("list -d --dumpjson", "%dx%d, %d defined (all running)" % (P, T, n),
                              ["list", "-d", "--dumpjson"], count(n))
            if n == s["devices"][-1]:
                rt = self.compare("types --dumpjson", "%dx%d" % (P, T), ["types", "--dumpjson"],
                                  count(P * T))
                types_calls = self.count_calls(rt)
            for key, res in (("list-a", ra), ("list-d", rd)):
                calls[key, n] = self.count_calls(res)
            self.use(sysd, empty_etc)
            rb = self.compare("list", host + ", none defined", ["list"], lines(n, "manual"))
            calls["list-b", n] = self.count_calls(rb)
            self.unuse()
            shutil.rmtree(root)
        lo, hi = s["devices"][0], s["devices"][-1]
        for key, label in (("list-a", "list (all defined)"), ("list-b", "list (none defined)"),
                           ("list-d", "list -d --dumpjson")):
            for n in s["devices"]:
                o, d = calls[key, n]
                self.syscalls.append((label, n, "device", o, d))
            (o1, d1), (o2, d2) = calls[key, lo], calls[key, hi]
            self.syscalls.append((label, "marginal %d to %d" % (lo, hi), "device",
                                  (o2 - o1) / (hi - lo), (d2 - d1) / (hi - lo)))
        self.syscalls.append(("types --dumpjson", P * T, "type") + types_calls)
        for wall_key, cpu_key, group, host in (
                ("list_ratio", "list_cpu_ratio", "list",
                 "%dx%d, %d running, all defined" % (P, T, hi)),
                ("list_ratio_b", "list_cpu_ratio_b", "list",
                 "%dx%d, %d running, none defined" % (P, T, hi)),
                ("listd_ratio", "listd_cpu_ratio", "list -d --dumpjson",
                 "%dx%d, %d defined (all running)" % (P, T, hi))):
            res = self.find(group, host)
            self.figures[wall_key] = ratio(res)
            self.figures[cpu_key] = cpu_ratio(res)
        self.figures["calls_per_dev"] = calls["list-a", hi][0] / hi
        self.figures["calls_per_dev_b"] = calls["list-b", hi][0] / hi
        self.figures["calls_marginal"] = \
            (calls["list-a", hi][0] - calls["list-a", lo][0]) / (hi - lo)
        self.figures["size"] = hi

    def count_calls(self, res):
        """System calls of both binaries for a scenario already checked and timed."""
        what = "%s on %s" % (" ".join(res["args"]), res["host"])
        o = self.strace_calls(self.ours, res["args"], what, res["ours"][0].out)
        d = self.strace_calls(self.deb, res["args"], what, res["deb"][0].out)
        return o, d

    def find(self, group, host):
        for r in self.results:
            if r["group"] == group and r["host"] == host:
                return r
        raise KeyError((group, host))

    def start_parent(self):
        s = self.size
        P, T, A = s["parents"], s["types"], s["auto"]
        sim_json = os.path.join(self.work, "sim-host.json")
        root = self.tree("autostart", "--parents", str(P), "--types", str(T), "--auto-parent",
                         str(A), "--sim-json", sim_json)
        parent = "0000:01:00.0"
        defs = os.path.join(root, "etc/mdevctl.d", parent)
        want = sorted(u for u in os.listdir(defs) if not u.startswith("."))
        if len(want) != A:
            raise BenchError("mkhost.py made %d auto definitions, not %d" % (len(want), A))
        etc = os.path.join(root, "etc/mdevctl.d")
        sim_sys = os.path.join(self.work, "sim/sys")

        def prepare():
            # a fresh simulated host for every run, untimed
            self.unuse()
            if self.sim_mount:
                self.sim_stop()
            self.sim_start(sim_json)
            self.use(sim_sys, etc)

        def verify(name, r):
            with open("/sys/mdev-sim/state") as f:
                devs = json.load(f)["devices"]
            got = sorted(d["uuid"] for d in devs
                         if d["parent"] == parent and d["type"] == "bench_0")
            if got != want or len(devs) != A:
                raise BenchError("start-parent-mdevs (%s): %d devices running, %d of them the "
                                 "%d auto definitions" % (name, len(devs),
                                                          len(set(got) & set(want)), A))

        self.compare("start-parent-mdevs", "simulated %dx%d, %d auto definitions" % (P, T, A),
                     ["start-parent-mdevs", parent],
                     lambda out: None if out == b"" else "it printed %r" % out[:200], prepare,
                     verify, extra_newline=False)
        self.unuse()
        self.sim_stop()
        shutil.rmtree(root)

    def compat_rules(self, root, types, slices):
        """A rule file for the bench_* types: vendor facts that every rule of the matcher looks
        at, and a pattern that lets a device become any of the types with slices=1..S."""
        rules = {
            "schema": "mdev-compat-rules/1",
            "description": "bench/bench.py: a made-up vendor for the generated hosts",
            "types": [{
                "mdev_type": "bench_*",
                "descriptor": {
                    "driver": {"name": "bench", "version": "1.4.2"},
                    "pci": {"vendor": "0x1af4", "device": "0x10f0", "subsystem_vendor": "0x1af4",
                            "subsystem_device": "0x0001"},
                    "features": ["fbc", "h264", "vsync"],
                    "params": {"ecc": {"type": "bool", "default": True, "off": False,
                                       "attr": "ecc"}},
                    "vendor_fields": {"gen": "g1"},
                    "settable_attrs": {"slices": {"type": "int", "range": {"min": 1, "max": 16}},
                                       "label": {"type": "any"}},
                    "migration_flags": ["STOP_COPY"],
                },
                "record": {"compatible": [{
                    "vars": [{"name": "t", "type": "int", "range": {"min": 0, "max": types - 1}},
                             {"name": "s", "type": "int", "range": {"min": 1, "max": slices}}],
                    "mdev_type": "bench_${t}",
                    "mdev_attrs": [{"slices": "${s}"}],
                }]},
            }],
        }
        d = os.path.join(root, "etc/mdevctl/compat.d")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "50-bench.json"), "w") as f:
            json.dump(rules, f, indent=1)
        return d

    def record_of_device0(self, root):
        """`compat show` of device 0 (bench_0 on the first parent, defined without attributes):
        self plus the rule file's pattern."""
        sys.dont_write_bytecode = True  # no __pycache__ in the source tree
        sys.path.insert(0, HERE)
        from mkhost import uuid_of
        r = self.run_ok([self.ours, "compat", "show", "-u", uuid_of(0, 0)], "compat show")
        path = os.path.join(root, "record.json")
        with open(path, "wb") as f:
            f.write(r.out)
        return path

    def candidates(self, want):
        """A compatible plan with want candidates: the chosen one and the others. Its first
        line is "verdict: compatible" for this host, "host NAME: compatible" for an
        inventory."""
        def check(out):
            ls = out.decode().splitlines()
            if not ls or not (ls[0] == "verdict: compatible" or
                              (ls[0].startswith("host ") and ls[0].endswith(": compatible"))):
                return "first line %r" % (ls[0] if ls else "")
            n = sum(1 for x in ls if x.startswith(("chosen: ", "candidate ")))
            return None if n == want else "%d candidates, not %d" % (n, want)
        return check

    def compat_check(self):
        P, T, S = self.size["compat"]
        root = self.tree("compat", "--parents", str(P), "--types", str(T), "--devices", str(P),
                         "--defined", str(P))
        compat_d = self.compat_rules(root, T, S)
        self.use(os.path.join(root, "sys"), os.path.join(root, "etc/mdevctl.d"), compat_d)
        rec = self.record_of_device0(root)
        inv = os.path.join(root, "inventory.json")
        with open(inv, "wb") as f:
            f.write(self.run_ok([self.ours, "compat", "inventory"], "compat inventory").out)
        evals = (1 + T * S) * P
        workload = "%d parents x %d types; record: self + bench_${t} x slices=1..%d" % (P, T, S)
        rates, cpu_rates = [], []
        for _ in range(self.runs):
            r = self.run_ok([self.a.bench_compat, rec, inv, str(self.size["compat_seconds"])],
                            "bench-compat")
            m = re.match(rb"evaluations_per_match=(\d+) matches=(\d+) seconds=([\d.]+) "
                         rb"evaluations_per_second=(\d+) cpu_seconds=([\d.]+) "
                         rb"evaluations_per_cpu_second=(\d+)$", r.out.strip())
            if not m:
                raise BenchError("bench-compat printed %r" % r.out)
            if int(m.group(1)) != evals:
                raise BenchError("bench-compat made %s evaluations per match, not %d: the "
                                 "workload is not what it should be" % (m.group(1).decode(), evals))
            rates.append(int(m.group(4)))
            cpu_rates.append(int(m.group(6)))
        for label, rs in (("per second of wall time", rates),
                          ("per second of CPU time", cpu_rates)):
            self.compat.append(("matcher throughput (bench-compat, one thread), " + label,
                                "%s: %d evaluations per match" % (workload, evals),
                                "%s evaluations/s (min %s, max %s; %d runs of %.1f s)" % (
                                    thousands(statistics.median(rs)), thousands(min(rs)),
                                    thousands(max(rs)), len(rs), self.size["compat_seconds"])))
        self.figures["evals_per_s"] = statistics.median(rates)
        self.figures["evals_per_cpu_s"] = statistics.median(cpu_rates)
        res = self.compare("compat check", "%dx%d, %d evaluations" % (P, T, evals),
                           ["compat", "check", "--from", rec, "--inventory", inv, "-u", FRESH],
                           self.candidates(evals), upstream=False)
        self.compat.append(("`compat check --from REC --inventory INV` (wall)",
                            "%s; inventory %d KiB" % (workload, os.path.getsize(inv) // 1024),
                            timing(res["ours"])))
        self.unuse()
        shutil.rmtree(root)

    def create_compatible(self):
        P, T, S, N = self.size["cc"]
        root = self.tree("create-compatible", "--parents", str(P), "--types", str(T),
                         "--devices", str(N), "--defined", str(N))
        compat_d = self.compat_rules(root, T, S)
        sysd, etc = os.path.join(root, "sys"), os.path.join(root, "etc/mdevctl.d")
        self.use(sysd, etc, compat_d)
        rec = self.record_of_device0(root)
        evals = (1 + T * S) * P

        def snapshot():
            return (sorted(os.listdir("/sys/bus/mdev/devices")),
                    sorted((d, sorted(os.listdir(os.path.join("/etc/mdevctl.d", d))))
                           for d in os.listdir("/etc/mdevctl.d")))
        before = snapshot()

        def verify(name, r):
            if snapshot() != before:
                raise BenchError("create-compatible --dry-run changed the host")

        # The record compat show writes (self and the rule's pattern over every type), and the
        # same without the pattern: a device that may only become its own type, which exists on
        # every parent (what a scheduler that only accepts the identical type asks).
        with open(rec) as f:
            doc = json.load(f)
        del doc["compatible"]
        rec_self = os.path.join(root, "record-self.json")
        with open(rec_self, "w") as f:
            json.dump(doc, f, indent=2)
        for key, path, desc, n in (
                ("cc_self_ms", rec_self, "self only", P),
                ("cc_ms", rec, "self + bench_${t} x slices=1..%d" % S, evals)):
            res = self.compare("create-compatible --dry-run",
                               "%dx%d, %d running; %s" % (P, T, N, desc),
                               ["create-compatible", "--dry-run", "--from", path, "-u", FRESH],
                               self.candidates(n), verify=verify, upstream=False)
            self.compat.append(("`create-compatible --dry-run --from REC` (wall)",
                                "%d parents x %d types, %d running; record: %s: %d evaluations"
                                % (P, T, N, desc, n), timing(res["ours"])))
            self.figures[key] = med(res["ours"])
        self.unuse()
        shutil.rmtree(root)

    # ---- the report ----

    def report(self):
        q = self.a.quick
        cpu_model = "unknown"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024
        rev = source_revision(self.a.srcdir, self.a.source_version)
        rev = ", %s" % rev if rev else ""
        dpkg = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "mdevctl"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        L = []
        L.append("# mdevctl benchmark%s" % (
            " (quick mode: tiny sizes, figures meaningless)" if q else ""))
        L.append("")
        L.append("- date: %s" % time.strftime("%Y-%m-%d %H:%M %Z"))
        L.append("- machine: %s, %d CPUs online, %d MiB memory, Linux %s (%s)" % (
            cpu_model, os.cpu_count(), mem, platform.release(), platform.machine()))
        L.append("- load average (1, 5, 15 min): %.2f %.2f %.2f at the start, "
                 "%.2f %.2f %.2f at the end" % (self.load_start + os.getloadavg()))
        L.append("- ours: `%s`, %s%s" % (self.ours, version(self.ours), rev))
        L.append("- Debian's: `%s`, %s%s" % (self.deb, version(self.deb),
                                               " (package %s)" % dpkg.stdout.decode()
                                               if dpkg.returncode == 0 else ""))
        L.append("- files: the sysfs trees in tmpfs, the definitions on %s (`%s`)" % (
            fs_type(self.disk), self.a.etc_dir))
        L.append("- command: `%s`" % (self.a.command or " ".join(sys.argv)))
        L.append("- %d timed run%s per binary and scenario, alternating; before them one untimed "
                 "run of each checks the output (and warms the caches); every run's output is "
                 "checked. Wall time from fork to wait4; CPU time and peak RSS from wait4's "
                 "rusage." % (
                     self.runs, "s" if self.runs != 1 else ""))
        L.append("")
        if any(r["deb"] for r in self.results):
            L.append("## Wall time, CPU time (user + system; ms) and peak RSS (MiB)")
            L.append("")
            L.append("| command | host | ours: wall median (min-max) | Debian: wall median "
                     "(min-max) | Debian/ours | CPU ours | CPU Debian | Debian/ours (CPU) "
                     "| RSS ours | RSS Debian |")
            L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
            for r in self.results:
                if r["deb"] is None:
                    continue
                L.append("| `%s` | %s | %s | %s | %.1fx | %.1f | %.1f | %.1fx | %s | %s |" % (
                    r["group"], r["host"], timing(r["ours"], rss=False),
                    timing(r["deb"], rss=False), ratio(r), cpu(r["ours"]), cpu(r["deb"]),
                    cpu_ratio(r), mib(r["ours"]), mib(r["deb"])))
            L.append("")
        if self.syscalls:
            L.append("## System calls (strace -f -c, whole process)")
            L.append("")
            L.append("| command | devices (types) | ours | ours per device (type) | Debian "
                     "| Debian per device (type) |")
            L.append("| --- | --- | --- | --- | --- | --- |")
            for label, n, unit, o, d in self.syscalls:
                if isinstance(n, int):
                    L.append("| `%s` | %d %ss | %d | %.2f | %d | %.2f |" % (
                        label, n, unit, o, o / n, d, d / n))
                else:
                    L.append("| `%s` | %s | | %.2f | | %.2f |" % (label, n, o, d))
            L.append("")
        if self.compat:
            L.append("## Migration compatibility (ours only: Debian's has no such command)")
            L.append("")
            L.append("| measure | workload | result |")
            L.append("| --- | --- | --- |")
            for m, w, res in self.compat:
                L.append("| %s | %s | %s |" % (m, w, res))
            L.append("")
        L.append("## Targets (issue 7)")
        L.append("")
        if q:
            L.append("Not judged in quick mode: the sizes are not the issue's.")
        else:
            f = self.figures
            rows = []
            if "size" in f:
                n = f["size"]
                rows += [
                    ("`list` of %d running devices: at least 10x faster than Debian's" % n,
                     "%.1fx (all defined), %.1fx (none defined); in CPU time %.1fx and %.1fx"
                     % (f["list_ratio"], f["list_ratio_b"], f["list_cpu_ratio"],
                        f["list_cpu_ratio_b"]),
                     min(f["list_ratio"], f["list_ratio_b"]) >= 10),
                    ("`list` of %d devices: at most 4 system calls per device" % n,
                     "%.2f (all defined), %.2f (none defined); marginal %.2f" % (
                         f["calls_per_dev"], f["calls_per_dev_b"], f["calls_marginal"]),
                     max(f["calls_per_dev"], f["calls_per_dev_b"]) <= 4),
                    ("`list -d --dumpjson` of %d definitions: at least 5x faster" % n,
                     "%.1fx; in CPU time %.1fx" % (f["listd_ratio"], f["listd_cpu_ratio"]),
                     f["listd_ratio"] >= 5),
                ]
            if "evals_per_s" in f:
                rows.append(("`compat check`: at least 1,000,000 evaluations/s on one core",
                             "%s per CPU second (%s per wall second)" % (
                                 thousands(f["evals_per_cpu_s"]), thousands(f["evals_per_s"])),
                             f["evals_per_cpu_s"] >= 1e6))
            if "cc_ms" in f:
                rows.append(("`create-compatible --dry-run` on 512 x 16: within 20 ms "
                             "(record: self only, its type on every parent)",
                             "%.1f ms (median)" % f["cc_self_ms"], f["cc_self_ms"] <= 20))
                rows.append(("the same, record with a pattern over all 16 types",
                             "%.1f ms (median)" % f["cc_ms"], f["cc_ms"] <= 20))
            L.append("| target | measured | |")
            L.append("| --- | --- | --- |")
            for t, m, ok in rows:
                L.append("| %s | %s | %s |" % (t, m, "met" if ok else "**missed**"))
        L.append("")
        L.append("## Every timed run (ms)")
        L.append("")
        for r in self.results:
            L.append("- `%s` on %s: ours %s%s" % (
                r["group"], r["host"], " ".join("%.1f" % x.ms for x in r["ours"]),
                "; Debian " + " ".join("%.1f" % x.ms for x in r["deb"]) if r["deb"] else ""))
        return "\n".join(L) + "\n"


SCENARIOS = {"list": "lists", "start-parent-mdevs": "start_parent", "compat-check": "compat_check",
             "create-compatible": "create_compatible"}


def med(runs):
    return statistics.median(r.ms for r in runs)


def ratio(res):
    return med(res["deb"]) / med(res["ours"])


def cpu(runs):
    return statistics.median(r.cpu for r in runs)


def cpu_ratio(res):
    return cpu(res["deb"]) / max(cpu(res["ours"]), 0.001)


def mib(runs):
    return "%.1f" % (statistics.median(r.rss for r in runs) / 1024)


def timing(runs, rss=True):
    ms = [r.ms for r in runs]
    s = "%.1f (%.1f-%.1f)" % (statistics.median(ms), min(ms), max(ms))
    return s + (" ms, CPU %.1f ms, peak RSS %s MiB" % (cpu(runs), mib(runs)) if rss else "")


def thousands(x):
    return "{:,}".format(int(x))


def source_revision(srcdir, version):
    """What the report says the source is: its git revision, or where there is no git or no
    git checkout (a release tarball, a root without git) the version configure gave."""
    if srcdir:
        try:
            g = subprocess.run(["git", "-C", srcdir, "describe", "--always", "--dirty",
                                "--abbrev=12"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            g = None
        if g is not None and g.returncode == 0:
            return "source %s" % g.stdout.decode().strip()
    return "source version %s (configure's; no git revision)" % version if version else ""


def version(binary):
    r = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return "`%s`" % r.stdout.decode().strip() if r.returncode == 0 else "(no --version)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mdevctl", required=True, help="this mdevctl (the build tree's src/mdevctl)")
    ap.add_argument("--upstream", default="/usr/bin/mdevctl", help="Debian's mdevctl")
    ap.add_argument("--sim", required=True, help="tests/sim/mdev-sim")
    ap.add_argument("--bench-compat", required=True, help="bench/bench-compat")
    ap.add_argument("--bench-run", required=True, help="bench/bench-run")
    ap.add_argument("--strace", default=shutil.which("strace", path=ENV["PATH"]))
    ap.add_argument("--runs", type=int, default=None, help="timed runs per binary (default 7)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one run: checks the scripts")
    ap.add_argument("--only", default=",".join(SCENARIOS),
                    help="comma-separated scenarios among %s (default: all)" % ", ".join(SCENARIOS))
    ap.add_argument("--out", help="also write the report to this file")
    ap.add_argument("--etc-dir", default="/var/tmp",
                    help="a directory on the disk file system for the definitions (default /var/tmp)")
    ap.add_argument("--srcdir", help="the source tree, for its git revision in the report")
    ap.add_argument("--source-version",
                    help="the version configure gave, in the report where git cannot tell")
    ap.add_argument("--command", help="the command line to show in the report")
    a = ap.parse_args()
    if not a.only or any(x not in SCENARIOS for x in a.only.split(",")):
        ap.error("--only: scenarios among %s" % ", ".join(SCENARIOS))
    if a.runs is None:
        a.runs = 1 if a.quick else 7
    if a.runs < 1 or (a.runs < 5 and not a.quick):
        ap.error("--runs: at least 5 (a median of fewer says little), or --quick")
    for name in ("mdevctl", "upstream", "sim", "bench_compat", "bench_run", "strace"):
        p = getattr(a, name)
        if not p or not os.access(p, os.X_OK):
            ap.error("--%s: %s is not an executable" % (name.replace("_", "-"), p))
        setattr(a, name, os.path.abspath(p))
    if os.geteuid() != 0:
        sys.exit("bench.py: needs root (mounts); run it through bench/run.sh")
    # run.sh execs unshare, which execs this: the parent is whoever started run.sh, in the
    # host's namespace (pid 1's cannot always be read, in a container say)
    try:
        outside = os.stat("/proc/%d/ns/mnt" % os.getppid()).st_ino
    except OSError:
        outside = None
    if outside is None or os.stat("/proc/self/ns/mnt").st_ino == outside:
        sys.exit("bench.py: refusing to mount over /sys unless in a mount namespace of its "
                 "own; run it through bench/run.sh")

    global BENCH_RUN
    BENCH_RUN = a.bench_run
    b = Bench(a)
    try:
        b.setup()
        for name in a.only.split(","):
            getattr(b, SCENARIOS[name])()
        text = b.report()
    except BenchError as e:
        print("bench.py: %s" % e, file=sys.stderr)
        return 1
    finally:
        b.cleanup()
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
