#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Migration compatibility on simulated hosts laid out like the ones people have, with no vendor
# rule file at all: NVIDIA T4 GPUs before and after a driver update within the 550 branch
# (tests/sim/hosts/nvidia-t4-src.json, nvidia-t4-dst.json: one destination GPU full), the vfio_ap
# matrix of an s390x host whose devices carry write-only attributes (example.json), vfio-ccw
# subchannels (vfio-ccw.json) and a GVT-g parent (example.json). What sysfs shows is all there is:
# each device must find its own type, its attributes and its driver version included, and
# create-compatible must make it.

load helpers
load "$BATS_TEST_DIRNAME/../sim/sim-helpers"

NV=b1a7c6e2-5d0f-4c3e-9a51-7e40000223a1 # the source VM's GRID T4-2B
GPU0=0000:3b:00.0                       # full on the destination
GPU1=0000:d8:00.0

setup() {
	sim_require
	SRC=$BATS_TEST_TMPDIR/src
	DST=$BATS_TEST_TMPDIR/dst
}

teardown() {
	sim_stop_all
}

on_src() { MDEVCTL_ENV_ROOT=$SRC "$MDEVCTL" "$@"; }
on_dst() { MDEVCTL_ENV_ROOT=$DST "$MDEVCTL" "$@"; }

# hosts SRC-HOST DST-HOST: start both simulated hosts
hosts() {
	sim_start "$SIM_HOSTS/$1.json" "$SRC" || fail "the source did not start"
	sim_start "$SIM_HOSTS/$2.json" "$DST" || fail "the destination did not start"
}

# record UUID: the source's record of UUID into $BATS_TEST_TMPDIR/rec.json
record() {
	on_src compat show -u "$1" >"$BATS_TEST_TMPDIR/rec.json" || fail "compat show -u $1 failed"
}

# devices ROOT: "uuid parent type" per line, sorted
devices() {
	sim_state "$1" | jq -r '.devices[] | "\(.uuid) \(.parent) \(.type)"' | sort
}

@test "nvidia T4: the record states the driver's version as dotted, from /sys/module/nvidia" {
	hosts nvidia-t4-src nvidia-t4-dst
	assert_equal "$(cat "$SRC/sys/module/nvidia/version")" 550.54.14
	record "$NV"
	assert_equal "$(jq -c . "$BATS_TEST_TMPDIR/rec.json" | jq -c 'del(.generated)')" \
		'{"schema":"mdev-compat/1","self":{"kind":"mdev","device_api":"vfio-pci","driver":{"name":"nvidia","version":"550.54.14","version_scheme":"dotted"},"mdev_type":"nvidia-223","uuid":"'"$NV"'","parent":"'"$GPU0"'"}}'
}

@test "nvidia T4: after the update to 550.127.05, the full GPU is passed over and the free one takes the device" {
	hosts nvidia-t4-src nvidia-t4-dst
	record "$NV"
	assert_equal "$(cat "$DST/sys/module/nvidia/version")" 550.127.05
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	assert_equal "$(jq -c '[.verdict, .chosen]' <<<"$output")" \
		'["compatible",{"action":"create","parent":"'"$GPU1"'","mdev_type":"nvidia-223","attrs":[],"uuid":"'"$NV"'","uuid_changed":false,"pattern":0,"binding":{},"cost":1}]'
	assert_equal "$(jq -c .rejections <<<"$output")" \
		'[{"pattern":0,"binding":{},"parent":"'"$GPU0"'","mdev_type":"nvidia-223","reasons":["NO_CAPACITY:0<1"]}]'

	devices "$DST" >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_output "$NV"
	assert_equal "$(devices "$DST")" "$(printf '%s\n' "$(cat "$BATS_TEST_TMPDIR/before")" "$NV $GPU1 nvidia-223" | sort)"
	assert_bytes "$DST/etc/mdevctl.d/$GPU1/$NV" '{
  "mdev_type": "nvidia-223",
  "start": "manual",
  "attrs": []
}'
	# the GPU now runs T4-2B vGPUs only, as a T4 does
	assert_equal "$(cat "$DST/sys/class/mdev_bus/$GPU1/mdev_supported_types/"nvidia-22{2,3}/available_instances | tr '\n' ' ')" "0 7 "
	run --separate-stderr on_dst list -d
	assert_output "$NV $GPU1 nvidia-223 manual (active)"
}

