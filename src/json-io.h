/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON side of the model, with jansson: parsing definitions and --jsonfile input under
 * upstream's rules (plus strict types), building the objects that `list` and `types` print,
 * and an emitter that writes exactly what upstream's serde_json writes (2-space pretty form or
 * compact form, keys in insertion order, no trailing newline, lower-case \u escapes), so files
 * and output are byte-identical. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "mdev.h"

/* Seed jansson's hash function from getrandom(2). Left to itself, jansson opens /dev/urandom
 * when the first object is made; under --root nothing outside the image is opened. Call once,
 * before any other function here. */
void json_io_init(void);

/* Parse text; on a syntax error set "<reason> at line L column C" (what, if given, is put in
 * front: "<what>: ..."). Any top-level value is accepted. */
int json_io_parse(const char *text, size_t len, json_t **ret);

/* Fill type, start mode and attributes of dev from a definition object. Rules: "mdev_type"
 * and "start" must be present and not null ("invalid json"); "mdev_type" must be a string;
 * start is auto only for the string "auto"; "attrs" absent or null means none, otherwise an
 * array of one-member objects with string values (the error names what is wrong). */
int json_io_load_config(struct mdev *dev, json_t *root);
/* json_io_parse() of a definition's text and json_io_load_config() of it in one, with exactly
 * their outcome and errors; the plain texts that mdevctl writes are read without building a
 * tree. dev's type, start mode and attributes are set only on success. Returns 1 when the text
 * was plain, 0 when jansson read it, or a negative errno with the error set. */
int json_io_load_definition(struct mdev *dev, const char *text, size_t len);
/* Append the attributes of an attrs array (null: none) to dev, same rules as above. */
int json_io_load_attrs(struct mdev *dev, json_t *attrs);

/* {"mdev_type":..., "start":..., "attrs":[...]} of dev (a new reference). */
json_t *json_io_config(const struct mdev *dev);
/* [{"<parent>": [{"<uuid>": config}, ...], ...}] of a sorted list; [] when empty. `list` writes
 * it with json_io_device_tree_pretty(); this tree is what the tests hold that against. */
json_t *json_io_device_tree(const struct mdev_list *list);
/* [{"<parent>": [{"<type>": {...}}, ...]}] of a sorted type list plus the parents that have
 * no types (parents: sorted names); [] when there are no parents. */
json_t *json_io_type_tree(const struct mdev_type_list *types, char *const *parents,
			  size_t n_parents);

/* json_io_pretty() of json_io_config(dev) and of json_io_device_tree(list), appended to out
 * without building the tree. */
void json_io_config_pretty(const struct mdev *dev, struct strbuf *out);
void json_io_device_tree_pretty(const struct mdev_list *list, struct strbuf *out);

/* serde_json's to_string_pretty / to_string. The result is owned by the caller. */
char *json_io_pretty(const json_t *v);
char *json_io_compact(const json_t *v);
