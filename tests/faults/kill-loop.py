#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""SIGKILL at every system call of `define`, `modify` and `create-compatible`.

Each command is first run once under strace to list its system calls in order. Then, for every
call in that list (the k-th call of NAME), the host is put back in its state before the command
and the command is run again under `strace -e inject=NAME:signal=SIGKILL:when=k`, which kills
it on entering that call, before the kernel executes it. After each run the invariants of
docs/reliability.md are checked:

  * every definition file parses, the one the command writes holds either its old or its new
    bytes, every other definition is untouched;
  * the only dot-files in a parent's directory are temporary files of the atomic write
    (`.UUID.XXXXXX`), and never more than one: each writer removes those of killed writers
    before writing its own;
  * after the next command that takes the host-wide lock (here `start-parent-mdevs`, the
    command udev runs), no create-compatible journal is left and a device created by the killed
    command runs if and only if its definition exists (it is removed otherwise);
  * a run that is not killed succeeds.

The host is a simulated one (tests/sim) at ROOT/sys, with MDEVCTL_ENV_ROOT=ROOT. Prints one
line per command and a summary; exits 1 when an invariant was violated, listing each violation.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time

TEMP_RE = re.compile(r"^\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9]{6}$")
SYSCALL_RE = re.compile(r"^([a-z0-9_]+)\(")

U_DEFINE = "d0000000-0000-4000-8000-000000000001"
U_MODIFY = "d0000000-0000-4000-8000-000000000002"
U_OTHER = "d0000000-0000-4000-8000-000000000003"
OTHER_TEXT = '{\n  "mdev_type": "i915-GVTg_V5_8",\n  "start": "manual",\n  "attrs": []\n}'
MODIFY_OLD = ('{\n  "mdev_type": "i915-GVTg_V5_8",\n  "start": "manual",\n  "attrs": [\n'
              '    {\n      "aggregator": "1"\n    }\n  ]\n}')


