/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal TAP producer for the C unit tests: automake's tap-driver.sh reads the output.
 * Tests are table-driven; each check prints one "ok"/"not ok" line with a description. */
#pragma once

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                        \
	do {                                                                 \
		int _c = !!(cond);                                           \
		printf("%sok %d - ", _c ? "" : "not ", ++tap_n);             \
		printf(__VA_ARGS__);                                         \
		printf("\n");                                                \
		if (!_c) {                                                   \
			tap_failed++;                                        \
			printf("#   failed at %s:%d\n", __FILE__, __LINE__); \
		}                                                            \
	} while (0)

#define is_str(got, want, ...)                                                            \
	do {                                                                              \
		const char *_g = (got), *_w = (want);                                     \
		int _m = (_g == NULL && _w == NULL) || (_g && _w && strcmp(_g, _w) == 0); \
		ok(_m, __VA_ARGS__);                                                      \
		if (!_m)                                                                  \
			printf("#   got:  '%s'\n#   want: '%s'\n", _g ? _g : "(null)",    \
			       _w ? _w : "(null)");                                       \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
