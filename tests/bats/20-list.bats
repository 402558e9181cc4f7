#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# list: active and defined devices, text and JSON, filters, ordering, marks.

load helpers

setup() {
	mkhost
	OUT=$BATS_TEST_TMPDIR/out
}

# --- the example host, byte for byte ------------------------------------------

@test "list: active devices, with (defined) marks" {
	run --separate-stderr "$MDEVCTL" list
	assert_success
	assert_equal "$stderr" ""
	"$MDEVCTL" list >"$OUT"
	assert_golden "$OUT" list/active.txt
}

@test "list -v: active devices show no definition attributes (no get-attributes callout)" {
	"$MDEVCTL" list -v >"$OUT"
	assert_golden "$OUT" list/active.txt
}

@test "list -d: defined devices, with (active) marks" {
	"$MDEVCTL" list -d >"$OUT"
	assert_golden "$OUT" list/defined.txt
}

@test "list -d -v: attributes of definitions" {
	"$MDEVCTL" list -d -v >"$OUT"
	assert_golden "$OUT" list/defined-verbose.txt
}

@test "list --dumpjson: active devices, start from the definition, no attributes" {
	"$MDEVCTL" list --dumpjson >"$OUT"
	assert_golden "$OUT" list/active.json
}

@test "list -d --dumpjson: all definitions" {
	"$MDEVCTL" list -d --dumpjson >"$OUT"
	assert_golden "$OUT" list/defined.json
}

@test "list -d --dumpjson -u: a single match is printed as the bare configuration" {
	"$MDEVCTL" list -d --dumpjson -u "$U_AP" >"$OUT"
	assert_golden "$OUT" list/defined-uuid.json
	# which is the definition file, byte for byte
	cmp "$OUT" "$(definition_path "$P_AP" "$U_AP")"
}

@test "list --dumpjson -u: a single active match is printed as the bare configuration" {
	"$MDEVCTL" list --dumpjson -u "$U_AP" >"$OUT"
	assert_golden "$OUT" list/active-uuid.json
}

@test "list --dumpjson -u of an active undefined device" {
	"$MDEVCTL" list --dumpjson -u "$U_GVT4" >"$OUT"
	assert_bytes "$OUT" '{
  "mdev_type": "i915-GVTg_V5_4",
  "start": "manual",
  "attrs": []
}'
}

@test "list -d -u on two parents prints the full form; -p picks one" {
	add_definition "$P_GVT" "$U1" "$(def_json "$T_GVT4" manual)"
	add_definition "$P_AP" "$U1" "$(def_json "$T_AP" auto)"
	"$MDEVCTL" list -d --dumpjson -u "$U1" >"$OUT"
	assert_golden "$OUT" list/two-parents.json
	"$MDEVCTL" list -d --dumpjson -u "$U1" -p "$P_AP" >"$OUT"
	assert_golden "$OUT" list/two-parents-matrix.json
	"$MDEVCTL" list -d -u "$U1" >"$OUT"
	assert_bytes "$OUT" "$U1 0000:00:02.0 i915-GVTg_V5_4 manual
$U1 matrix vfio_ap-passthrough auto
"
}

@test "list -p: only that parent" {
	"$MDEVCTL" list -p "$P_GVT" >"$OUT"
	assert_bytes "$OUT" "711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto (defined)
950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 manual
"
	"$MDEVCTL" list -d -p mtty >"$OUT"
	assert_bytes "$OUT" "e27825ad-d57e-4e68-9f06-a0b962f030b3 mtty mtty-2 auto
"
}

@test "list -p: the parent filter is exact and case-sensitive" {
	"$MDEVCTL" list -d -p MATRIX >"$OUT"
	assert_bytes "$OUT" ""
	"$MDEVCTL" list -d -p matri >"$OUT"
	assert_bytes "$OUT" ""
}

@test "list -u and -p together" {
	"$MDEVCTL" list -u "$U_AP" -p "$P_AP" >"$OUT"
	assert_bytes "$OUT" "cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
"
	"$MDEVCTL" list -u "$U_AP" -p "$P_GVT" >"$OUT"
	assert_bytes "$OUT" ""
	"$MDEVCTL" list -u "$U_AP" -p "$P_GVT" --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
}

# --- empty results: 1.4.0 prints nothing extra ----------------------------------

