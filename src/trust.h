/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Trust in the files mdevctl runs or obeys: callout and notifier scripts, which it runs as
 * root, and migration-compatibility rule files, which decide what it creates. As sshd's
 * StrictModes and sudo do for their files, such a file is refused unless nobody but root (or
 * the user running mdevctl) can change it or change which file its path names:
 * - the file reached is a regular file, owned by root or by the effective uid, and not
 *   writable by group or others;
 * - so is every directory walked through to reach it (any type but regular file), from the
 *   root of the tree down: the root is MDEVCTL_ENV_ROOT when rerooted (the directories above
 *   it are the caller's choice and are not judged), else "/";
 * - symbolic links are followed the way the kernel follows them, and the directories a link
 *   leads through are judged like the others; the link itself is not (its mode means nothing,
 *   and only its directory's owner can replace it). An absolute target is walked from "/",
 *   except that one under the rerooted root is walked from the root, so that a rerooted tree
 *   whose links name it by its full path is judged the same way as the tree itself.
 * A group-writable mode includes a POSIX ACL granting write to anyone but the owner: the mask
 * shows in the group bits. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

enum trust_verdict {
	TRUST_OK,
	TRUST_OWNER,	/* owned by neither root nor the effective uid */
	TRUST_WRITABLE, /* writable by group or others */
};

/* The judgement of one file or directory by its owner and mode (the type is checked by the
 * walk). Pure. */
enum trust_verdict trust_judge(const struct stat *st, uid_t euid);

/* Walk to the regular file at path, judging it and every directory on the way, and open it:
 * with O_PATH for a file that will be executed by path (the descriptor only pins what was
 * judged), or O_RDONLY for a file to read through the descriptor itself (no race between
 * check and read). O_CLOEXEC, O_NOFOLLOW and O_NONBLOCK are added. The file's identity is
 * compared with what stat(path) finds at the end, so that the walk and the kernel agree on
 * which file the path names.
 * Returns the descriptor (the caller closes it); -EPERM when the file is not trusted, with
 * *ret_reason (malloc'ed, owned by the caller) saying why, naming the offending directory or
 * symbolic link target: "owned by uid 1000", "writable by group or others", "not a regular
 * file", "directory \"/x\" is writable by group or others", "\"/opt/x\" is owned by uid 7",
 * "too many levels of symbolic links", "changed while being checked"; or another negative
 * errno when the path cannot be walked (-ENOENT for a missing file or a dangling link). */
int trust_open(const char *path, int flags, char **ret_reason);

/* The same judgement of a directory and of every directory above it, for a directory whose
 * entries mean something by their mere presence (a symbolic link to /dev/null that masks a
 * rule file). Returns 0, -EPERM with *ret_reason, or another negative errno. */
int trust_dir(const char *path, char **ret_reason);
