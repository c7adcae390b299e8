/* The input filter and sampler stage of meter.c (types and the design
 * in select.h). Included once, after the parser, by meter.c. */
#ifndef FLOWTAP_SELECT_IMPL_H
#define FLOWTAP_SELECT_IMPL_H

#include "select.h"

#ifndef READ_ONCE
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PORTS);
	__type(key, __u32);
	__type(value, struct port_select);
} port_selects SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FILTER_PREFIXES);
	__type(key, struct filter_addr_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} filter_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FILTER_PREFIXES);
	__type(key, struct filter_addr_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} filter_dst SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FILTER_PREFIXES);
	__type(key, struct filter_port_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} filter_sport SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FILTER_PREFIXES);
	__type(key, struct filter_port_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} filter_dport SEC(".maps");

/* [slot*256 + protocol] and [slot*256 + TCP flags]: term bitmaps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_FILTERS * 256);
	__type(key, __u32);
	__type(value, __u64);
} filter_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_FILTERS * 256);
	__type(key, __u32);
	__type(value, __u64);
} filter_flags SEC(".maps");

/* [slot*MAX_TERMS + term] */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_FILTERS * MAX_TERMS);
	__type(key, __u32);
	__type(value, struct term_action);
} filter_action SEC(".maps");

/* [slot*(MAX_TERMS+1) + term]; index MAX_TERMS counts packets no term
 * matched (the implicit deny or discard at a filter's end). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_FILTERS * (MAX_TERMS + 1));
	__type(key, __u32);
	__type(value, struct term_count);
} filter_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SAMPLERS);
	__type(key, __u32);
	__type(value, struct sampler_cfg);
} samplers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SAMPLERS);
	__type(key, __u32);
	__type(value, struct sampler_state);
} sampler_states SEC(".maps");

const struct port_select *unused_port_select __attribute__((unused));
const struct filter_addr_key *unused_filter_addr_key __attribute__((unused));
const struct filter_port_key *unused_filter_port_key __attribute__((unused));
const struct term_action *unused_term_action __attribute__((unused));
const struct term_count *unused_term_count __attribute__((unused));
const struct sampler_cfg *unused_sampler_cfg __attribute__((unused));
const struct sampler_state *unused_sampler_state __attribute__((unused));
const enum select_layout *unused_select_layout __attribute__((unused));

/* What the stage decided. */
enum {
	SEL_GLOBAL = 0, /* no port sampler: the global sampler decides */
	SEL_METER,      /* meter it */
	SEL_SAMPLED_OUT,
	SEL_FILTERED,
};

static __always_inline __u64 lpm_bits(void *map, void *key)
{
	__u64 *v = bpf_map_lookup_elem(map, key);
	return v ? *v : 0;
}

static __always_inline __u64 array_bits(void *map, __u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(map, &idx);
	return v ? *v : 0;
}

/* Index of the lowest set bit of a non-zero word. */
static __always_inline __u32 lowest_bit(__u64 b)
{
	b &= -b;
	__u32 n = 0;
	if (b & 0xffffffff00000000ULL) n += 32;
	if (b & 0xffff0000ffff0000ULL) n += 16;
	if (b & 0xff00ff00ff00ff00ULL) n += 8;
	if (b & 0xf0f0f0f0f0f0f0f0ULL) n += 4;
	if (b & 0xccccccccccccccccULL) n += 2;
	if (b & 0xaaaaaaaaaaaaaaaaULL) n += 1;
	return n;
}

/* The terms of filter slot that match the packet whose IP header is ip. */
static __always_inline __u64 filter_match(__u32 slot, struct parsed *p, void *data, void *end)
{
	__u8 *ip = data + clamp_off(p->l3off);
	__u64 bits = array_bits(&filter_proto, slot * 256 + p->proto);
	if (!bits)
		return 0;
	bits &= array_bits(&filter_flags, slot * 256 + (p->proto == 6 ? p->tcp_flags : 0));
	if (!bits)
		return 0;
	struct filter_port_key pk = {.prefixlen = 48};
	__u32 be_slot = bpf_htonl(slot);
	__builtin_memcpy(pk.data, &be_slot, 4);
	__u16 port = bpf_htons(p->sport);
	__builtin_memcpy(pk.data + 4, &port, 2);
	bits &= lpm_bits(&filter_sport, &pk);
	if (!bits)
		return 0;
	port = bpf_htons(p->dport);
	__builtin_memcpy(pk.data + 4, &port, 2);
	bits &= lpm_bits(&filter_dport, &pk);
	if (!bits)
		return 0;
	struct filter_addr_key ak = {};
	__builtin_memcpy(ak.data, &be_slot, 4);
	if (p->family == 4) {
		if ((void *)(ip + 20) > end)
			return 0;
		ak.prefixlen = 64;
		__builtin_memcpy(ak.data + 4, ip + 12, 4);
		bits &= lpm_bits(&filter_src, &ak);
		__builtin_memcpy(ak.data + 4, ip + 16, 4);
	} else {
		if ((void *)(ip + 40) > end)
			return 0;
		ak.prefixlen = 160;
		__builtin_memcpy(ak.data + 4, ip + 8, 16);
		bits &= lpm_bits(&filter_src, &ak);
		__builtin_memcpy(ak.data + 4, ip + 24, 16);
	}
	if (!bits)
		return 0;
	return bits & lpm_bits(&filter_dst, &ak);
}

