#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The one place where the known differences between Debian's mdevctl 1.2.0 and this
implementation (which follows upstream 1.4.0) are normalised away before the differential test
compares the two. Any difference not listed here fails the test.

Known differences, and what is done about each:

 1. Trailing newline. 1.2.0 prints `list`/`types` output with println!, so it ends with one
    extra "\\n" (an empty listing is a lone "\\n"); 1.4.0 prints the output as it is. The extra
    newline is removed from 1.2.0's stdout of list, types and lsmdev.
 2. Attributes of running devices. 1.2.0 shows a running device's *definition* attributes in
    `list` (text -v and --dumpjson); 1.4.0 shows only what a get-attributes callout reports
    (nothing without one). Attributes are dropped from both sides' active listings.
 3. Usage errors (exit status 2) are worded by each version's argument parser: only the status
    is compared.
 4. Runtime error messages that changed between the versions are mapped to the 1.4.0 text:
    - define --jsonfile of a missing file: `Unable to read jsonfile "F"` -> `Unable to read file "F"`;
    - stop of a device that does not run: `Error removing device U` -> `Device U is not an
      active mdev`;
    Only the first line of stderr (the `Error: ...` line) is compared: 1.4.0 adds a listing
    of the attributes under an invalid-index error, and `Caused by:` blocks come from the OS.
 5. Crashes. Where 1.2.0 panics (exit status 101: a non-string value in a JSON file), 1.4.0
    and this implementation report an error (status 1). Status 101 with a panic message
    counts as equal to status 1 with any `Error:` line.
 6. Generated UUIDs differ between runs: every UUID that the scenario does not name is
    replaced by <uuid-N>, numbered by first appearance on each side.
 7. Log lines on stderr are compared without their timestamps: level, module and message.
    1.3.0 moved the scans of definitions from upstream's main module to its environment module,
    so 1.2.0's warnings of a scan, which name "mdevctl", are mapped to "mdevctl::environment".
 8. What 1.2.0 does not have cannot be compared: options added in 1.3.0 (`-f/--force`,
    `modify --jsonfile/--live/--defined`), the /usr/lib callout directory, and the versioned
    callout protocol. The scenarios do not use them; the CLI tests cover them.
 9. Deliberate improvements (a corrupt definition skipped instead of failing the listing,
    checked names) are not exercised here either: they are listed in the README and tested by
    the CLI tests. start-parent-mdevs skips the devices that already run (README), where
    1.2.0 tries and warns `Device already exists`: that warning is dropped.

Usage:
  normalise.py cmd KNOWN_UUIDS MAPFILE SIDE ARGV_JSON OUT ERR RC   -> prints normalised JSON
  normalise.py tree KNOWN_UUIDS MAPFILE DIR                        -> definitions, normalised
  normalise.py state KNOWN_UUIDS MAPFILE STATEFILE                 -> devices, normalised
  normalise.py files KNOWN_UUIDS MAPFILE DIR                       -> a plain tree's files
