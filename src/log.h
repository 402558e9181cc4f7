/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The logging sink. Messages go to stderr in the format upstream's env_logger uses,
 * "[2026-01-02T03:04:05Z WARN  mdevctl] text", so that logs and scripts reading them see the
 * same lines. MDEVCTL_LOG sets the threshold (error, warn, info, debug, trace; default warn);
 * a "target=level" filter is accepted and only its level is used. */
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

void log_init(void);
void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                   \
	do {                                             \
		if (log_enabled(LOG_DEBUG))              \
			log_msg(LOG_DEBUG, __VA_ARGS__); \
	} while (0)