@test "nvidia T4: both GPUs full is no capacity; with the source's UUID kept but taken, blocked, not incompatible" {
	hosts nvidia-t4-src nvidia-t4-dst
	record "$NV"
	# another VM's T4-1B on the free GPU: a T4 runs one type at a time, so no T4-2B fits there
	on_dst start -u "$U1" -p "$GPU1" -t nvidia-222 || fail "start"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_equal "$status" 4
	assert_equal "$(jq -c '[.verdict, [.rejections[].reasons]]' <<<"$output")" \
		'["no-capacity",[["NO_CAPACITY:0<1"],["NO_CAPACITY:0<1"]]]'
	# the source's UUID defined here already: under --keep-uuid no target can ever have it now,
	# but neither reason is one never to come back
	on_dst define -u "$NV" -p "$GPU1" -t nvidia-222 || fail "define"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/rec.json" --keep-uuid --dumpjson
	assert_equal "$status" 5
	assert_equal "$(jq -c '[.verdict, [.rejections[].reasons]]' <<<"$output")" \
		'["blocked",[["NO_CAPACITY:0<1","UUID_CONFLICT"],["NO_CAPACITY:0<1","UUID_CONFLICT"]]]'
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --keep-uuid
	assert_equal "$status" 5
	[[ $stderr == "Error: No device of this host can take the migration (blocked)"* ]] || fail "$stderr"
}

@test "nvidia T4: another driver branch is refused live, accepted cold; the traits a check needs are offered" {
	hosts nvidia-t4-src nvidia-t4-dst
	record "$NV"
	jq '.self.driver.version = "535.183.06"' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/old.json"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/old.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '[.rejections[].reasons]' <<<"$output")" \
		'[["VERSION_OUT_OF_RANGE","NO_CAPACITY:0<1"],["VERSION_OUT_OF_RANGE"]]'
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/old.json" --mode cold --dumpjson
	assert_success
	assert_equal "$(jq -r .chosen.parent <<<"$output")" "$GPU1"

	on_src compat traits --from "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/req" || fail "traits"
	on_dst compat traits --inventory >"$BATS_TEST_TMPDIR/offered" || fail "traits"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/req")" "CUSTOM_MDEVC_API_VFIO_PCI
CUSTOM_MDEVC_DRV_NVIDIA
CUSTOM_MDEVC_VF_44136FA355B3678A
CUSTOM_MDEVC_T_NVIDIA_223"
	local t
	while read -r t; do
		grep -qx "$t" "$BATS_TEST_TMPDIR/offered" || fail "$t not offered"
	done <"$BATS_TEST_TMPDIR/req"
	grep -qx CUSTOM_MDEVC_DRVEQ_NVIDIA_550_127_5 "$BATS_TEST_TMPDIR/offered" || fail "$(cat "$BATS_TEST_TMPDIR/offered")"
}

@test "nvidia T4: a destination that takes vgpu_version 16 to 18 (no default: an acceptance range) takes a source at 18 as it is" {
	hosts nvidia-t4-src nvidia-t4-dst
	local rules
	for rules in "$SRC" "$DST"; do mkdir -p "$rules/etc/mdevctl/compat.d"; done
	# the source's driver writes streams of version 18; the destination's reads 16 to 18
	cat >"$SRC/etc/mdevctl/compat.d/50-nvidia.json" <<'EOF'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "nvidia-*",
            "descriptor": {"params": {"vgpu_version": {"type": "int", "default": 18}}}}]}
EOF
	cat >"$DST/etc/mdevctl/compat.d/50-nvidia.json" <<'EOF'
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "nvidia-*",
            "descriptor": {"params": {"vgpu_version": {"type": "int", "range": {"min": 16, "max": 18}}}}}]}
