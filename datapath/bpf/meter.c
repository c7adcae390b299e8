// SPDX-License-Identifier: GPL-2.0
/* flowtap XDP meter: parse L2..L4, sample, key by flow mask, count into the
 * flow map. The hot path is a lookup and a few atomics; everything else
 * (aging, export) happens in user space on harvested flows. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "meter.h"

char LICENSE[] SEC("license") = "GPL";

struct bpf_map;

#ifndef FLOW_MAP_TYPE
#define FLOW_MAP_TYPE BPF_MAP_TYPE_HASH
#endif

/* Capacities are rewritten by the loader to the configured cache size. */
struct {
	__uint(type, FLOW_MAP_TYPE);
	__uint(max_entries, 4096);
	__type(key, struct flow_key4);
	__type(value, struct flow_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows4 SEC(".maps");

struct {
	__uint(type, FLOW_MAP_TYPE);
	__uint(max_entries, 4096);
	__type(key, struct flow_key6);
	__type(value, struct flow_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct meter_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

/* Per-CPU scratch: deterministic sampler position, last cache-full epoch. */
struct cpu_state {
	__u32 sample_pos;
	__u32 full_epoch_sent;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpustate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PORTS);
	__type(key, __u32);
	__type(value, struct port_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ports SEC(".maps");

/* [0]: live generation-1 entries, so the miss path can skip a lookup;
 * [1]: entries the reaper deleted, so created - deleted = entries in use. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gen1_live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 * 1024 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} harvest SEC(".maps");

struct meter_cfg cfg;
struct reap_args reap;

/* Keep these in BTF so bpf2go can generate their Go mirrors. */
const struct harvest_rec *unused_harvest_rec __attribute__((unused));
const struct meter_event *unused_meter_event __attribute__((unused));

/* ---- parsing ---------------------------------------------------------- */

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_QINQ1 0x9100
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_PPP_SES 0x8864

#define MAX_VLANS 3
#define MAX_LABELS 8
#define MAX_V6_EXT 8

struct parsed {
	__u8 family;
	__u8 proto;
	__u8 tos;
	__u8 ttl;
	__u8 tcp_flags;
	__u8 has_ports;
	__u16 sport;
	__u16 dport;
	__u16 nvlan;
	__u16 vlan[2];
	__u32 ip_len; /* IP total length: what IOS and nfpcapd count */
	__u32 l3off;
};

/* Offsets are carried as scalars clamped to a power-of-two range: every
 * path then reaches the next header with the same known bounds, so the
 * verifier prunes instead of re-walking each L2 variant through the IPv6
 * extension chain. The asm keeps the compiler from dropping the clamp. */
#define OFF_LIMIT 0x7ff
static __always_inline __u32 clamp_off(__u32 off)
{
	asm volatile("%0 &= 0x7ff" : "+r"(off));
	return off;
}

static __always_inline int parse_l4(struct parsed *p, void *data, void *end, __u32 off)
{
	if (!p->has_ports)
		return PR_OK;
	__u8 *l4 = data + clamp_off(off);
	switch (p->proto) {
	case 6: /* TCP: ports and the flags byte at offset 13 */
		if ((void *)(l4 + 14) > end)
			return PR_TRUNC_L4;
		p->sport = bpf_ntohs(*(__u16 *)l4);
		p->dport = bpf_ntohs(*(__u16 *)(l4 + 2));
		p->tcp_flags = l4[13];
		return PR_OK;
	case 17:  /* UDP */
	case 132: /* SCTP */
	case 136: /* UDP-Lite */
	case 33:  /* DCCP */
		if ((void *)(l4 + 4) > end)
			return PR_TRUNC_L4;
		p->sport = bpf_ntohs(*(__u16 *)l4);
		p->dport = bpf_ntohs(*(__u16 *)(l4 + 2));
		return PR_OK;
	case 1:
	case 58: /* ICMP, ICMPv6: src port 0, dst port type*256+code */
		if ((void *)(l4 + 2) > end)
			return PR_TRUNC_L4;
		p->sport = 0;
		p->dport = ((__u16)l4[0] << 8) | l4[1];
		return PR_OK;
	}
	return PR_OK;
}

static __always_inline int parse_ipv4(struct parsed *p, void *data, void *end)
{
	__u8 *ip = data + clamp_off(p->l3off);
	if ((void *)(ip + 20) > end)
		return PR_TRUNC_IP;
	if ((ip[0] >> 4) != 4)
		return PR_BAD_IP;
	__u32 ihl = (ip[0] & 0x0f) * 4;
	if (ihl < 20)
		return PR_BAD_IP;
	p->family = 4;
	p->tos = ip[1];
	p->ip_len = bpf_ntohs(*(__u16 *)(ip + 2));
	if (p->ip_len < ihl)
		return PR_BAD_IP;
	p->ttl = ip[8];
	p->proto = ip[9];
	/* A non-first fragment has no L4 header: ports 0, as IOS. */
	p->has_ports = (bpf_ntohs(*(__u16 *)(ip + 6)) & 0x1fff) == 0;
	__u32 off = p->l3off + ihl;
	if (off > OFF_LIMIT || data + off > end)
		return PR_TRUNC_IP;
	return parse_l4(p, data, end, off);
}

static __always_inline int parse_ipv6(struct parsed *p, void *data, void *end)
{
	__u8 *ip = data + clamp_off(p->l3off);
	if ((void *)(ip + 40) > end)
		return PR_TRUNC_IP;
	if ((ip[0] >> 4) != 6)
		return PR_BAD_IP;
	p->family = 6;
	p->tos = (ip[0] << 4) | (ip[1] >> 4); /* traffic class */
	p->ip_len = bpf_ntohs(*(__u16 *)(ip + 4)) + 40;
	p->ttl = ip[7];
	p->has_ports = 1;
	__u8 nh = ip[6];
	__u32 off = p->l3off + 40;

	for (int i = 0; i < MAX_V6_EXT; i++) {
		__u32 len;
		__u8 *h = data + clamp_off(off);
		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			if ((void *)(h + 2) > end)
				return PR_TRUNC_IP;
			len = ((__u32)h[1] + 1) * 8;
			nh = h[0];
			break;
		case 51: /* AH: length in 4-octet units minus 2 */
			if ((void *)(h + 2) > end)
				return PR_TRUNC_IP;
			len = ((__u32)h[1] + 2) * 4;
			nh = h[0];
			break;
		case 44: /* fragment */
			if ((void *)(h + 8) > end)
				return PR_TRUNC_IP;
			nh = h[0];
			if (bpf_ntohs(*(__u16 *)(h + 2)) & 0xfff8)
				p->has_ports = 0;
			len = 8;
			break;
		default:
			goto done;
		}
		off += len;
		if (off > OFF_LIMIT || data + off > end)
			return PR_TRUNC_IP;
	}
	/* Still an extension header after MAX_V6_EXT: give up on it. */
	switch (nh) {
	case 0: case 43: case 60: case 135: case 139: case 140: case 51: case 44:
		return PR_V6_EXT_TOO_LONG;
	}
done:
	p->proto = nh;
	return parse_l4(p, data, end, off);
}

static __always_inline int parse(struct xdp_md *ctx, struct parsed *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *eth = data;

	if ((void *)(eth + 14) > end)
		return PR_TRUNC_L2;
	__u16 type = bpf_ntohs(*(__u16 *)(eth + 12));
	__u8 *cur = eth + 14;

#pragma unroll
	for (int i = 0; i < MAX_VLANS; i++) {
		if (type != ETH_P_8021Q && type != ETH_P_8021AD && type != ETH_P_QINQ1)
			break;
		if ((void *)(cur + 4) > end)
			return PR_TRUNC_L2;
		if (i < 2)
			p->vlan[i] = bpf_ntohs(*(__u16 *)cur) & 0x0fff;
		p->nvlan = i + 1;
		type = bpf_ntohs(*(__u16 *)(cur + 2));
		cur += 4;
	}
	if (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ1)
		return PR_TOO_MANY_TAGS;

	if (type == ETH_P_PPP_SES) {
		/* PPPoE session header (6) then the PPP protocol (2). */
		if ((void *)(cur + 8) > end)
			return PR_TRUNC_L2;
		__u16 ppp = bpf_ntohs(*(__u16 *)(cur + 6));
		cur += 8;
		if (ppp == 0x0021)
			type = ETH_P_IP;
		else if (ppp == 0x0057)
			type = ETH_P_IPV6;
		else
			return PR_NON_IP;
	} else if (type == ETH_P_MPLS_UC || type == ETH_P_MPLS_MC) {
		int bos = 0;
#pragma unroll
		for (int i = 0; i < MAX_LABELS; i++) {
			if ((void *)(cur + 4) > end)
				return PR_TRUNC_L2;
			bos = cur[2] & 1;
			cur += 4;
			if (bos)
				break;
		}
		if (!bos)
			return PR_MPLS_TOO_DEEP;
		/* No payload type in MPLS: the IP version nibble tells. A
		 * pseudowire control word starts with 0. */
		if ((void *)(cur + 1) > end)
			return PR_TRUNC_IP;
		__u8 v = cur[0] >> 4;
		if (v == 4)
			type = ETH_P_IP;
		else if (v == 6)
			type = ETH_P_IPV6;
		else
			return PR_MPLS_NON_IP;
	}

	p->l3off = (__u32)((void *)cur - data);
	if (type == ETH_P_IP)
		return parse_ipv4(p, data, end);
	if (type == ETH_P_IPV6)
		return parse_ipv6(p, data, end);
	return PR_NON_IP;
}

/* ---- metering --------------------------------------------------------- */

static __always_inline __u32 size_bucket(__u32 len)
{
	/* 1-32, 64, ..., 576 (steps of 32), then 1024 .. 4608 (steps of 512). */
	if (len <= 576)
		return len ? (len - 1) / 32 : 0;
	return 17 + (len - 1) / 512;
}

static __always_inline int sampled_out(void)
{
	__u32 n = cfg.sample_n;
	if (cfg.sample_mode == SAMPLE_NONE || n <= 1)
		return 0;
	if (cfg.sample_mode == SAMPLE_RANDOM)
		return bpf_get_prandom_u32() % n != 0;
	__u32 zero = 0;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpustate, &zero);
	if (!cs)
		return 0;
	__u32 pos = cs->sample_pos + 1;
	if (pos >= n)
		pos = 0;
	cs->sample_pos = pos;
	return pos != 0;
}

static __always_inline void count_into(struct flow_val *v, struct parsed *p, __u32 now_t,
				       struct meter_stats *st, __u32 ifindex)
{
#ifdef FLOWTAP_PERCPU
	/* Benchmark variant on a per-CPU map: no other CPU shares the value. */
	v->packets++;
	v->bytes += p->ip_len;
#else
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, p->ip_len);
#endif
	v->last_t = now_t;
	if (v->first_t == 0)
		v->first_t = now_t;
	__u8 *tcp = (__u8 *)&v->tcp;
	if ((tcp[0] | p->tcp_flags) != tcp[0])
		__sync_fetch_and_or(&v->tcp, (__u32)p->tcp_flags);
	if (p->ttl < tcp[2])
		tcp[2] = p->ttl;
	if (p->ttl > tcp[3])
		tcp[3] = p->ttl;
	/* FIN (0x01) or RST (0x04): one event per flow, so user space can
	 * expire it now rather than at the next idle pass. */
	if (p->tcp_flags & 0x05) {
		__u8 *attrs = (__u8 *)&v->attrs;
		if (!(attrs[3] & ST_FIN_EV)) {
			__u32 old = __sync_fetch_and_or(&v->attrs, (__u32)ST_FIN_EV << 24);
			if (!(old & ((__u32)ST_FIN_EV << 24))) {
				struct meter_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
				if (e) {
					e->kind = EV_END_OF_FLOW;
					e->family = p->family;
					e->pad = 0;
					e->ifindex = ifindex;
					e->time_ns = bpf_ktime_get_ns();
					bpf_ringbuf_submit(e, 0);
					st->fin_events++;
				} else {
					st->event_drops++;
				}
			}
		}
	}
}

static __always_inline void init_val(struct flow_val *v, struct parsed *p, __u32 now_t,
				     __u8 *eth)
{
	v->packets = 1;
	v->bytes = p->ip_len;
	v->first_t = now_t;
	v->last_t = now_t;
	v->tcp = (__u32)p->tcp_flags | ((__u32)p->tos << 8) | ((__u32)p->ttl << 16) |
		 ((__u32)p->ttl << 24);
	v->attrs = (__u32)p->vlan[0] | ((__u32)p->vlan[1] << 12);
	if (p->tcp_flags & 0x05)
		v->attrs |= (__u32)ST_FIN_EV << 24; /* the event is sent by the caller */
	__builtin_memcpy(v->dmac, eth, 6);
	__builtin_memcpy(v->smac, eth + 6, 6);
}

static __always_inline int draining(struct flow_val *v)
{
	return ((__u8 *)&v->attrs)[3] & ST_DRAINING;
}

static __always_inline void cache_full(struct meter_stats *st, struct parsed *p, __u32 ifindex)
{
	st->create_fail_packets++;
	st->create_fail_bytes += p->ip_len;
	__u32 zero = 0;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpustate, &zero);
	__u32 epoch = cfg.full_epoch;
	if (!cs || cs->full_epoch_sent == epoch + 1)
		return;
	/* One event per CPU until user space has aged and bumped the epoch. */
	struct meter_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		st->event_drops++;
		return;
	}
	cs->full_epoch_sent = epoch + 1;
	e->kind = EV_CACHE_FULL;
	e->family = p->family;
	e->pad = 0;
	e->ifindex = ifindex;
	e->time_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	st->full_events++;
}

