#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check files against what OpenStack Nova accepts as a provider config file (version 1.x).

The constraints are this project's restatement of what Nova checks when nova-compute loads
/etc/nova/provider_config/*.yaml: the JSON Schema draft 7 SCHEMA_V1 and the checks after it in
nova/compute/provider_config.py (_parse_provider_yaml, _validate_provider_config,
get_provider_configs), as documented in Nova's "Provider Configuration File" admin guide.
Restated, not copied, and stricter where mdevctl's output has no reason to use a freedom
(inventories, a uuid identification, extra members): a file that passes here loads in Nova.

Usage: nova-provider-config.py FILE...   exit status 1, the reasons on stderr, if one fails.
"""
import re
import sys

import jsonschema
import yaml

TRAIT = "^[A-Z0-9_]{1,255}$"
SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["meta"],
    "properties": {
        # major version 1, any minor; Nova warns about a minor it does not know (it knows 0)
        "meta": {"type": "object", "required": ["schema_version"],
                 "properties": {"schema_version": {"type": "string",
                                                   "pattern": r"^1\.([0-9]|[1-9][0-9]+)$"}}},
        # reserved for Nova itself
        "__source_file": {"not": {}},
        "providers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["identification"],
                "properties": {
                    # exactly one way to name a provider; a name of 1 to 200 characters
                    "identification": {
                        "type": "object", "minProperties": 1, "maxProperties": 1,
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 200},
                            "uuid": {"type": "string"},
                        },
                    },
                    "traits": {"type": "object", "properties": {
                        "additional": {"type": "array",
                                       "items": {"type": "string", "pattern": TRAIT}}}},
                },
            },
        },
    },
}


def problems(doc):
    found = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "$", e.message)
             for e in jsonschema.Draft7Validator(SCHEMA).iter_errors(doc)]
    if found:
        return found
    if doc["meta"]["schema_version"] != "1.0":
        found.append("meta/schema_version: %s, not the 1.0 Nova knows"
                     % doc["meta"]["schema_version"])
    seen = set()
    for i, p in enumerate(doc.get("providers") or []):
        ident = p["identification"]
        pid = ident.get("name") or ident.get("uuid")
        if pid in seen:
            found.append("providers/%d: %s named twice" % (i, pid))
        seen.add(pid)
        traits = (p.get("traits") or {}).get("additional") or []
        # only custom traits; a provider with nothing to add is ignored (with a warning)
        for t in traits:
            if not re.match(r"^CUSTOM_[A-Z0-9_]+$", t):
                found.append("providers/%d: %s is not a custom trait" % (i, t))
        if not traits and not (p.get("inventories") or {}).get("additional"):
            found.append("providers/%d: no traits: Nova ignores it" % i)
    return found


def main():
    bad = 0
    for f in sys.argv[1:]:
        try:
            with open(f, encoding="utf-8") as fh:
                doc = yaml.safe_load(fh)
        except (OSError, yaml.YAMLError) as e:
            sys.stderr.write("%s: not YAML: %s\n" % (f, e))
            bad += 1
            continue
        why = problems(doc) if isinstance(doc, dict) else ["not a mapping"]
        for w in why:
            sys.stderr.write("%s: %s\n" % (f, w))
        bad += bool(why)
    return 1 if bad or len(sys.argv) < 2 else 0


if __name__ == "__main__":
    sys.exit(main())
