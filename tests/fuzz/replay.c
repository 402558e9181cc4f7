// SPDX-License-Identifier: LGPL-2.1-or-later
/* Replays fuzz inputs without libFuzzer: main() feeds each file named on the command line (a
 * directory: each file in it) to the target's LLVMFuzzerTestOneInput() once. Linked with a
 * target and the gcc-built library, it makes `make check` run every seed and every saved
 * reproducer of the fuzz corpora, so a fixed crash stays fixed in each build CI makes (plain,
 * ASan/UBSan, valgrind), clang or not. Prints the number of inputs run; exits non-zero when one
 * cannot be read (a crash ends the process). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "rbe");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	struct strbuf sb = { 0 };
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	/* A private copy of exactly the file's size, so that ASan sees a read past its end. */
	uint8_t *data = xmalloc(sb.len ? sb.len : 1);
	memcpy(data, sb.buf ? sb.buf : "", sb.len);
	LLVMFuzzerTestOneInput(data, sb.len);
	free(data);
	sb_free(&sb);
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int failed = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]) < 0;
			count++;
			continue;
		}
		_cleanup_closedir_ DIR *d = opendir(argv[i]);
		struct strv names = { 0 };
		struct dirent *de;
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.')
				strv_push(&names, xasprintf("%s/%s", argv[i], de->d_name));
		strv_sort(&names);
		for (size_t k = 0; k < names.n; k++, count++)
			failed |= run_file(names.v[k]) < 0;
		strv_free(&names);
	}
	printf("%zu inputs\n", count);
	return failed;
}
