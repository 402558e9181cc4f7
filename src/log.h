/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The logging sink. Messages go to stderr in the format upstream's env_logger uses,
 * "[2026-01-02T03:04:05Z WARN  mdevctl::callouts] text", naming the module as upstream's Rust
 * module path does, so that logs and the scripts and people reading them see the same lines.
 * MDEVCTL_LOG is read as env_logger reads it: "LEVEL", "MODULE=LEVEL" or "MODULE" (all of its
 * levels), comma-separated, the longest matching module prefix deciding, and an optional
 * "/REGEX" that a message must match; default "warn".
 *
 * A source file says which of upstream's modules it stands for by defining LOG_MODULE before
 * its first #include; without it, lines name "mdevctl" (upstream's main.rs). */
#pragma once

#include "macro.h"

enum log_level {
	LOG_OFF,
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_TRACE
};

/* Upstream's module paths, and the names its conventions give to the modules it does not have. */
#define LOG_MAIN	"mdevctl"	       /* main.rs: the commands */
#define LOG_ENVIRONMENT "mdevctl::environment" /* environment.rs: paths and scans */
#define LOG_MDEV	"mdevctl::mdev"	       /* mdev.rs: one device, its sysfs and definition */
#define LOG_CALLOUTS	"mdevctl::callouts"    /* callouts.rs: scripts */
#define LOG_UDEV	"mdevctl::udev"	       /* ours: waiting for udev */
#define LOG_COMPAT	"mdevctl::compat"      /* ours: migration compatibility */

#ifndef LOG_MODULE
#define LOG_MODULE LOG_MAIN
#endif

void log_init(void);
/* One level for every module, no filter (tests and fuzzers). */
void log_set_level(enum log_level level);
int log_enabled(enum log_level level, const char *module);
void log_msg(enum log_level level, const char *module, const char *fmt, ...) _printf_(3, 4);

/* log_msg() when the level is enabled for module: the arguments are not evaluated otherwise. */
#define log_full(level, module, ...)                         \
	do {                                                 \
		if (log_enabled(level, module))              \
			log_msg(level, module, __VA_ARGS__); \
	} while (0)

#define log_error(...) log_full(LOG_ERROR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)  log_full(LOG_WARN, LOG_MODULE, __VA_ARGS__)
#define log_info(...)  log_full(LOG_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...) log_full(LOG_DEBUG, LOG_MODULE, __VA_ARGS__)
#define log_trace(...) log_full(LOG_TRACE, LOG_MODULE, __VA_ARGS__)
