// SPDX-License-Identifier: LGPL-2.1-or-later
/* The in-memory sysfs tree of mdev-sim; see sim-tree.h. Children are kept in a doubly linked list
 * in creation order: directories here hold a few dozen entries at most, and listing order that
 * follows creation is what kernfs shows for attribute groups anyway. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim-tree.h"

static struct sim_node *node_new(const char *name, enum sim_node_kind kind, mode_t mode)
{
	struct sim_node *n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(name);
	n->kind = kind;
	n->mode = mode;
	(void)clock_gettime(CLOCK_REALTIME, &n->mtime);
	n->atime = n->ctime = n->mtime;
	return n;
}

static void node_attach(struct sim_node *dir, struct sim_node *n)
{
	n->parent = dir;
	n->prev = dir->last;
	if (dir->last)
		dir->last->next = n;
	else
		dir->first = n;
	dir->last = n;
	dir->mtime = dir->ctime = n->ctime;
}

static void node_free(struct sim_node *n)
{
	while (n->first) {
		struct sim_node *c = n->first;
		n->first = c->next;
		node_free(c);
	}
	free(n->name);
	free(n->target);
	free(n);
}

struct sim_node *sim_tree_new(void)
{
	return node_new("", SIM_NODE_DIR, 0755);
}

void sim_tree_remove(struct sim_node *n)
{
	if (!n)
		return;
	struct sim_node *dir = n->parent;
	if (dir) {
		if (n->prev)
			n->prev->next = n->next;
		else
			dir->first = n->next;
		if (n->next)
			n->next->prev = n->prev;
		else
			dir->last = n->prev;
		(void)clock_gettime(CLOCK_REALTIME, &dir->mtime);
		dir->ctime = dir->mtime;
	}
	node_free(n);
}

struct sim_node *sim_tree_child(struct sim_node *dir, const char *name)
{
	if (dir->kind != SIM_NODE_DIR)
		return NULL;
	for (struct sim_node *c = dir->first; c; c = c->next)
		if (streq(c->name, name))
			return c;
	return NULL;
}

struct sim_node *sim_tree_lookup(struct sim_node *dir, const char *path)
{
	const char *p = path;
	struct sim_node *n = dir;

	while (n) {
		while (*p == '/')
			p++;
		if (!*p)
			return n;
		size_t len = strcspn(p, "/");
		if (n->kind != SIM_NODE_DIR)
			return NULL;
		struct sim_node *c;
		for (c = n->first; c; c = c->next)
			if (strlen(c->name) == len && memcmp(c->name, p, len) == 0)
				break;
		n = c;
		p += len;
	}
	return NULL;
}

size_t sim_tree_depth(const struct sim_node *n)
{
	size_t d = 0;
	for (; n->parent; n = n->parent)
		d++;
	return d;
}

char *sim_tree_path(const struct sim_node *n)
{
	if (!n->parent)
		return xstrdup("");
	if (!n->parent->parent)
		return xstrdup(n->name);
	_cleanup_free_ char *up = sim_tree_path(n->parent);
	return xasprintf("%s/%s", up, n->name);
}

struct sim_node *sim_tree_mkdirs(struct sim_node *dir, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c && dir; c = strtok_r(NULL, "/", &save)) {
		struct sim_node *n = sim_tree_child(dir, c);
		if (!n) {
			n = node_new(c, SIM_NODE_DIR, 0755);
			node_attach(dir, n);
		} else if (n->kind != SIM_NODE_DIR) {
			return NULL;
		}
		dir = n;
	}
	return dir;
}

/* The directory that will hold the last component of path, and that component. */
static struct sim_node *dir_for(struct sim_node *dir, const char *path, const char **ret_name)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*ret_name = path;
		return dir;
	}
	_cleanup_free_ char *head = xstrndup(path, (size_t)(slash - path));
	*ret_name = slash + 1;
	return sim_tree_mkdirs(dir, head);
}

static struct sim_node *add(struct sim_node *dir, const char *path, struct sim_node *n_template)
{
	const char *name;
	struct sim_node *d = dir_for(dir, path, &name);
	if (!d || !*name || sim_tree_child(d, name))
		return NULL;
	struct sim_node *n = node_new(name, n_template->kind, n_template->mode);
	node_attach(d, n);
	return n;
}

struct sim_node *sim_tree_add_file(struct sim_node *dir, const char *path,
				   const struct sim_file_ops *ops, void *obj)
{
	struct sim_node t = { .kind = SIM_NODE_FILE };
	if (ops->show && ops->store)
		t.mode = 0644;
	else if (ops->show)
		t.mode = 0444;
	else
		t.mode = 0200;
	struct sim_node *n = add(dir, path, &t);
	if (n) {
		n->ops = ops;
		n->obj = obj;
	}
	return n;
}

struct sim_node *sim_tree_add_link(struct sim_node *dir, const char *path, const char *target)
{
	struct sim_node t = { .kind = SIM_NODE_LINK, .mode = 0777 };
	struct sim_node *n = add(dir, path, &t);
	if (n)
		n->target = xstrdup(target);
	return n;
}
