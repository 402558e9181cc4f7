/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The operations behind the verbs, as calls that take a request and, where the verb prints,
 * a FILE to print to. They validate, run the callouts around the change, and return 0 or a
 * negative errno with the error set; they never exit and never print errors themselves. Every
 * operation that changes something takes the store lock first. UUIDs in requests are already
 * canonical (the CLI parses them). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct list_request {
	const char *uuid;
	const char *parent;
	bool defined;
	bool dumpjson;
	bool verbose;
};
int ops_list(const struct list_request *rq, FILE *out);

int ops_types(const char *parent, bool dumpjson, FILE *out);

struct define_request {
	const char *uuid; /* NULL: generate one and print it */
	const char *parent;
	const char *type;
	const char *jsonfile;
	bool autostart;
	bool force;
};
int ops_define(const struct define_request *rq, FILE *out);

int ops_undefine(const char *uuid, const char *parent, bool force);

struct modify_request {
	const char *uuid;
	const char *parent;
	const char *type;
	const char *addattr;
	const char *value;
	bool delattr;
	bool has_index;
	uint32_t index;
	bool autostart;
	bool manual;
	bool live;
	bool defined;
	const char *jsonfile;
	bool force;
};
int ops_modify(const struct modify_request *rq);

struct start_request {
	const char *uuid; /* NULL: generate one and print it */
	const char *parent;
	const char *type;
	const char *jsonfile;
	bool force;
};
int ops_start(const struct start_request *rq, FILE *out);

int ops_stop(const char *uuid, bool force);

int ops_start_parent_mdevs(const char *parent);