static __always_inline void new_flow_event(struct meter_stats *st, struct parsed *p, __u32 ifindex)
{
	st->flows_created++;
	if (!(p->tcp_flags & 0x05))
		return;
	struct meter_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		st->event_drops++;
		return;
	}
	e->kind = EV_END_OF_FLOW;
	e->family = p->family;
	e->pad = 0;
	e->ifindex = ifindex;
	e->time_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	st->fin_events++;
}

/* Find the live entry for key (generation 0, else 1), or create one. The
 * macro is instantiated for IPv4 and IPv6 keys. */
#define METER_KEY(MAP, KEY)                                                          \
	do {                                                                         \
		struct flow_val *v = bpf_map_lookup_elem(&MAP, KEY);                 \
		if (lookup_only)                                                     \
			return;                                                      \
		if (v && !draining(v)) {                                             \
			count_into(v, p, now_t, st, ifindex);                       \
			return;                                                      \
		}                                                                    \
		int v0_draining = v != 0;                                            \
		__u32 zero = 0;                                                      \
		__u64 *g1 = bpf_map_lookup_elem(&gen1_live, &zero);                  \
		if (v0_draining || (g1 && *g1)) {                                    \
			(KEY)->gen = 1;                                              \
			struct flow_val *v1 = bpf_map_lookup_elem(&MAP, KEY);        \
			if (v1 && !draining(v1)) {                                   \
				count_into(v1, p, now_t, st, ifindex);              \
				return;                                              \
			}                                                            \
			if (v0_draining && v1) {                                     \
				st->late_packets++;                                  \
				st->late_bytes += p->ip_len;                         \
				return;                                              \
			}                                                            \
			(KEY)->gen = v0_draining;                                    \
		}                                                                    \
		struct flow_val nv;                                                  \
		init_val(&nv, p, now_t, eth);                                            \
		long err = bpf_map_update_elem(&MAP, KEY, &nv, BPF_NOEXIST);         \
		if (err == 0) {                                                      \
			if ((KEY)->gen && g1)                                        \
				__sync_fetch_and_add(g1, 1);                         \
			new_flow_event(st, p, ifindex);                              \
			return;                                                      \
		}                                                                    \
		if (err == -17 /* EEXIST: another CPU created it first */) {        \
			v = bpf_map_lookup_elem(&MAP, KEY);                          \
			if (v && !draining(v)) {                                     \
				count_into(v, p, now_t, st, ifindex);               \
				return;                                              \
			}                                                            \
			st->late_packets++;                                          \
			st->late_bytes += p->ip_len;                                 \
			return;                                                      \
		}                                                                    \
		cache_full(st, p, ifindex);                                          \
	} while (0)

