#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate a large plain-file mdev host for the benchmarks.

    mkhost.py DIR [--parents P] [--types T] [--devices N] [--defined D] [--auto-parent A]
              [--sim-json FILE]

Lays out DIR/sys as the kernel lays out sysfs (the same shape as examples/mkhost.sh, at a
chosen size), plus DIR/etc/mdevctl.d and DIR/usr/lib/mdevctl/scripts.d:

  * P PCI parents 0000:XX:00.F (XX = 01..ff, then the next function F), each under
    sys/devices/pci0000:XX/, registered in
    sys/class/mdev_bus, with T types bench_<t> (name, description, device_api vfio-pci,
    available_instances, create);
  * N running devices spread round robin over parents and then types, each under its parent,
    linked from sys/bus/mdev/devices and from its type's devices/;
  * D stored definitions: the first min(D, N) are of running devices (every second one "auto",
    every fourth with two attributes), the rest are of devices that are not running;
  * with --auto-parent A: A more definitions, all "auto", of type bench_0 on the first parent
    (what start-parent-mdevs starts; give that parent enough available_instances with --types
    and the simulated host, see bench/run.sh);
  * with --sim-json FILE: the same parents and types as a host description for the simulated
    host (tests/sim/README.md), with the same available instances and no running devices, so
    that start-parent-mdevs can create the --auto-parent definitions on it.

UUIDs look random but are derived from the index (see uuid_of), so two trees of the same
size are identical.
"""
import argparse
import hashlib
import json
import os


def uuid_of(kind, i):
    """The UUID of device i of a kind (0 running, 1 defined only, 2 auto on the first parent).

    Random-looking like the version 4 UUIDs that libvirt and mdevctl generate (a common prefix
    would make every comparison of a sort walk 30 characters), but derived from the index so
    that two trees of the same size are identical: the first 32 hex digits of
    sha1("<kind>:<i>"), with the version and variant digits set."""
    h = hashlib.sha1(("%d:%d" % (kind, i)).encode()).hexdigest()[:32]
    h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) % 4] + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--parents", type=int, default=64)
    ap.add_argument("--types", type=int, default=8)
    ap.add_argument("--devices", type=int, default=0)
    ap.add_argument("--defined", type=int, default=0)
    ap.add_argument("--auto-parent", type=int, default=0)
    ap.add_argument("--sim-json", metavar="FILE")
    a = ap.parse_args()
    if a.parents < 1 or a.parents > 255 * 8 or a.types < 1:
        ap.error("1..2040 parents and at least one type")

    root = os.path.abspath(a.dir)
    sys_ = os.path.join(root, "sys")
    etc = os.path.join(root, "etc/mdevctl.d")
    for d in ("class/mdev_bus", "bus/mdev/devices"):
        os.makedirs(os.path.join(sys_, d), exist_ok=True)
    for base in (os.path.join(root, "etc/mdevctl.d/scripts.d"),
                 os.path.join(root, "usr/lib/mdevctl/scripts.d")):
        for sub in ("callouts", "notifiers"):
            os.makedirs(os.path.join(base, sub), exist_ok=True)

    parents = []
    sim_parents = []
    per_type = (a.devices + a.parents * a.types - 1) // (a.parents * a.types)
    for p in range(a.parents):
        # functions after buses: the first 255 parents keep the names tests compute
        bus, fn = p % 255 + 1, p // 255
        name = "0000:%02x:00.%d" % (bus, fn)
        devpath = "devices/pci0000:%02x/%s" % (bus, name)
        parents.append((name, devpath))
        os.makedirs(os.path.join(sys_, devpath, "mdev_supported_types"), exist_ok=True)
        os.symlink("../../" + devpath, os.path.join(sys_, "class/mdev_bus", name))
        sim_types = []
        sim_parents.append({"name": name, "path": devpath, "types": sim_types})
        for t in range(a.types):
            td = os.path.join(sys_, devpath, "mdev_supported_types", "bench_%d" % t)
            os.makedirs(os.path.join(td, "devices"))
            avail = 64 + (a.auto_parent if p == 0 and t == 0 else 0)
            desc = "slices=%d, framebuffer=%dM" % (t + 1, 512 << (t % 4))
            write(os.path.join(td, "available_instances"), "%d\n" % max(avail - per_type, 0))
            write(os.path.join(td, "device_api"), "vfio-pci\n")
            write(os.path.join(td, "name"), "Bench type %d\n" % t)
            write(os.path.join(td, "description"), desc + "\n")
            write(os.path.join(td, "create"), "")
            sim_types.append({"id": "bench_%d" % t, "name": "Bench type %d" % t,
                              "description": desc, "device_api": "vfio-pci", "instances": avail})

    for i in range(a.devices):
        pname, devpath = parents[i % a.parents]
        tname = "bench_%d" % ((i // a.parents) % a.types)
        u = uuid_of(0, i)
        dd = os.path.join(sys_, devpath, u)
        os.makedirs(dd)
        os.symlink("../mdev_supported_types/" + tname, os.path.join(dd, "mdev_type"))
        write(os.path.join(dd, "remove"), "")
        os.symlink("../../../" + u, os.path.join(sys_, devpath, "mdev_supported_types", tname, "devices", u))
        os.symlink("../../../" + devpath + "/" + u, os.path.join(sys_, "bus/mdev/devices", u))

    def define(parent, u, conf):
        os.makedirs(os.path.join(etc, parent), exist_ok=True)
        write(os.path.join(etc, parent, u), json.dumps(conf, indent=2))

    for i in range(a.defined):
        pname = parents[i % a.parents][0]
        tname = "bench_%d" % ((i // a.parents) % a.types)
        conf = {"mdev_type": tname, "start": "auto" if i % 2 else "manual", "attrs": []}
        if i % 4 == 3:
            conf["attrs"] = [{"slices": "2"}, {"label": "bench %d" % i}]
        define(pname, uuid_of(0 if i < a.devices else 1, i), conf)

    for i in range(a.auto_parent):
        define(parents[0][0], uuid_of(2, i), {"mdev_type": "bench_0", "start": "auto", "attrs": []})

    if a.sim_json:
        write(a.sim_json, json.dumps({"comment": "bench/mkhost.py --parents %d --types %d"
                                      % (a.parents, a.types), "parents": sim_parents}, indent=1))


if __name__ == "__main__":
    main()
