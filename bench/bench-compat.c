// SPDX-License-Identifier: LGPL-2.1-or-later
/* Throughput of the compatibility matcher, for issue 7's "compat check" figure: how many
 * (pattern binding, destination type) evaluations compat_match() makes per second on one core.
 * The record and the inventory are parsed once (their parsing is measured by the end-to-end
 * `mdevctl compat check` timing instead); the loop then runs the whole engine as the verb does
 * (bindings, templates, every rule, the plan with its candidates and rejections, the ranking)
 * and frees the plan, for at least the given time. An evaluation is one run of the rules for a
 * binding against one parent's type of the same name: it ends as a candidate or a rejection, so
 * the plan's two counts add up to the evaluations made, provided the workload has no bindings
 * rejected before any type is looked at (bench.py builds it so, and checks the count).
 *
 *	bench-compat RECORD INVENTORY [SECONDS]
 * prints one line: "evaluations_per_match=E matches=M seconds=S evaluations_per_second=R
 * cpu_seconds=C evaluations_per_cpu_second=Q": R over the wall clock, Q over the process's CPU
 * time, which is the one core's throughput even when other work shares the core. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat-match.h"
#include "compat-record.h"
#include "error.h"
#include "path.h"

/* Large enough for a benchmark inventory of a few hundred parents; the tool's own input limit
 * is for documents from other hosts, not for this program's own workload. */
#define BENCH_INPUT_MAX (64u * 1024 * 1024)

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	char *text = NULL;
	if (path_read_file(path, BENCH_INPUT_MAX, &text, len) < 0) {
		fprintf(stderr, "bench-compat: %s: %s\n", path, err_get(0));
		exit(1);
	}
	return text;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bench-compat RECORD INVENTORY [SECONDS]\n");
		return 2;
	}
	double budget = argc == 4 ? strtod(argv[3], NULL) : 1.0;
	size_t rlen, ilen;
	char *rtext = slurp(argv[1], &rlen), *itext = slurp(argv[2], &ilen);
	struct compat_record *rec = NULL;
	struct compat_inventory *inv = NULL;

	if (compat_record_parse(rtext, rlen, &rec) < 0) {
		fprintf(stderr, "bench-compat: %s: %s\n", argv[1], err_get(0));
		return 1;
	}
	if (compat_inventory_parse(itext, ilen, &inv) < 0) {
		fprintf(stderr, "bench-compat: %s: %s\n", argv[2], err_get(0));
		return 1;
	}

	struct compat_select sel = { .fresh_uuid = "2a0f5a38-7a8e-4c51-9b6e-3d1f0c6b8e77" };
	size_t per_match = 0;
	unsigned long matches = 0;
	double start = now(CLOCK_MONOTONIC), cpu_start = now(CLOCK_PROCESS_CPUTIME_ID), elapsed;
	do {
		struct compat_plan *plan = NULL;
		if (compat_match(rec, inv, &sel, &plan) < 0) {
			fprintf(stderr, "bench-compat: %s\n", err_get(0));
			return 1;
		}
		per_match = compat_plan_n_candidates(plan) + compat_plan_n_rejections(plan);
		compat_plan_free(plan);
		matches++;
		elapsed = now(CLOCK_MONOTONIC) - start;
	} while (elapsed < budget);
	double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
	double evals = (double)per_match * (double)matches;

	printf("evaluations_per_match=%zu matches=%lu seconds=%.3f evaluations_per_second=%.0f "
	       "cpu_seconds=%.3f evaluations_per_cpu_second=%.0f\n",
	       per_match, matches, elapsed, evals / elapsed, cpu, cpu > 0 ? evals / cpu : 0);
	compat_record_free(rec);
	compat_inventory_free(inv);
	free(rtext);
	free(itext);
	return 0;
}