static __always_inline void meter4(struct parsed *p, __u32 ifindex, __u32 now_t,
				   struct meter_stats *st, __u32 salt, __u8 *eth, __u8 *ip,
				   const int lookup_only)
{
	struct flow_key4 k = {};
	__builtin_memcpy(&k.saddr, ip + 12, 4);
	__builtin_memcpy(&k.daddr, ip + 16, 4);
	k.sport = p->sport;
	k.dport = p->dport;
	k.ifindex = ifindex;
	k.proto = p->proto;
	k.tos = p->tos;
	k.saddr ^= salt;
	__u32 *w = (__u32 *)&k;
#pragma unroll
	for (int i = 0; i < 5; i++)
		w[i] &= cfg.mask4[i];
	struct flow_key4 *kp = &k;
	METER_KEY(flows4, kp);
}

static __always_inline void meter6(struct parsed *p, __u32 ifindex, __u32 now_t,
				   struct meter_stats *st, __u32 salt, __u8 *eth, __u8 *ip,
				   const int lookup_only)
{
	struct flow_key6 k = {};
	__builtin_memcpy(k.saddr, ip + 8, 16);
	__builtin_memcpy(k.daddr, ip + 24, 16);
	k.sport = p->sport;
	k.dport = p->dport;
	k.ifindex = ifindex;
	k.proto = p->proto;
	k.tos = p->tos;
	*(__u32 *)k.saddr ^= salt;
	__u32 *w = (__u32 *)&k;
#pragma unroll
	for (int i = 0; i < 11; i++)
		w[i] &= cfg.mask6[i];
	struct flow_key6 *kp = &k;
	METER_KEY(flows6, kp);
}

