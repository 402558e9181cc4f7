/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Base helpers of the simulated mdev host (mdev-sim): how a kernel show() formats a string, and
 * the parsers that must behave exactly as the kernel's do (kstrtoull/kstrtoll, uuid_is_valid)
 * because the simulator stands in for it. The simulator shares no parsing code with the mdevctl
 * under test (a bug in a shared UUID parser would hide itself); it borrows only mdevctl's
 * allocation helpers and string buffer (util.h). */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "util.h" /* allocation and strbuf only: the parsers below are the simulator's own */

/* Append s and a newline unless s already ends with one: how a kernel show() of a string looks. */
void sim_buf_putline(struct strbuf *b, const char *s);

/* Parse an errno given by name ("EBUSY") or number ("16"). Only 1..511 are accepted: the FUSE
 * kernel module refuses a reply error beyond that. Returns the positive errno or -EINVAL. */
int sim_errno_parse(const char *s);
/* "EBUSY" for 16; a decimal string in a static buffer for numbers without a name. */
const char *sim_errno_name(int e);

/* The kernel's kstrtoull(s, 0, ...) and kstrtoll(s, 0, ...): base from the prefix (0x hex,
 * leading 0 octal, else decimal), one optional trailing newline, a leading '+' (and '-' for the
 * signed one), nothing else. Returns 0, -EINVAL or -ERANGE. */
int sim_kstrtoull(const char *s, unsigned long long *ret);
int sim_kstrtoll(const char *s, long long *ret);

#define SIM_UUID_LEN 36

/* The kernel's uuid_is_valid(): the first 36 characters are 8-4-4-4-12 hex digits of any case
 * with hyphens between; whatever follows is not looked at. */
bool sim_uuid_valid(const char *s);
/* Copy the 36 characters of a valid UUID, lower-cased, into ret (37 bytes with the NUL). */
void sim_uuid_lower(const char *s, char ret[SIM_UUID_LEN + 1]);

/* A name usable as one path component: not empty, not "." or "..", no '/', no control
 * characters. */
bool sim_name_ok(const char *s);
/* A relative path of such components ("devices/pci0000:00/0000:00:02.0"). */
bool sim_relpath_ok(const char *s);
/* Number of components of a relative path that sim_relpath_ok() accepted. */
size_t sim_path_depth(const char *s);
/* "../" repeated n times (owned by the caller): climbs from a directory n levels below the root. */
char *sim_updirs(size_t n);