@test "no match: text output is empty (0 bytes), JSON is [] without newline" {
	"$MDEVCTL" list -u "$U1" >"$OUT"
	assert_bytes "$OUT" ""
	"$MDEVCTL" list -d -u "$U1" >"$OUT"
	assert_bytes "$OUT" ""
	"$MDEVCTL" list -u "$U1" --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
	"$MDEVCTL" list -d -u "$U1" --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
	"$MDEVCTL" list -d -p nonexistent --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
}

@test "bare host: nothing active, nothing defined" {
	rm -rf "$ROOT"
	mkhost --bare
	local args
	for args in "list" "list -d" "list -v" "list -dv"; do
		# shellcheck disable=SC2086
		"$MDEVCTL" $args >"$OUT"
		assert_bytes "$OUT" ""
	done
	"$MDEVCTL" list --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
	"$MDEVCTL" list --dumpjson -d >"$OUT"
	assert_bytes "$OUT" "[]"
}

@test "missing /sys/bus/mdev/devices means no active devices" {
	rm -rf "$SYS/bus"
	run --separate-stderr "$MDEVCTL" list
	assert_success
	assert_output ""
	"$MDEVCTL" list --dumpjson >"$OUT"
	assert_bytes "$OUT" "[]"
}

@test "no sysfs at all: list -d still lists definitions" {
	rm -rf "$SYS"
	"$MDEVCTL" list -d >"$OUT"
	assert_bytes "$OUT" "711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual
e27825ad-d57e-4e68-9f06-a0b962f030b3 mtty mtty-2 auto
"
}

# --- ordering ---------------------------------------------------------------------

@test "list -d: parents sorted byte-wise, devices sorted by UUID" {
	local t
	add_definition matrix "$U2" "$(def_json t1 manual)"
	add_definition Zed "$U3" "$(def_json t2 manual)"
	add_definition "$P_GVT" "$U2" "$(def_json t3 manual)"
	add_definition "$P_GVT" "$U1" "$(def_json t4 manual)"
	add_definition aa "$U1" "$(def_json t5 manual)"
	add_definition _x "$U1" "$(def_json t6 manual)"
	"$MDEVCTL" list -d >"$OUT"
	assert_golden "$OUT" list/sorted.txt
}

@test "list: active devices sorted by parent then UUID" {
	add_parent aaa
	add_type aaa t-a 1 vfio-pci
	add_device aaa t-a "$U2"
	add_device aaa t-a "$U1"
	add_device "$P_AP" "$T_AP" "$U3"
	"$MDEVCTL" list >"$OUT"
	assert_bytes "$OUT" "711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto (defined)
950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 manual
$U1 aaa t-a manual
$U2 aaa t-a manual
$U3 matrix vfio_ap-passthrough manual
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
"
}

# --- (defined) / (active) marks and what active listings take from definitions ------

@test "active list: (defined) needs a definition under the running parent only" {
	# a definition of the running U_GVT4 under another parent does not count
	add_definition "$P_MTTY" "$U_GVT4" "$(def_json "$T_GVT4" auto)"
	"$MDEVCTL" list -u "$U_GVT4" >"$OUT"
	assert_bytes "$OUT" "950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 manual
"
}

@test "active list: a definition with another type still marks (defined), running type and defined start shown" {
	add_definition "$P_GVT" "$U_GVT4" "$(def_json "$T_GVT8" auto a=1)"
	run --separate-stderr "$MDEVCTL" list -v -u "$U_GVT4"
	assert_success
	"$MDEVCTL" list -v -u "$U_GVT4" >"$OUT"
	assert_bytes "$OUT" "950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_4 auto (defined)
"
	"$MDEVCTL" list --dumpjson -u "$U_GVT4" >"$OUT"
	assert_bytes "$OUT" '{
  "mdev_type": "i915-GVTg_V5_4",
  "start": "auto",
  "attrs": []
}'
}

@test "defined list: (active) needs the same parent and the same type" {
	# same uuid running with another type on the same parent: not active
	add_definition "$P_GVT" "$U_GVT4" "$(def_json "$T_GVT8" manual)"
	# running on another parent: not active
	add_definition "$P_MTTY" "$U_AP" "$(def_json "$T_AP" manual)"
	"$MDEVCTL" list -d -u "$U_GVT4" >"$OUT"
	assert_bytes "$OUT" "950dd676-e30c-4b08-bebe-a4530f22422c 0000:00:02.0 i915-GVTg_V5_8 manual
"
	"$MDEVCTL" list -d -u "$U_AP" >"$OUT"
	assert_bytes "$OUT" "cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (active)
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 mtty vfio_ap-passthrough manual
"
}

