#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the JSON Schemas in schemas/ against the data the project ships and tests with, as TAP.

Valid: every rule file (compat.d/, examples/compat.d/, tests/sim/compat.d/), every valid fixture
of tests/data/compat (record-*, inventory-*, rules-*, plan-*: what `compat check --dumpjson` printed
for the record and inventory of mdevctl-compat(5) and an inventory cut short), and every migration_info value of the
simulated hosts (type facts: the rule schema's $defs/typeFacts). Invalid: each invalid-* fixture
is listed below as structural (the schema must reject it), semantic (only mdevctl's parser can
tell: the schema is not asked, the file need only be JSON) or syntax (not JSON at all); a fixture in no list fails, so that
a new one gets classified. The schemas are loaded from the tree and resolve their $refs among
themselves: nothing is fetched.

Usage: validate.py [SRCDIR]   (default: $MDEVCTL_SRCDIR, else the tree this file is in)
       validate.py --check KIND FILE...   (KIND: record, inventory, rules, facts, plan): each
           FILE against one schema; the errors on stderr, exit status 1 if any FILE fails.
           For the CLI tests, which check every --dumpjson output they make.
"""
import glob
import json
import os
import sys

# Invalid fixtures whose fault is in the document's shape: the schemas must reject them, and
# for the reason meant: some error of the validator must be at the path given ("" the top) or
# below it (jsonschema versions differ in how deep they report some errors).
STRUCTURAL = {
    "invalid-record-schema.json": ("record", "schema"),
    "invalid-record-kind-not-mdev.json": ("record", "self/kind"),
    "invalid-record-unknown-member-self.json": ("record", "self"),
    "invalid-record-unknown-member-top.json": ("record", ""),
    "invalid-record-pattern-uuid.json": ("record", "compatible/0"),
    "invalid-record-pci-id-not-hex.json": ("record", "self/pci/vendor"),
    "invalid-record-feature-twice.json": ("record", "self/features"),
    "invalid-record-migration-flag-unknown.json": ("record", "self/migration_flags/1"),
    "invalid-record-range-eq-with-min.json": ("record", "version_range"),
    "invalid-record-var-values-not-integers.json": ("record", "compatible/1/vars/0/values/1"),
    "invalid-record-too-many-patterns.json": ("record", "compatible"),
    "invalid-record-parent-dotdot.json": ("record", "self/parent"),
    "invalid-record-template-type-glob.json": ("record", "compatible/0/mdev_type"),
    "invalid-record-range-prerelease-only.json": ("record", "version_range"),
    "invalid-inventory-bad-state.json": ("inventory", "devices/0/state"),
    "invalid-inventory-negative-available.json":
        ("inventory", "parents/0/types/0/available_instances"),
    "invalid-inventory-unknown-member-type.json": ("inventory", "parents/0/types/0"),
    "invalid-rules-schema.json": ("rules", "schema"),
    "invalid-rules-glob-slash.json": ("rules", "types/0/mdev_type"),
    "invalid-rules-descriptor-mdev-type.json": ("rules", "types/0/descriptor"),
    "invalid-rules-descriptor-feature-not-string.json": ("rules", "types/2/descriptor/features/1"),
    "invalid-rules-record-self.json": ("rules", "types/0/record"),
    "invalid-rules-unknown-member-entry.json": ("rules", "types/0"),
    # a compatible plan has its choice: neither a plan nor an array of them
    "invalid-plan-compatible-without-chosen.json": ("plan", ""),
}
# Invalid for reasons a schema cannot see; mdevctl's parser refuses them (unit tests).
SEMANTIC = {
    "invalid-record-undeclared-variable.json": "a template names an undeclared variable",
    "invalid-record-version-not-semver.json": "version syntax depends on version_scheme",
    "invalid-record-too-deep.json": "nesting depth",
    "invalid-record-template-type-path.json": "what a template gives under a binding",
    "invalid-inventory-default-not-allowed.json": "a default outside the param's own range",
    "invalid-inventory-duplicate-uuid.json": "one UUID in two forms",
    "invalid-rules-undeclared-variable.json": "a template names an undeclared variable",
}
SYNTAX = {"invalid-record-syntax.json"}

# Type facts the schema must refuse, written inline: the format migration_info had before it
# meant type facts, and the two inventory members that facts never carry.
BAD_FACTS = [
    {"version": 1, "compatible_types": ["i915-GVTg_V5_1"]},
    {"mdev_type": "mtty-2"},
    {"available_instances": 1},
    {"settable_attrs": {"a": {"type": "any", "allowed": ["x"]}}},
]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, why=None):
        self.n += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, what))
        if not cond:
            self.failed += 1
            for line in (why or "").splitlines():
                print("#   " + line)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


# The documents of man/mdevctl-compat.5.in's EXAMPLES: the .EX block after each of these headings.
MAN_EXAMPLES = (("A rule file", "rules"), ("A record", "record"), ("An inventory", "inventory"))


def man_example(src, heading):
    """The text of the first .EX ... .EE block after `.SS <heading>`, roff escapes undone."""
    lines = open(os.path.join(src, "man", "mdevctl-compat.5.in"), encoding="utf-8").read().split("\n")
    i = lines.index(".SS " + heading, lines.index(".SH EXAMPLES"))
    start = lines.index(".EX", i) + 1
    end = lines.index(".EE", start)
    return "\n".join(lines[start:end]).replace("\\-", "-").replace("\\e", "\\")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def make_validators(src):
    from jsonschema import Draft202012Validator

    schemas = {}
    for name in ("mdev-compat-1", "mdev-inventory-1", "mdev-compat-rules-1", "mdev-compat-plan-1"):
        schemas[name] = load(os.path.join(src, "schemas", name + ".schema.json"))
    for s in schemas.values():
        Draft202012Validator.check_schema(s)
    rules_id = schemas["mdev-compat-rules-1"]["$id"]
    facts = {"$schema": "https://json-schema.org/draft/2020-12/schema",
             "$ref": rules_id + "#/$defs/typeFacts"}
    wanted = {"record": schemas["mdev-compat-1"], "inventory": schemas["mdev-inventory-1"],
              "rules": schemas["mdev-compat-rules-1"], "facts": facts,
              "plan": schemas["mdev-compat-plan-1"]}
    try:
        # jsonschema >= 4.18
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            [(s["$id"], Resource.from_contents(s)) for s in schemas.values()])
        return {k: Draft202012Validator(s, registry=registry) for k, s in wanted.items()}
    except ImportError:
        # Debian 12's jsonschema 4.10
        from jsonschema import RefResolver
        store = {s["$id"]: s for s in schemas.values()}
        return {k: Draft202012Validator(s, resolver=RefResolver.from_schema(s, store=store))
                for k, s in wanted.items()}


def error_list(validator, doc):
    """(path, message) of every error, the path as "a/0/b" ("" for the top)."""
    found = []

    def walk(errs):
        for e in errs:
            found.append(("/".join(str(p) for p in e.absolute_path), e.message))
            walk(e.context or [])
    walk(validator.iter_errors(doc))
    return found


def errors(validator, doc):
    return "\n".join("%s: %s" % (p or "$", m) for p, m in error_list(validator, doc))


def default_src():
    return (os.environ.get("MDEVCTL_SRCDIR")
            or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def check_files(kind, files):
    v = make_validators(default_src())[kind]
    bad = 0
    for f in files:
        why = errors(v, load(f))
        if why:
            bad += 1
            sys.stderr.write("%s is not a valid %s:\n%s\n" % (f, kind, why))
    return 1 if bad else 0


def main():
    if len(sys.argv) > 3 and sys.argv[1] == "--check":
        return check_files(sys.argv[2], sys.argv[3:])
    src = sys.argv[1] if len(sys.argv) > 1 else default_src()
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        print("Bail out! python3-jsonschema is not installed (Debian: python3-jsonschema)")
        return 1
    tap = Tap()
    try:
        v = make_validators(src)
    except Exception as e:  # a schema that is not one is a failure, not a crash
        print("Bail out! the schemas do not load: %s" % e)
        return 1
    tap.ok(True, "the four schemas are valid draft 2020-12 schemas")

    def valid(kind, doc, what):
        why = errors(v[kind], doc)
        tap.ok(not why, "%s is a valid %s" % (what, kind), why)

    for d in ("compat.d", "examples/compat.d", "tests/sim/compat.d"):
        files = sorted(glob.glob(os.path.join(src, d, "*.json")))
        tap.ok(files, "%s has rule files" % d)
        for f in files:
            valid("rules", load(f), os.path.relpath(f, src))

    data = os.path.join(src, "tests", "data", "compat")
    for kind, prefix in (("record", "record-"), ("inventory", "inventory-"), ("rules", "rules-"),
                         ("plan", "plan-")):
        files = sorted(glob.glob(os.path.join(data, prefix + "*.json")))
        tap.ok(files, "tests/data/compat has %s*.json" % prefix)
        for f in files:
            valid(kind, load(f), os.path.basename(f))

    for f in sorted(glob.glob(os.path.join(src, "tests", "sim", "hosts", "*.json"))):
        host = load(f)
        for p in host.get("parents", []):
            for t in p.get("types", []):
                if "migration_info" not in t:
                    continue
                mi = t["migration_info"]
                # the simulator shows a string as its text: that text must be the JSON
                if isinstance(mi, str):
                    try:
                        mi = json.loads(mi)
                    except ValueError as e:
                        tap.ok(False, "%s %s: migration_info is JSON" % (f, t["id"]), str(e))
                        continue
                valid("facts", mi, "migration_info of %s/%s in %s"
                      % (p["name"], t["id"], os.path.relpath(f, src)))

    for heading, kind in MAN_EXAMPLES:
        try:
            doc = json.loads(man_example(src, heading))
        except ValueError as e:
            tap.ok(False, "mdevctl-compat(5) example '%s' is JSON" % heading, str(e))
            continue
        valid(kind, doc, "mdevctl-compat(5) example '%s'" % heading)

    for i, facts in enumerate(BAD_FACTS):
        tap.ok(not v["facts"].is_valid(facts), "bad type facts %d are rejected: %s"
               % (i, json.dumps(facts)))

    for f in sorted(glob.glob(os.path.join(data, "invalid-*.json"))):
        name = os.path.basename(f)
        if name in STRUCTURAL:
            kind, where = STRUCTURAL[name]
            found = error_list(v[kind], load(f))
            tap.ok(any(p == where or (where and p.startswith(where + "/")) for p, _ in found),
                   "%s is rejected by the %s schema at %s" % (name, kind, where or "the top"),
                   errors(v[kind], load(f)) or "accepted")
        elif name in SEMANTIC:
            load(f)
            tap.ok(True, "%s: semantic (%s), left to mdevctl's parser" % (name, SEMANTIC[name]))
        elif name in SYNTAX:
            try:
                load(f)
                tap.ok(False, "%s is not JSON" % name)
            except ValueError:
                tap.ok(True, "%s is not JSON" % name)
        else:
            tap.ok(False, "%s is classified in tests/schema/validate.py" % name)
    for name in sorted(set(STRUCTURAL) | set(SEMANTIC) | SYNTAX):
        if not os.path.exists(os.path.join(data, name)):
            tap.ok(False, "%s (listed in validate.py) exists" % name)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
