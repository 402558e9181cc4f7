/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error being reported. Upstream prints a failure as "Error: <message>" followed, when the
 * failure has an underlying cause, by "Caused by:" and the cause(s); scripts and libvirt show
 * that text verbatim. Functions below the CLI return a negative errno and describe the failure
 * here, outermost message first; only the CLI prints it. One process reports one error at a
 * time, so this is a single process-wide chain rather than an object threaded through every
 * call. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Replace the chain with one message. Returns r, which should be negative. */
int err_set(int r, const char *fmt, ...) _printf_(2, 3);
/* Replace the chain with a message caused by the system error errnum ("... (os error N)"). */
int err_os(int r, int errnum, const char *fmt, ...) _printf_(3, 4);
/* Put a message in front of the current chain (the old message becomes its cause). */
int err_wrap(int r, const char *fmt, ...) _printf_(2, 3);
void err_clear(void);
bool err_isset(void);
/* Number of messages in the chain and the i-th one (0 = outermost). */
size_t err_count(void);
const char *err_get(size_t i);
/* Move the current chain aside (the chain becomes empty) and put it back later, discarding
 * whatever was set in between: for work whose failure must not mask the error being
 * reported (post callouts, notifiers, rollback). */
struct err_stash;
struct err_stash *err_stash(void);
void err_unstash(struct err_stash *s);
/* The chain on one line, its messages joined by ": " ("" when empty). Malloc'ed. */
char *err_text(void);
/* Print "Error: ..." with its causes, in upstream's layout, to stderr. */
void err_print(void);