@test "a device directory without mdev_type link is not active" {
	add_device_dir "$U1" assign_adapter
	add_definition "$P_MTTY" "$U1" "$(def_json "$T_MTTY1" manual)"
	run --separate-stderr "$MDEVCTL" list -u "$U1"
	assert_success
	assert_output ""
	"$MDEVCTL" list -d -u "$U1" >"$OUT"
	assert_bytes "$OUT" "$U1 mtty mtty-1 manual
"
	"$MDEVCTL" list >"$OUT"
	assert_golden "$OUT" list/active.txt
}

# --- definition contents ----------------------------------------------------------

@test "any start value but \"auto\" is listed as manual" {
	add_definition "$P_MTTY" "$U1" '{"mdev_type":"mtty-1","start":"bogus","attrs":[]}'
	add_definition "$P_MTTY" "$U2" '{"mdev_type":"mtty-1","start":1}'
	add_definition "$P_MTTY" "$U3" '{"mdev_type":"mtty-1","start":"AUTO","attrs":null}'
	"$MDEVCTL" list -d -p mtty >"$OUT"
	assert_bytes "$OUT" "$U1 mtty mtty-1 manual
$U2 mtty mtty-1 manual
$U3 mtty mtty-1 manual
e27825ad-d57e-4e68-9f06-a0b962f030b3 mtty mtty-2 auto
"
	"$MDEVCTL" list -d --dumpjson -u "$U2" >"$OUT"
	assert_bytes "$OUT" '{
  "mdev_type": "mtty-1",
  "start": "manual",
  "attrs": []
}'
}

