// SPDX-License-Identifier: GPL-2.0
/* The benchmarks' object: the meter (built from the same source, so it is
 * the program the daemon runs) plus baselines and variants that are never
 * attached. Only the tests load it (bench_bpfel_test.go); the daemon's
 * object holds the meter alone, so it verifies nothing else at start. */
#include "meter.c"

/* A distinct key per run, as a flood of new flows. */
SEC("xdp.frags")
int bench_meter_newflow(struct xdp_md *ctx)
{
	return batch_after(ctx, run_meter(ctx, 1, 0));
}

/* Everything up to and including the flow lookup: shows what the lookup
 * costs against the counting that follows. */
SEC("xdp.frags")
int bench_meter_lookup_only(struct xdp_md *ctx)
{
	return run_meter(ctx, 0, 1);
}

/* Everything up to the table (parse, select, key, hash): with the
 * lookup-only figure, shows what the table itself costs on live traffic. */
SEC("xdp.frags")
int bench_meter_no_table(struct xdp_md *ctx)
{
	return run_meter(ctx, 0, 2);
}

/* A bare floor: drops every frame, counting nothing (the live bench
 * also runs xdp-bench drop, whose program counts each frame). */
SEC("xdp.frags")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* The meter's parser alone: what metering is measured against. */
SEC("xdp.frags")
int bench_parse_only(struct xdp_md *ctx)
{
	struct parsed p = {};
	int r = parse(ctx, &p);
	return r == PR_OK ? XDP_DROP : XDP_PASS;
}