/* The run after a sampled packet (JunOS run-length), random mode: takes
 * one packet of the run if any is left. Compare-and-swap, so a run never
 * gives more than run_length packets however many CPUs race. */
static __always_inline int run_take(struct sampler_state *s)
{
#pragma unroll
	for (int i = 0; i < CAS_TRIES; i++) {
		__u32 r = READ_ONCE(s->run_left);
		if (!r)
			return 0;
		if (__sync_val_compare_and_swap(&s->run_left, r, r - 1) == r)
			return 1;
	}
	return 0;
}

/* Whether the one-second window admits a packet under cap: 1 taken, 0
 * over the cap, -1 races lost. */
static __always_inline int window_take(struct sampler_state *s, __u32 cap)
{
	__u32 now = bpf_ktime_get_ns() / 1000000ULL;
#pragma unroll
	for (int i = 0; i < CAS_TRIES; i++) {
		__u64 w = READ_ONCE(s->window);
		__u32 start = w >> 32, count = (__u32)w, opened = 0;
		__u64 next;
		if ((__u32)(now - start) >= 1000) {
			next = ((__u64)now << 32) | 1;
			opened = 1;
		} else if (count >= cap) {
			return 0;
		} else {
			next = w + 1;
		}
		if (__sync_val_compare_and_swap(&s->window, w, next) == w) {
			if (opened)
				__sync_fetch_and_add(&s->windows, 1);
			return 1;
		}
	}
	return -1;
}

/* Whether sampler sid takes this packet. */
static __always_inline int sampler_take(__u32 sid)
{
	struct sampler_cfg *c = bpf_map_lookup_elem(&samplers, &sid);
	struct sampler_state *s = bpf_map_lookup_elem(&sampler_states, &sid);
	if (!c || !s)
		return 1;
	__sync_fetch_and_add(&s->seen, 1);
	__u32 n = c->n;
	if (c->mode != SAMPLE_NONE && n > 1) {
		int take;
		if (c->mode == SAMPLE_DETERMINISTIC) {
			/* Position 0 of every n is sampled and the run_length
			 * after it are taken too: one atomic add decides, so
			 * the pattern is exact with any number of CPUs. */
			take = __sync_fetch_and_add(&s->pos, 1) % n <= c->run_length;
		} else if (run_take(s)) {
			take = 1;
		} else {
			take = bpf_get_prandom_u32() % n == 0;
			if (take && c->run_length)
				WRITE_ONCE(s->run_left, c->run_length);
		}
		if (!take) {
			__sync_fetch_and_add(&s->skipped, 1);
			return 0;
		}
	}
	__u32 cap = c->max_pps;
	if (cap) {
		int w = window_take(s, cap);
		if (w <= 0) {
			__sync_fetch_and_add(&s->capped, 1);
			if (w < 0)
				__sync_fetch_and_add(&s->lost_races, 1);
			return 0;
		}
	}
	__sync_fetch_and_add(&s->taken, 1);
	return 1;
}

/* The filter and sampler stage for a parsed packet: SEL_*. *sid is the
 * sampler that took it, which goes into the flow key. */
static __always_inline int select_packet(struct xdp_md *ctx, struct parsed *p, __u32 ifindex,
					 __u16 *sid)
{
	*sid = 0;
	/* No port has a filter or a sampler (SELECTS_PORTS in
	 * meter_cfg.selects): the port's entry is zero, and its lookup and the
	 * reads of its fields are 32 of the x86 instructions a batched IPv4
	 * hit runs (datapath/README.md, "Measured: a batched 10K hit's
	 * instructions"). */
	if (likely(!(cfg.selects & SELECTS_PORTS)))
		return SEL_GLOBAL;
	if (ifindex >= MAX_PORTS)
		return SEL_GLOBAL;
	struct port_select *ps = bpf_map_lookup_elem(&port_selects, &ifindex);
	if (!ps)
		return SEL_GLOBAL;
	__u32 use = ps->sampler;
	__u32 slot = p->family == 4 ? ps->filter4 : ps->filter6;
	if (slot && slot < MAX_FILTERS) {
		__u64 bits = filter_match(slot, p, (void *)(long)ctx->data,
					  (void *)(long)ctx->data_end);
		__u32 term = bits ? lowest_bit(bits) : MAX_TERMS;
		__u32 ci = slot * (MAX_TERMS + 1) + term;
		struct term_count *tc = bpf_map_lookup_elem(&filter_count, &ci);
		if (tc) {
			tc->packets++;
			tc->bytes += p->ip_len;
		}
		if (!bits)
			return SEL_FILTERED;
		__u32 ai = slot * MAX_TERMS + term;
		struct term_action *a = bpf_map_lookup_elem(&filter_action, &ai);
		if (!a || a->action == ACT_IGNORE)
			return SEL_FILTERED;
		if (a->action == ACT_SAMPLE)
			use = a->sampler;
	}
	if (!use || use >= MAX_SAMPLERS)
		return SEL_GLOBAL;
	*sid = use;
	return sampler_take(use) ? SEL_METER : SEL_SAMPLED_OUT;
}

#endif