@test "compact definitions with extra keys are listed in the canonical form" {
	add_definition "$P_MTTY" "$U1" '{"zzz":{"x":1},"attrs":[{"b":"2"},{"a":"1"},{"b":"3"}],"start":"auto","mdev_type":"mtty-1"}'
	"$MDEVCTL" list -d --dumpjson -u "$U1" >"$OUT"
	assert_bytes "$OUT" '{
  "mdev_type": "mtty-1",
  "start": "auto",
  "attrs": [
    {
      "b": "2"
    },
    {
      "a": "1"
    },
    {
      "b": "3"
    }
  ]
}'
	"$MDEVCTL" list -d -v -u "$U1" >"$OUT"
	assert_bytes "$OUT" "$U1 mtty mtty-1 auto
  Attrs:
    @{0}: {\"b\":\"2\"}
    @{1}: {\"a\":\"1\"}
    @{2}: {\"b\":\"3\"}
"
}

@test "JSON output escapes like serde_json: quotes, backslashes, control characters; UTF-8 raw" {
	add_definition "$P_MTTY" "$U2" '{"mdev_type":"mtty-2","start":"auto","attrs":[{"k\"q":"v\\al/ue"},{"ctl":"a\u0001b\tc\nd\re\u0008f\u000cg\u007fh"},{"utf":"é€😀"}]}'
	"$MDEVCTL" list -d --dumpjson -u "$U2" >"$OUT"
	assert_golden "$OUT" list/escapes.json
}

@test "verbose listing prints attribute names and values raw" {
	add_definition "$P_MTTY" "$U3" '{"mdev_type":"mtty-2","start":"auto","attrs":[{"k\"q":"v\\al/ue"},{"utf":"é€"}]}'
	"$MDEVCTL" list -dv -u "$U3" >"$OUT"
	assert_golden "$OUT" list/raw-attrs-verbose.txt
}

@test "definitions in the full JSON form keep attributes" {
	"$MDEVCTL" list -d --dumpjson -p matrix >"$OUT"
	assert_bytes "$OUT" '[
  {
    "matrix": [
      {
        "cae40e88-cd1f-45fc-96b7-d2a145bff9f4": {
          "mdev_type": "vfio_ap-passthrough",
          "start": "manual",
          "attrs": [
            {
              "assign_adapter": "5"
            },
            {
              "assign_domain": "0xab"
            },
            {
              "assign_control_domain": "0xab"
            }
          ]
        }
      }
    ]
  }
]'
}

# --- what the scan skips ---------------------------------------------------------------

@test "non-UUID files in a parent directory are warned about and skipped" {
	add_definition "$P_MTTY" not-a-uuid "$(def_json "$T_MTTY1" manual)"
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	assert_warn "Can't determine uuid for file 'not-a-uuid'"
	"$MDEVCTL" list -d >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/defined.txt
}

@test "non-UUID entries in /sys/bus/mdev/devices are warned about and skipped" {
	mkdir -p "$SYS/bus/mdev/devices/bogus"
	run --separate-stderr "$MDEVCTL" list
	assert_success
	assert_warn "Can't determine uuid for file 'bogus'"
	"$MDEVCTL" list >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/active.txt
}

@test "symlinks in /etc/mdevctl.d are neither parents nor definitions" {
	mkdir -p "$ROOT/elsewhere/dir"
	printf '%s' "$(def_json "$T_MTTY1" manual)" >"$ROOT/elsewhere/dir/$U1"
	printf '%s' "$(def_json "$T_MTTY1" manual)" >"$ROOT/elsewhere/$U2"
	ln -s ../../elsewhere/dir "$ETC/linkparent"
	ln -s "../../../elsewhere/$U2" "$ETC/$P_MTTY/$U2"
	"$MDEVCTL" list -d >"$OUT"
	assert_golden "$OUT" list/defined.txt
}

@test "plain files directly in /etc/mdevctl.d are ignored" {
	printf '%s' "$(def_json "$T_MTTY1" manual)" >"$ETC/$U1"
	printf 'junk' >"$ETC/README"
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	"$MDEVCTL" list -d >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/defined.txt
}

@test "a stray file in scripts.d does not break listing" {
	printf '#!/bin/sh\n' >"$ETC/scripts.d/stray.sh"
	run --separate-stderr "$MDEVCTL" list -d
	assert_success
	"$MDEVCTL" list -d >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/defined.txt
}

@test "a dangling bus link is skipped silently" {
	ln -s ../../../devices/nowhere/"$U1" "$SYS/bus/mdev/devices/$U1"
	run --separate-stderr "$MDEVCTL" list
	assert_success
	refute_warn
	"$MDEVCTL" list >"$OUT"
	assert_golden "$OUT" list/active.txt
}

@test "a running device whose parent disappeared is not listed" {
	add_parent gone
	add_type gone t-g 1 vfio-pci
	add_device gone t-g "$U1"
	rm -rf "$(parent_dir gone)"
	run --separate-stderr "$MDEVCTL" list
	assert_success
	refute_warn
	"$MDEVCTL" list >"$OUT" 2>/dev/null
	assert_golden "$OUT" list/active.txt
}

@test "a running device whose mdev_type link dangles is not active" {
	ln -sfn ../mdev_supported_types/gone "$(parent_dir "$P_GVT")/$U_GVT4/mdev_type"
	run --separate-stderr "$MDEVCTL" list
	assert_success
	"$MDEVCTL" list >"$OUT" 2>/dev/null
	assert_bytes "$OUT" "711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto (defined)
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
"
}

@test "a running device whose mdev_type link cannot be resolved is not listed" {
	ln -sfn mdev_type "$(parent_dir "$P_GVT")/$U_GVT4/mdev_type"
	run --separate-stderr "$MDEVCTL" list
	assert_success
	"$MDEVCTL" list >"$OUT" 2>/dev/null
	assert_bytes "$OUT" "711529ad-e871-4cfe-85ac-c30a44ab9567 0000:00:02.0 i915-GVTg_V5_8 auto (defined)
cae40e88-cd1f-45fc-96b7-d2a145bff9f4 matrix vfio_ap-passthrough manual (defined)
"
}

@test "an empty parent directory lists nothing for that parent" {
	mkdir -p "$ETC/emptyparent"
	"$MDEVCTL" list -d --dumpjson >"$OUT"
	assert_golden "$OUT" list/defined.json
}

@test "lsmdev with filters equals mdevctl list" {
	"$LSMDEV" -p "$P_GVT" >"$OUT"
	"$MDEVCTL" list -p "$P_GVT" >"$OUT.2"
	cmp "$OUT" "$OUT.2"
	"$LSMDEV" --dumpjson -u "$U_GVT8" >"$OUT"
	assert_bytes "$OUT" '{
  "mdev_type": "i915-GVTg_V5_8",
  "start": "auto",
  "attrs": []
}'
}