class Host:
    def __init__(self, args):
        self.mdevctl = args.mdevctl
        self.root = os.path.abspath(args.root)
        self.parent = args.parent
        self.etc = os.path.join(self.root, "etc/mdevctl.d")
        self.pdir = os.path.join(self.etc, self.parent)
        self.journal = os.path.join(self.etc, ".create-compatible")
        self.env = dict(os.environ, MDEVCTL_ENV_ROOT=self.root, LC_ALL="C",
                        MDEVCTL_LOCK_TIMEOUT="5")
        self.env.pop("MDEVCTL_LOG", None)
        self.violations = []

    def run(self, argv, strace=None):
        """Run mdevctl with argv, under strace with the given options if any; the
        CompletedProcess (returncode -9 when killed by SIGKILL)."""
        cmd = [self.mdevctl] + argv
        env = self.env
        if strace is not None:
            cmd = ["strace", "-qq"] + strace + ["--"] + cmd
            # LeakSanitizer cannot work under ptrace (a sanitizer build); leaks are the
            # business of the runs without strace
            env = dict(env, ASAN_OPTIONS=(env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":"))
        return subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)

    def state(self):
        with open(os.path.join(self.root, "sys/mdev-sim/state")) as f:
            return json.load(f)

    def devices(self):
        return {d["uuid"]: (d["parent"], d["type"], d["attributes"]) for d in self.state()["devices"]}

    def remove_device(self, uuid):
        with open(os.path.join(self.root, "sys/bus/mdev/devices", uuid, "remove"), "w") as f:
            f.write("1")

    def definition(self, uuid):
        try:
            with open(os.path.join(self.pdir, uuid)) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def put_definition(self, uuid, text):
        """Write a definition the way an administrator's tool would, atomically and without a
        dot-file in the directory (the temporary file is made one level up)."""
        os.makedirs(self.pdir, exist_ok=True)
        tmp = os.path.join(self.root, "harness.tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(self.pdir, uuid))

    def drop_definition(self, uuid):
        try:
            os.unlink(os.path.join(self.pdir, uuid))
        except FileNotFoundError:
            pass

    def violation(self, where, msg):
        self.violations.append(f"{where}: {msg}")

    def check_store(self, where, expect):
        """Every definition parses; expect maps uuid -> set of acceptable contents (None: absent);
        temporary files: well-named, at most one per directory. Returns the temp files."""
        temps = []
        for entry in sorted(os.listdir(self.etc)):
            path = os.path.join(self.etc, entry)
            if entry == "scripts.d":
                continue
            if entry.startswith("."):
                if entry != ".create-compatible":
                    self.violation(where, f"unexpected file {path}")
                continue
            if not os.path.isdir(path):
                self.violation(where, f"not a directory: {path}")
                continue
            dir_temps = []
            for name in sorted(os.listdir(path)):
                fp = os.path.join(path, name)
                if name.startswith("."):
                    if TEMP_RE.match(name):
                        dir_temps.append(fp)
                    else:
                        self.violation(where, f"unexpected dot-file {fp}")
                    continue
                try:
                    with open(fp) as f:
                        text = f.read()
                    d = json.loads(text)
                    if not (isinstance(d, dict) and isinstance(d.get("mdev_type"), str)
                            and d.get("start") in ("auto", "manual")
                            and isinstance(d.get("attrs", []), list)):
                        raise ValueError("not a definition")
                except (OSError, ValueError) as e:
                    self.violation(where, f"definition {fp} does not load: {e}")
                    continue
                if entry == self.parent and name in expect and text not in expect[name]:
                    self.violation(where, f"definition {fp} is neither the old nor the new one: {text!r}")
            if len(dir_temps) > 1:
                self.violation(where, f"{len(dir_temps)} temporary files in {path}: stale ones were not removed")
            temps += dir_temps
        for uuid, accepted in expect.items():
            if self.definition(uuid) is None and None not in accepted:
                self.violation(where, f"definition of {uuid} is missing")
        return temps


class Scenario:
    """One command: prepare() puts the host in its state before the command; expect() gives the
    acceptable definition contents; check_devices() the device invariants after recovery."""

    name = ""
    argv = []

    def __init__(self, host):
        self.h = host
        self.old = None
        self.new = None

    def prepare(self):
        raise NotImplementedError

    def target(self):
        raise NotImplementedError

    def cleanup(self):
        """Take away what the command made and what prepare() put in place."""
        self.h.drop_definition(self.target())

    def learn(self):
        """After a clean run: remember what the command makes."""
        self.new = self.h.definition(self.target())

    def expect(self):
        return {self.target(): {self.old, self.new}, U_OTHER: {OTHER_TEXT}}

    def check_devices(self, where, before):
        if self.h.devices() != before:
            self.h.violation(where, "the running devices changed")


class Define(Scenario):
    name = "define"

    def __init__(self, host):
        super().__init__(host)
        self.argv = ["define", "-u", U_DEFINE, "-p", host.parent, "-t", "i915-GVTg_V5_8"]

    def target(self):
        return U_DEFINE

    def prepare(self):
        self.h.drop_definition(U_DEFINE)


class Modify(Scenario):
    name = "modify"

    def __init__(self, host):
        super().__init__(host)
        self.old = MODIFY_OLD
        self.argv = ["modify", "-u", U_MODIFY, "--addattr", "aggregator", "--value", "4",
                     "--index", "1"]

    def target(self):
        return U_MODIFY

    def prepare(self):
        self.h.put_definition(U_MODIFY, MODIFY_OLD)


class CreateCompatible(Scenario):
    name = "create-compatible"

    def __init__(self, host, record, uuid):
        super().__init__(host)
        self.uuid = uuid
        self.argv = ["create-compatible", "--from", record]
        self.made = None

    def target(self):
        return self.uuid

    def prepare(self):
        if self.uuid in self.h.devices():
            self.h.remove_device(self.uuid)
        self.h.drop_definition(self.uuid)

    def cleanup(self):
        self.prepare()

    def learn(self):
        super().learn()
        self.made = self.h.devices().get(self.uuid)

    def check_devices(self, where, before):
        now = self.h.devices()
        dev = now.pop(self.uuid, None)
        if now != before:
            self.h.violation(where, "devices other than the command's changed")
        defined = self.h.definition(self.uuid) is not None
        if dev is not None and not defined:
            self.h.violation(where, f"device {self.uuid} runs without a definition")
        if defined and dev != self.made:
            self.h.violation(where, f"device {self.uuid} is defined but runs as {dev}, not {self.made}")


def syscalls(host, scenario, trace_file):
    """The (name, k) of every system call of a clean run, in order; the run's result."""
    scenario.prepare()
    p = host.run(scenario.argv, strace=["-o", trace_file])
    calls, seen = [], collections.Counter()
    with open(trace_file) as f:
        for line in f:
            m = SYSCALL_RE.match(line)
            if not m:
                continue
            seen[m.group(1)] += 1
            calls.append((m.group(1), seen[m.group(1)]))
    return calls, p


def walk(host, scenario, tmp, stride):
    calls, p = syscalls(host, scenario, os.path.join(tmp, f"trace.{scenario.name}"))
    if p.returncode != 0:
        host.violation(scenario.name, f"the clean run failed ({p.returncode}): {p.stderr.strip()}")
        return 0, 0, 0
    scenario.learn()
    before = host.devices()
    if isinstance(scenario, CreateCompatible):
        before.pop(scenario.uuid, None)
    runs = kills = 0
    # the first call is the execve(2) that strace itself makes
    for i in range(1, len(calls), stride):
        name, k = calls[i]
        where = f"{scenario.name}: kill at call {i} ({name} #{k})"
        scenario.prepare()
        p = host.run(scenario.argv, strace=["-o", "/dev/null", "-e", f"trace={name}",
                                            "-e", f"inject={name}:signal=SIGKILL:when={k}"])
        runs += 1
        if p.returncode in (-9, 137):
            kills += 1
        elif p.returncode != 0:
            host.violation(where, f"not killed and failed ({p.returncode}): {p.stderr.strip()}")
        host.check_store(where, scenario.expect())
        # the next command that takes the lock finishes what the killed one left
        r = host.run(["start-parent-mdevs", host.parent])
        if r.returncode != 0:
            host.violation(where, f"the next command failed ({r.returncode}): {r.stderr.strip()}")
        if os.path.exists(host.journal):
            host.violation(where, "the create-compatible journal is still there after the next command")
        host.check_store(where + ", after the next command", scenario.expect())
        scenario.check_devices(where + ", after the next command", before)
    return len(calls), runs, kills


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mdevctl", required=True)
    ap.add_argument("--root", required=True, help="host root, the simulator mounted at ROOT/sys")
    ap.add_argument("--parent", required=True, help="parent the commands work on")
    ap.add_argument("--record", required=True, help="compatibility record for create-compatible")
    ap.add_argument("--uuid", required=True, help="the UUID create-compatible keeps")
    ap.add_argument("--stride", type=int, default=1, help="kill at every STRIDE-th call only")
    ap.add_argument("--tmp", default=os.environ.get("TMPDIR", "/tmp"))
    args = ap.parse_args()

    host = Host(args)
    host.put_definition(U_OTHER, OTHER_TEXT)
    scenarios = [Define(host), Modify(host), CreateCompatible(host, args.record, args.uuid)]
    total_runs = total_kills = 0
    t0 = time.monotonic()
    for s in scenarios:
        t = time.monotonic()
        n, runs, kills = walk(host, s, args.tmp, args.stride)
        total_runs += runs
        total_kills += kills
        print(f"{s.name}: {n} system calls, {runs} runs, {kills} killed, "
              f"{time.monotonic() - t:.1f} s")
    # A clean run of each leaves no temporary file anywhere: the last killed writer's goes too.
    for s in scenarios:
        s.prepare()
        p = host.run(s.argv)
        if p.returncode != 0:
            host.violation(s.name, f"the final run failed: {p.stderr.strip()}")
    temps = host.check_store("final", {})
    if temps:
        host.violation("final", f"temporary files left after clean runs: {temps}")
    for s in scenarios:
        s.cleanup()
    host.drop_definition(U_OTHER)
    print(f"total: {total_runs} runs, {total_kills} killed, {len(host.violations)} violations, "
          f"{time.monotonic() - t0:.1f} s")
    show = int(os.environ.get("KILL_LOOP_SHOW", "50"))
    for v in host.violations[:show]:
        print(f"VIOLATION {v}")
    if len(host.violations) > show:
        print(f"... and {len(host.violations) - show} more (KILL_LOOP_SHOW=N shows N)")
    return 1 if host.violations else 0


if __name__ == "__main__":
    sys.exit(main())