static __always_inline int run_meter(struct xdp_md *ctx, const int salted, const int lookup_only)
{
	__u32 ifindex = ctx->ingress_ifindex;
	__u32 pflags = cfg.default_port_flags;
	if (ifindex < MAX_PORTS) {
		struct port_cfg *pc = bpf_map_lookup_elem(&ports, &ifindex);
		if (pc)
			pflags = pc->flags;
	}
	int verdict = (pflags & PORT_INLINE) ? XDP_PASS : XDP_DROP;

	__u32 zero = 0;
	struct meter_stats *st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return verdict;
	st->frames++;
	st->frame_bytes += ctx->data_end - ctx->data;
	if (pflags & PORT_NO_METER)
		return verdict;

	struct parsed p = {};
	int r = parse(ctx, &p);
	if (r != PR_OK) {
		if (r < PR_MAX)
			st->unparsed[r]++;
		return verdict;
	}
	if (p.family == 4)
		st->ipv4++;
	else
		st->ipv6++;
	if (sampled_out()) {
		st->sampled_out++;
		return verdict;
	}
	st->metered_packets++;
	st->metered_bytes += p.ip_len;
	__u32 bucket = size_bucket(p.ip_len);
	/* Hide the value from the optimiser so the verifier sees the bound. */
	asm volatile("" : "+r"(bucket));
	if (bucket >= PKT_SIZE_BUCKETS)
		bucket = PKT_SIZE_BUCKETS - 1;
	st->size_hist[bucket]++;

	/* Flow times: the coarse clock (the kernel tick, 4 ms at HZ=250) in
	 * units of 2^20 ns. The precise clock and a division by 10^6 cost
	 * more than the rest of the metering; user space converts exactly. */
	__u32 now_t = bpf_ktime_get_coarse_ns() >> TIME_SHIFT;
	__u32 salt = 0;
	if (salted) {
		/* Benchmark only: a distinct key per run, as a flood of new flows. */
		struct cpu_state *cs = bpf_map_lookup_elem(&cpustate, &zero);
		if (cs)
			salt = ++cs->sample_pos;
	}
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *eth = data;
	__u8 *ip = data + clamp_off(p.l3off);
	if ((void *)(eth + 14) > end)
		return verdict;
	if (p.family == 4) {
		if ((void *)(ip + 20) <= end)
			meter4(&p, ifindex, now_t, st, salt, eth, ip, lookup_only);
	} else if ((void *)(ip + 40) <= end) {
		meter6(&p, ifindex, now_t, st, salt, eth, ip, lookup_only);
	}
	return verdict;
}