"""
import json
import os
import re
import sys

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Uuids:
    """Rename the UUIDs a scenario does not name, in order of first appearance (point 6)."""

    def __init__(self, known, mapfile):
        self.known = {u.lower() for u in known.split(",") if u}
        self.mapfile = mapfile
        try:
            with open(mapfile) as f:
                self.map = json.load(f)
        except FileNotFoundError:
            self.map = {}

    def sub(self, text):
        def one(m):
            u = m.group(0).lower()
            if u in self.known:
                return u
            if u not in self.map:
                self.map[u] = "<uuid-%d>" % (len(self.map) + 1)
            return self.map[u]

        return UUID_RE.sub(one, text)

    def save(self):
        with open(self.mapfile, "w") as f:
            json.dump(self.map, f)


def verb(argv):
    return argv[0] if argv else ""


def is_active_list(argv):
    return verb(argv) == "list" and "-d" not in argv and "--defined" not in argv and not any(
        a.startswith("-") and not a.startswith("--") and "d" in a for a in argv[1:]
    )


def drop_attrs_text(out):
    return "".join(
        l for l in out.splitlines(True) if not (l.startswith("  Attrs:") or l.startswith("    @{"))
    )


def drop_attrs_json(out):
    try:
        v = json.loads(out)
    except ValueError:
        return out

    def walk(x):
        if isinstance(x, dict):
            if "mdev_type" in x and "attrs" in x:
                x["attrs"] = []
            for y in x.values():
                walk(y)
        elif isinstance(x, list):
            for y in x:
                walk(y)

    walk(v)
    return json.dumps(v, indent=2)


LOG_RE = re.compile(r"^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ([A-Z]+) +([a-z_:]+)\] (.*)$")
# The warnings of the scans that 1.3.0 moved from main.rs to environment.rs (point 7)
SCAN_WARNINGS = ("Can't determine uuid for file ", "unable to access file ", "Unable to open file ",
                 "Unable to read directory ")


def log_lines(side, argv, err):
    lines = []
    for line in err.splitlines():
        m = LOG_RE.match(line)
        if not m:
            continue
        level, module, msg = m.groups()
        if side == "upstream" and module == "mdevctl" and msg.startswith(SCAN_WARNINGS):
            module = "mdevctl::environment"
        if side == "upstream" and verb(argv) == "start-parent-mdevs" and \
                msg == "Device already exists":  # 9
            continue
        lines.append("%s %s: %s" % (level, module, msg))
    return lines


def first_error_line(err):
    for line in err.splitlines():
        if line.startswith("Error: "):
            return line
    return ""


def cmd(known, mapfile, side, argv_json, out_path, err_path, rc):
    argv = json.loads(argv_json)
    out = open(out_path, encoding="utf-8", errors="replace").read()
    err = open(err_path, encoding="utf-8", errors="replace").read()
    rc = int(rc)
    u = Uuids(known, mapfile)

    if side == "upstream" and verb(argv) in ("list", "types") and out.endswith("\n"):  # 1
        out = out[:-1]
    if is_active_list(argv):  # 2
        out = drop_attrs_json(out) if "--dumpjson" in argv else drop_attrs_text(out)
    elif "--dumpjson" in argv and out:
        try:  # compare JSON documents by value after the renaming, layout is compared too
            json.loads(out)
        except ValueError:
            pass

    error = ""
    if rc == 2:  # 3
        error = "<usage error>"
    elif side == "upstream" and rc == 101 and "panicked" in err:  # 5
        rc, error = 1, "<error>"
    elif rc != 0:
        error = first_error_line(err)
        if side == "upstream":  # 4
            error = re.sub(r'^Error: Unable to read jsonfile "', 'Error: Unable to read file "', error) \
                if verb(argv) == "define" else error
            if verb(argv) == "stop":
                error = re.sub(r"^Error: Error removing device (\S+)$",
                               r"Error: Device \1 is not an active mdev", error)
    result = {"status": rc, "stdout": u.sub(out), "error": u.sub(error),
              "log": [u.sub(l) for l in log_lines(side, argv, err)]}
    u.save()
    print(json.dumps(result, indent=1, sort_keys=True))


def tree(known, mapfile, d):
    u = Uuids(known, mapfile)
    files = {}
    for parent in sorted(os.listdir(d)):
        pd = os.path.join(d, parent)
        if parent == "scripts.d" or not os.path.isdir(pd):
            continue
        for name in sorted(os.listdir(pd)):
            with open(os.path.join(pd, name), encoding="utf-8", errors="replace") as f:
                files[u.sub(parent + "/" + name)] = u.sub(f.read())
    u.save()
    print(json.dumps(dict(sorted(files.items())), indent=1))


def state(known, mapfile, path):
    u = Uuids(known, mapfile)
    with open(path) as f:
        s = json.load(f)
    devices = sorted(
        (u.sub(d["uuid"]), d["parent"], d["type"], json.dumps(d.get("attributes", {}), sort_keys=True))
        for d in s["devices"]
    )
    u.save()
    print(json.dumps(devices, indent=1))


def files(known, mapfile, d):
    u = Uuids(known, mapfile)
    found = {}
    for top, dirs, names in os.walk(d):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(top, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, encoding="utf-8", errors="replace") as f:
                    found[u.sub(os.path.relpath(path, d))] = u.sub(f.read())
    u.save()
    print(json.dumps(dict(sorted(found.items())), indent=1))


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    {"cmd": cmd, "tree": tree, "state": state, "files": files}[what](*args)
