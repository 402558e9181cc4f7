// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz target: the template language of compatible patterns (compat-template.h), with the
 * variables and their values also taken from the input so that the evaluator sees every kind
 * of binding. The input is text: the first line is the template, each further line declares
 * one variable, as the record parser would through the builders:
 *	int NAME V...		explicit integer values
 *	range NAME MIN MAX STEP	an integer range
 *	enum NAME S...		strings
 *	bool NAME
 * Lines the builders refuse are skipped. The template is parsed, checked against the variables
 * and expanded under each binding (a bounded number); results go through the dedup set.
 * Promises of the header are checked: exactly one of result and reason is set, a literal
 * template expands to one text under every binding, and a template that passed the check
 * never fails with an undeclared variable. A broken promise aborts. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat-template.h"
#include "error.h"
#include "log.h"

#define BINDINGS_MAX 256
#define WORDS_MAX    (COMPAT_VAR_VALUES_MAX + 2)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split line (modified in place) at spaces into at most WORDS_MAX words. */
static size_t split(char *line, char **words)
{
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(line, " ", &save); w && n < WORDS_MAX;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	return n;
}

static bool to_int(const char *s, int64_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*ret = v;
	return true;
}

static void declare(struct compat_vars *vs, char *line)
{
	static char *w[WORDS_MAX];
	static int64_t ints[WORDS_MAX];
	size_t n = split(line, w);
	if (n < 2)
		return;
	if (streq(w[0], "int")) {
		for (size_t i = 2; i < n; i++)
			if (!to_int(w[i], &ints[i - 2]))
				return;
		(void)compat_vars_add_int_values(vs, w[1], ints, n - 2);
	} else if (streq(w[0], "range") && n == 5) {
		int64_t min, max, step;
		if (to_int(w[2], &min) && to_int(w[3], &max) && to_int(w[4], &step))
			(void)compat_vars_add_int_range(vs, w[1], min, max, step);
	} else if (streq(w[0], "enum")) {
		(void)compat_vars_add_enum(vs, w[1], (const char *const *)w + 2, n - 2);
	} else if (streq(w[0], "bool") && n == 2) {
		(void)compat_vars_add_bool(vs, w[1]);
	}
	err_clear();
}

static void evaluate(const struct compat_template *t, const struct compat_vars *vs)
{
	char *reason = NULL;
	bool checked = compat_template_check_vars(t, vs, &reason) == 0;
	if (checked == (reason != NULL))
		abort();
	free(reason);

	_cleanup_free_ char *first = NULL;
	struct compat_dedup dedup = { 0 };
	struct compat_binding b;
	size_t n = 0;
	for (bool more = compat_binding_first(vs, &b); more && n < BINDINGS_MAX;
	     more = compat_binding_next(vs, &b), n++) {
		char *s = NULL;
		reason = NULL;
		int r = compat_template_expand(t, vs, &b, &s, &reason);
		if ((r == 0) != (s != NULL) || (r < 0) != (reason != NULL))
			abort();
		if (r < 0 && checked && r != -EDOM)
			abort(); /* only the binding's arithmetic can fail once checked */
		if (r == 0 && compat_template_is_literal(t)) {
			if (!first)
				first = xstrdup(s);
			else if (!streq(first, s))
				abort();
		}
		if (r == 0) {
			struct strbuf key = { 0 };
			compat_dedup_key_add(&key, s);
			compat_dedup_add(&dedup, key.buf, b.seq, NULL);
			sb_free(&key);
		}
		for (size_t i = 0; i < vs->n; i++) {
			struct compat_value v;
			compat_binding_value(vs, &b, i, &v);
		}
		struct strbuf sb = { 0 };
		compat_binding_format(vs, &b, &sb);
		sb_free(&sb);
		free(s);
		free(reason);
	}
	compat_dedup_clear(&dedup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = xstrndup((const char *)data, size);
	struct compat_vars vs = { 0 };

	log_set_level(LOG_OFF);
	char *rest = strchr(text, '\n');
	if (rest)
		*rest++ = '\0';
	for (char *save = NULL, *line = rest ? strtok_r(rest, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		declare(&vs, line);

	_cleanup_compat_template_ struct compat_template *t = NULL;
	char *error = NULL;
	int r = compat_template_parse(text, &t, &error);
	if ((r == 0) != (t != NULL) || (r < 0) != (error != NULL))
		abort();
	free(error);
	if (t) {
		if (!streq(compat_template_text(t), text))
			abort();
		evaluate(t, &vs);
	}
	compat_vars_clear(&vs);
	err_clear();
	return 0;
}