SEC("xdp.frags")
int flowtap_meter(struct xdp_md *ctx)
{
	return run_meter(ctx, 0, 0);
}

/* Benchmark baselines and the new-flow benchmark: never attached. */
SEC("xdp.frags")
int bench_meter_newflow(struct xdp_md *ctx)
{
	return run_meter(ctx, 1, 0);
}

/* Everything up to and including the flow lookup: shows what the lookup
 * costs against the counting that follows. */
SEC("xdp.frags")
int bench_meter_lookup_only(struct xdp_md *ctx)
{
	return run_meter(ctx, 0, 1);
}

SEC("xdp.frags")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp.frags")
int bench_parse_only(struct xdp_md *ctx)
{
	struct parsed p = {};
	int r = parse(ctx, &p);
	return r == PR_OK ? XDP_DROP : XDP_PASS;
}

/* ---- reaper ------------------------------------------------------------
 * Run by user space through BPF_PROG_TEST_RUN. MARK decides which flows end
 * and flags them draining (active-timeout splits are taken at once with
 * atomic exchanges, the entry living on). User space then waits for an RCU
 * grace period, after which no writer is inside a draining entry, and runs
 * COLLECT, which copies each draining entry out and deletes it. An
 * increment is therefore either in what COLLECT copies or in a fresh entry:
 * plain batch lookup-and-delete cannot promise that, because an XDP writer
 * may hold a pointer to an element the syscall has already unlinked. */

