/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory tree that mdev-sim serves: directories, symbolic links and attribute files, as
 * kernfs keeps them for sysfs. An attribute file has no contents of its own: reading calls its
 * show() and writing its store(), which the host model (sim-host.c) provides, so a read always
 * reflects the current state and a write is one call. The tree knows nothing about mdev. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "sim-util.h"

struct sim_node;

/* show() fills out with the whole contents; store() receives one write(2), NUL-terminated after
 * len bytes. Both return 0 or -errno. A file with no show() cannot be opened for reading, one
 * with no store() not for writing (EACCES), which is kernfs's rule whatever the mode bits. */
struct sim_file_ops {
	int (*show)(struct sim_node *n, struct strbuf *out);
	int (*store)(struct sim_node *n, const char *buf, size_t len);
};

enum sim_node_kind {
	SIM_NODE_DIR,
	SIM_NODE_FILE,
	SIM_NODE_LINK,
};

struct sim_node {
	char *name;
	enum sim_node_kind kind;
	mode_t mode; /* permission bits only */
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime, ctime;
	struct sim_node *parent;
	struct sim_node *first, *last;	/* children, in creation order */
	struct sim_node *prev, *next;	/* siblings */
	char *target;			/* SIM_NODE_LINK */
	const struct sim_file_ops *ops; /* SIM_NODE_FILE */
	void *obj;			/* what ops work on; owned by the model, not the node */
};

/* A new empty root directory. */
struct sim_node *sim_tree_new(void);
/* Free a node and everything below it, after unlinking it from its parent; NULL is a no-op. */
void sim_tree_remove(struct sim_node *n);

/* The child called name, or NULL. */
struct sim_node *sim_tree_child(struct sim_node *dir, const char *name);
/* Walk a path relative to dir ("a/b/c"; leading, trailing and doubled '/' are ignored, "" is
 * dir itself). Links are not followed: the kernel resolves them before asking. NULL when a
 * component is missing or is not a directory. */
struct sim_node *sim_tree_lookup(struct sim_node *dir, const char *path);
/* Depth below the root: 0 for the root, 1 for its children... */
size_t sim_tree_depth(const struct sim_node *n);
/* The path of n relative to the root ("devices/virtual/mtty/mtty"); owned by the caller. */
char *sim_tree_path(const struct sim_node *n);

/* mkdir -p below dir; returns the last directory, or NULL when a component exists and is not a
 * directory. Existing directories are reused. */
struct sim_node *sim_tree_mkdirs(struct sim_node *dir, const char *path);
/* Add a file or link at a path relative to dir, creating the directories before its last
 * component. Return the new node, or NULL when the name is taken or a directory on the way
 * cannot be made. The mode of a file follows its ops: 0644, 0444 or 0200. */
struct sim_node *sim_tree_add_file(struct sim_node *dir, const char *path,
				   const struct sim_file_ops *ops, void *obj);
struct sim_node *sim_tree_add_link(struct sim_node *dir, const char *path, const char *target);
