/* Overload sampling: while user space (appliance/overload) finds the
 * cache overloaded, every packet the filter and sampler stage passed is
 * sampled 1-in-n once more, so a flood of new flows reaches the table
 * n times less often. n lives in .bss: user space raises and lowers it
 * with no reload; 0 or 1 is off, and off costs one load of a line every
 * packet reads anyway.
 *
 * The count is per CPU (deterministic 1-in-n per CPU, as the global
 * sampler), and so are the counters: a flood on every queue must not
 * bounce a line between CPUs, which is the very cost this protects
 * against. A packet taken carries OVERLOAD_SID_BASE + the id of the
 * sampler that passed it (0: the global one) in its key, so its record
 * names a sampler whose announced rate is the product of the two. */
#ifndef FLOWTAP_OVERLOAD_H
#define FLOWTAP_OVERLOAD_H

enum overload_layout {
	OVERLOAD_SID_BASE = 64, /* above every sampler id the stage uses (< MAX_SAMPLERS) */
};

struct overload_cfg {
	__u32 n; /* 1-in-n while overloaded; 0 or 1: not overloaded */
	__u32 pad;
};

/* Per CPU. */
struct overload_count {
	__u64 pos;     /* deterministic position */
	__u64 taken;   /* passed while overload sampling was on */
	__u64 skipped; /* sampled out by it (also in meter_stats.sampled_out) */
};

struct overload_cfg overload;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct overload_count);
} overload_counts SEC(".maps");

const struct overload_cfg *unused_overload_cfg __attribute__((unused));
const struct overload_count *unused_overload_count __attribute__((unused));
const enum overload_layout *unused_overload_layout __attribute__((unused));

/* Whether the overload sampler leaves this packet out; a packet it takes
 * gets the overload sampler's id in *sid. */
static __always_inline int overload_out(__u16 *sid)
{
	__u32 n = overload.n;
	if (likely(n <= 1))
		return 0;
	__u32 zero = 0;
	struct overload_count *c = bpf_map_lookup_elem(&overload_counts, &zero);
	if (!c)
		return 0;
	__u64 pos = c->pos + 1;
	if (pos >= n)
		pos = 0;
	c->pos = pos;
	if (pos != 0) {
		c->skipped++;
		return 1;
	}
	c->taken++;
	*sid = OVERLOAD_SID_BASE + *sid;
	return 0;
}

#endif