static __always_inline int emit(__u8 family, __u8 reason, __u8 gen, struct flow_val *v,
				void *key, __u32 key_size)
{
	struct harvest_rec *r = bpf_ringbuf_reserve(&harvest, sizeof(*r), 0);
	if (!r)
		return -1;
	r->family = family;
	r->reason = reason;
	r->gen = gen;
	r->pad = 0;
	__builtin_memcpy(&r->val, v, sizeof(*v));
	__builtin_memset(&r->key, 0, sizeof(r->key));
	if (key_size == sizeof(struct flow_key4))
		__builtin_memcpy(&r->key, key, sizeof(struct flow_key4));
	else
		__builtin_memcpy(&r->key, key, sizeof(struct flow_key6));
	bpf_ringbuf_submit(r, 0);
	return 0;
}

static __always_inline __u8 end_reason(struct flow_val *v)
{
	__u32 f = reap.flags;
	__u8 st = ((__u8 *)&v->attrs)[3];
	if (f & RF_FORCE)
		return 4;
	if ((f & RF_EOF) && (st & ST_FIN_EV))
		return 3;
	if ((f & RF_IDLE) && (__s32)(v->last_t - reap.idle_before) < 0)
		return (f & RF_EMERGENCY) ? 5 : 1;
	if ((f & RF_FAST) && v->first_t && (__s32)(v->first_t - reap.fast_before) < 0 &&
	    v->packets < reap.fast_threshold)
		return 1;
	return 0;
}