EOF
	record "$NV"
	assert_equal "$(jq -c .self.params "$BATS_TEST_TMPDIR/rec.json")" '{"vgpu_version":18}'
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	assert_equal "$(jq -c '[.chosen.parent, .chosen.attrs, .result.status]' <<<"$output")" \
		'["'"$GPU1"'",[],"created"]'
	on_dst stop -u "$NV" && on_dst undefine -u "$NV" || fail "cleanup"
	# a newer stream than the destination reads is refused
	jq '.self.params.vgpu_version = 19' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/v19.json"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/v19.json" --dumpjson
	assert_equal "$status" 3
	assert_equal "$(jq -c '[.rejections[].reasons]' <<<"$output")" \
		'[["PARAM_VALUE_NOT_ALLOWED:vgpu_version=19","NO_CAPACITY:0<1"],["PARAM_VALUE_NOT_ALLOWED:vgpu_version=19"]]'
}

@test "nvidia T4: the traits of a record whose names are long are valid Placement traits" {
	hosts nvidia-t4-src nvidia-t4-dst
	mkdir -p "$SRC/etc/mdevctl/compat.d"
	local long
	long=$(printf 'f%.0s' $(seq 250)) # F_ and 250 letters: 265 characters, shortened
	cat >"$SRC/etc/mdevctl/compat.d/50-nvidia.json" <<EOF
{"schema": "mdev-compat-rules/1",
 "types": [{"mdev_type": "nvidia-*", "descriptor": {"features": ["$long", "caf\u00e9-ecc"]}}]}
EOF
	record "$NV"
	run --separate-stderr on_src compat traits --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	local t n=0
	while IFS= read -r t; do
		t=${t#in:}
		[[ ${#t} -le 255 && $t =~ ^CUSTOM_[A-Z0-9_]+$ ]] || fail "not a Placement trait: $t"
		n=$((n + 1))
	done <<<"$output"
	assert_equal "$n" 6
	assert_line --regexp '^CUSTOM_MDEVC_F_F{223}_[0-9A-F]{16}$'
	assert_line CUSTOM_MDEVC_F_CAF_ECC
}

# vfio_ap: the matrix device of an s390x host; example.json's assign_* are write-only (0200)
AP=cae40e88-cd1f-45fc-96b7-d2a145bff9f4

ap_source() {
	hosts example example
	on_src define -u "$AP" -p matrix -t vfio_ap-passthrough || fail "define"
	local a
	for a in assign_adapter=5 assign_domain=0x47 assign_control_domain=0x47; do
		on_src modify -u "$AP" --addattr "${a%=*}" --value "${a#*=}" || fail "modify"
	done
	on_src start -u "$AP" || fail "start"
	record "$AP"
}

@test "vfio-ap: the matrix device with its adapter and domains is re-created in cold mode, the attributes written" {
	ap_source
	assert_equal "$(jq -c .self "$BATS_TEST_TMPDIR/rec.json")" \
		'{"kind":"mdev","device_api":"vfio-ap","driver":{"name":"vfio_ap"},"mdev_type":"vfio_ap-passthrough","uuid":"'"$AP"'","parent":"matrix","mdev_attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"},{"assign_control_domain":"0x47"}]}'
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --mode cold
	assert_success
	assert_output "$AP"
	assert_equal "$(sim_state "$DST" | jq -c --arg u "$AP" '.devices[] | select(.uuid == $u) | [.type, .attributes]')" \
		'["vfio_ap-passthrough",{"assign_adapter":"5","assign_domain":"71","assign_control_domain":"71"}]'
	assert_equal "$(jq -c . "$DST/etc/mdevctl.d/matrix/$AP")" \
		'{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"},{"assign_control_domain":"0x47"}]}'
	# live mode gives the same: a vfio_ap device has no version nor migration flags to check
	on_dst stop -u "$AP" && on_dst undefine -u "$AP" || fail "cleanup"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/rec.json" --dumpjson
	assert_success
	assert_equal "$(jq -c .chosen.attrs <<<"$output")" \
		'[{"assign_adapter":"5"},{"assign_domain":"0x47"},{"assign_control_domain":"0x47"}]'
}

@test "vfio-ap: the kernel has the last word: a refused assignment is a failed attempt, and nothing is left" {
	ap_source
	sim_ctl "$DST" fail attr assign_domain EINVAL
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/rec.json" --mode cold --dumpjson
	assert_equal "$status" 1
	assert_equal "$(jq -c '[.result.status, [.result.tries[] | .error]]' <<<"$output")" \
		'["failed",["Failed to write 0x47 to attribute assign_domain: Invalid argument (os error 22)"]]'
	assert_equal "$(devices "$DST")" ""
	[ ! -e "$DST/etc/mdevctl.d/matrix/$AP" ] || fail "a definition was left"
	# an adapter the host's range refuses, the same way
	jq '.self.mdev_attrs[0].assign_adapter = "256"' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/big.json"
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/big.json" --mode cold
	assert_equal "$status" 1
	assert_warn "Failed to write 256 to attribute assign_adapter: Invalid argument (os error 22)"
	assert_equal "$(devices "$DST")" ""
}

@test "vfio-ccw: a subchannel's device, with neither attributes nor a version, moves to the free subchannel" {
	hosts vfio-ccw vfio-ccw
	local ccw=c3c3c3c3-0313-4313-8313-031303130313
	record "$ccw"
	assert_equal "$(jq -c .self "$BATS_TEST_TMPDIR/rec.json")" \
		'{"kind":"mdev","device_api":"vfio-ccw","driver":{"name":"vfio_ccw"},"mdev_type":"vfio_ccw-io","uuid":"'"$ccw"'","parent":"0.0.0313"}'
	# the destination is a copy of the source, where the source's UUID is the answer itself
	# ("existing"): the migrating device gets a UUID nobody holds there
	local mig=c3c3c3c3-0314-4314-8314-031403140314
	jq --arg u "$mig" '.self.uuid = $u' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/mig.json"
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/mig.json" --dumpjson
	assert_success
	assert_equal "$(jq -c '[.chosen.action, .chosen.parent, .chosen.uuid, .chosen.uuid_changed, [.rejections[].reasons]]' <<<"$output")" \
		'["create","0.0.0314","'"$mig"'",false,[["NO_CAPACITY:0<1"]]]'
	assert_equal "$(devices "$DST")" "$(printf '%s\n' "$ccw 0.0.0313 vfio_ccw-io" "$mig 0.0.0314 vfio_ccw-io" | sort)"
	# both subchannels taken, and the UUID defined on one of them with an attribute the record
	# does not carry: blocked under --keep-uuid, as neither reason is one never to come back
	local w=c3c3c3c3-0315-4315-8315-031503150315
	on_dst define -u "$w" -p 0.0.0313 -t vfio_ccw-io || fail "define"
	on_dst modify -u "$w" --addattr=mode --value=1 || fail "modify"
	jq --arg u "$w" '.self.uuid = $u' "$BATS_TEST_TMPDIR/rec.json" >"$BATS_TEST_TMPDIR/w.json"
	run --separate-stderr on_dst compat check --from "$BATS_TEST_TMPDIR/w.json" --keep-uuid --dumpjson
	assert_equal "$status" 5
	assert_equal "$(jq -c '[.verdict, [.rejections[].reasons]]' <<<"$output")" \
		'["blocked",[["NO_CAPACITY:0<1","UUID_CONFLICT"],["NO_CAPACITY:0<1","UUID_CONFLICT"]]]'
}

@test "GVT-g without a rule file: a device moves to its own type, the driver's 1.1.0 read as dotted" {
	hosts example example
	on_src start -u "$U1" -p 0000:00:02.0 -t i915-GVTg_V5_4 || fail "start"
	record "$U1"
	assert_equal "$(jq -c .self.driver "$BATS_TEST_TMPDIR/rec.json")" \
		'{"name":"i915","version":"1.1.0","version_scheme":"dotted"}'
	run --separate-stderr on_dst create-compatible --from "$BATS_TEST_TMPDIR/rec.json"
	assert_success
	assert_output "$U1"
	assert_equal "$(devices "$DST")" "$U1 0000:00:02.0 i915-GVTg_V5_4"
}