static __always_inline long reap_one(void *key, __u32 key_size, __u8 family, __u8 gen,
				     struct flow_val *v, struct bpf_map *map, int sibling)
{
	__u8 *stp = (__u8 *)&v->attrs;
	if (reap.mode == REAP_MARK) {
		if (stp[3] & ST_DRAINING)
			return 0;
		/* Never drain both generations of a key at once: writers that find
		 * one draining count into the other. sibling is set for a gen-1
		 * entry whose gen-0 exists, or a gen-0 whose gen-1 drains. */
		if (sibling)
			return 0;
		__u8 reason = end_reason(v);
		if (reason) {
			__sync_fetch_and_or(&v->attrs,
					    ((__u32)(ST_DRAINING | (reason << ST_REASON_SHIFT))) << 24);
			reap.marked++;
			return 0;
		}
		if ((reap.flags & RF_ACTIVE) && v->first_t &&
		    (__s32)(v->first_t - reap.active_before) < 0) {
			/* Active timeout: take the counters, restart the flow. */
			struct flow_val snap = *v;
			snap.packets = __sync_lock_test_and_set(&v->packets, 0);
			snap.bytes = __sync_lock_test_and_set(&v->bytes, 0);
			snap.tcp = __sync_fetch_and_and(&v->tcp, 0xffffff00);
			v->first_t = 0;
			if (snap.packets == 0 && snap.bytes == 0)
				return 0;
			if (emit(family, 2, gen, &snap, key, key_size) < 0) {
				/* No room: put the counts back, split next time. */
				__sync_fetch_and_add(&v->packets, snap.packets);
				__sync_fetch_and_add(&v->bytes, snap.bytes);
				__sync_fetch_and_or(&v->tcp, snap.tcp & 0xff);
				v->first_t = snap.first_t;
				reap.out_full = 1;
				return 1;
			}
			reap.split++;
		}
		return 0;
	}
	if (!(stp[3] & ST_DRAINING))
		return 0;
	/* COLLECT: after the grace period nobody writes this entry. */
	__u8 reason = (stp[3] >> ST_REASON_SHIFT) & 0x7;
	if (v->packets || v->bytes) {
		if (emit(family, reason, gen, v, key, key_size) < 0) {
			reap.out_full = 1;
			return 1;
		}
	}
	if (gen) {
		__u32 zero = 0;
		__u64 *g1 = bpf_map_lookup_elem(&gen1_live, &zero);
		if (g1 && *g1)
			__sync_fetch_and_add(g1, -1);
	}
	bpf_map_delete_elem(map, key);
	reap.collected++;
	return 0;
}

static __always_inline int gen1_exist(void)
{
	__u32 zero = 0;
	__u64 *g1 = bpf_map_lookup_elem(&gen1_live, &zero);
	return g1 && *g1;
}

static long reap4(struct bpf_map *map, struct flow_key4 *key, struct flow_val *v, void *ctx)
{
	int sibling = 0;
	if (reap.mode == REAP_MARK && (key->gen || gen1_exist())) {
		struct flow_key4 ks = *key;
		ks.gen = !key->gen;
		struct flow_val *sv = bpf_map_lookup_elem(&flows4, &ks);
		sibling = key->gen ? sv != 0 : (sv && draining(sv));
	}
	return reap_one(key, sizeof(*key), 4, key->gen, v, map, sibling);
}

static long reap6(struct bpf_map *map, struct flow_key6 *key, struct flow_val *v, void *ctx)
{
	int sibling = 0;
	if (reap.mode == REAP_MARK && (key->gen || gen1_exist())) {
		struct flow_key6 ks = *key;
		ks.gen = !key->gen;
		struct flow_val *sv = bpf_map_lookup_elem(&flows6, &ks);
		sibling = key->gen ? sv != 0 : (sv && draining(sv));
	}
	return reap_one(key, sizeof(*key), 6, key->gen, v, map, sibling);
}

SEC("xdp")
int flowtap_reap(struct xdp_md *ctx)
{
	reap.marked = 0;
	reap.split = 0;
	reap.collected = 0;
	reap.out_full = 0;
	bpf_for_each_map_elem(&flows4, reap4, 0, 0);
	if (!reap.out_full)
		bpf_for_each_map_elem(&flows6, reap6, 0, 0);
	__u32 one = 1;
	__u64 *deleted = bpf_map_lookup_elem(&gen1_live, &one);
	if (deleted)
		__sync_fetch_and_add(deleted, reap.collected);
	return XDP_PASS;
}
