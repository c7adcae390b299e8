// SPDX-License-Identifier: GPL-2.0
/* flowtap XDP meter: parse L2..L4, sample, key by flow mask, count into the
 * flow table. The hot path is a hash, a bucket's tag line (in the CPU's
 * cache), one slot and a few atomics; aging and export happen in user space, which reads the table
 * through mmap (datapath/table.go). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "meter.h"

char LICENSE[] SEC("license") = "GPL";

/* The flow table (see meter.h): a header line per bucket, and the
 * buckets' slots. Sizes are set by the loader from the configured cache
 * size; BPF_F_MMAPABLE lets user space age it in place. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct bucket_hdr);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32 * BUCKET_SLOTS);
	__type(key, __u32);
	__type(value, struct slot4);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct meter_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

/* Packets whose capture entry found no room (ip flow-capture): a map of
 * its own, so that the pinned stats map keeps the size it had and a
 * restart over it still loads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} capture_full SEC(".maps");

/* The IPv6 packets' share of meter_stats.size_hist, counted on the IPv6
 * path alone, so that an IPv4 packet does no more work than before (IPv4
 * is the whole histogram minus this): `show ip cache flow` and `show ipv6
 * flow cache` each print their own family's distribution. A map of its
 * own, as capture_full is, so the pinned stats map keeps its size. */
struct size_hist {
	__u64 b[PKT_SIZE_BUCKETS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct size_hist);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} size_hist6 SEC(".maps");

/* Per-CPU scratch: deterministic sampler position, last cache-full epoch,
 * the benchmark's key salt, and this CPU's share of the cache size. */
struct cpu_state {
	__u32 sample_pos;
	__u32 full_epoch_sent;
	__u32 salt;
	__u32 reserve; /* units of counters[CTR_LIVE] taken but not yet used by a flow */
};

/* Pinned with the table and replaced with it on a resize: the reserves
 * are units of that table's live counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cpustate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PORTS);
	__type(key, __u32);
	__type(value, struct port_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

/* Per-flow capture extras (meter.h, struct flow_extra), keyed by the
 * masked key. Sized with the table and pinned with it; entries are made
 * by the meter and deleted by the harvest that exports their flow. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key4);
	__type(value, struct flow_extra);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} extras4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key6);
	__type(value, struct flow_extra);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} extras6 SEC(".maps");

/* Subinterfaces: (port, outer VID) -> the subinterface's ifIndex, which
 * replaces the port in the flow key, so two VLANs' flows of one 5-tuple
 * are two flows. Read only while subif_on is set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SUBIFS);
	__type(key, struct vlan_port);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} subifs SEC(".maps");

struct meter_cfg cfg;
/* Its own .bss variable: set while the subifs map has entries. */
__u32 subif_on;
/* Its own .bss variable: settings the table never reads. */
struct capture_cfg capcfg;

/* Keep these in BTF so bpf2go can generate their Go mirrors. */
const struct meter_event *unused_meter_event __attribute__((unused));
const struct slot4 *unused_slot4 __attribute__((unused));
const struct slot6 *unused_slot6 __attribute__((unused));
const struct bucket_hdr *unused_bucket_hdr __attribute__((unused));
const enum table_layout *unused_table_layout __attribute__((unused));
const enum capture_bits *unused_capture_bits __attribute__((unused));

/* ---- parsing ---------------------------------------------------------- */

/* errno values the map helpers return (negated); asm/errno.h is per arch. */
/* Branch hints for the 10K row's batched hit (datapath/README.md,
 * "Measured: the batched hit's code layout"): clang's block placement
 * puts the expected side in the fall-through and the other after the
 * hot blocks, and the JIT keeps that order, so the path a plain packet
 * runs is one run of code with few taken jumps. Only the rare side of a
 * branch is marked: VLAN tags, PPPoE, MPLS, unparsed packets, filters,
 * samplers, overload, subinterfaces, the direct path, a full buffer. */
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define E2BIG 7
#define ENOMEM 12

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

/* Stack only (never in a map), so its layout is free, but for what the
 * verifier makes of it: family to tcp_flags are the record's order
 * (struct batch_rec), so the push (batch_rec_fields) copies the four as
 * one word, and the VLANs as one (the unions make those wide reads of
 * fields written narrow well defined: no type-based aliasing across
 * them). Other orders cost the verifier: the owner beside tcp_flags (and
 * proto in its place at 31) walked flowtap_meter in 291K instructions, the
 * ports as one word at 4 (proto at 8) in 190K, a layout with the 8 bytes
 * from family to tag_xor the record's in 345K, against 157K:
 * datapath/README.md, "Kept: the push by words, the key hashed from its
 * registers". */
struct parsed {
	union {
		struct {
			__u8 family;
			__u8 tos;
			__u8 ttl;
			__u8 tcp_flags;
		};
		__u32 fam_flags;
	};
	__u8 proto;
	__u8 has_ports;
	__u16 sport;
	__u16 dport;
	__u16 nvlan;
	union {
		__u16 vlan[2];
		__u32 vlans;
	};
	__u32 ip_len; /* IP total length: what IOS and nfpcapd count */
	__u32 l3off;
	__u16 sampler; /* the sampler that took it: a key field (flow_key pad) */
	__u16 frag6_off; /* offset of an IPv6 fragment header, 0 if none */
	__u16 mpls_off;  /* offset of the MPLS label stack, 0 if none */
	__u8 nlabels;    /* its depth */
	__u8 owner;      /* the key's owner byte: this CPU + 1, 0 from CPU 255 on (meter.h) */
	__u8 pad[2];
	__u32 flow_first; /* set by table_meter: the counted flow's first_t */
};

_Static_assert(__builtin_offsetof(struct parsed, tos) == __builtin_offsetof(struct parsed, family) + 1 &&
		       __builtin_offsetof(struct parsed, ttl) == __builtin_offsetof(struct parsed, family) + 2 &&
		       __builtin_offsetof(struct parsed, tcp_flags) == __builtin_offsetof(struct parsed, family) + 3 &&
		       __builtin_offsetof(struct parsed, vlans) % 4 == 0 && sizeof(struct parsed) == 40,
	       "struct parsed: family..tcp_flags and the VLANs as the push copies them");

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

/* clamp_off in 64 bits, for an offset loaded from the stack (zero-extended
 * by the load): the 32-bit clamp's result is zero-extended again for the
 * pointer's add, two shifts. */
static __always_inline __u64 clamp_off64(__u64 off)
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
			p->frag6_off = off;
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
		if (likely(type != ETH_P_8021Q && type != ETH_P_8021AD && type != ETH_P_QINQ1))
			break;
		if ((void *)(cur + 4) > end)
			return PR_TRUNC_L2;
		if (i < 2)
			p->vlan[i] = bpf_ntohs(*(__u16 *)cur) & 0x0fff;
		p->nvlan = i + 1;
		type = bpf_ntohs(*(__u16 *)(cur + 2));
		cur += 4;
	}
	if (unlikely(type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ1))
		return PR_TOO_MANY_TAGS;

	if (unlikely(type == ETH_P_PPP_SES)) {
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
	} else if (unlikely(type == ETH_P_MPLS_UC || type == ETH_P_MPLS_MC)) {
		int bos = 0;
		p->mpls_off = (__u16)((void *)cur - data);
#pragma unroll
		for (int i = 0; i < MAX_LABELS; i++) {
			if ((void *)(cur + 4) > end)
				return PR_TRUNC_L2;
			bos = cur[2] & 1;
			cur += 4;
			p->nlabels = i + 1;
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
	if (likely(type == ETH_P_IP))
		return parse_ipv4(p, data, end);
	if (type == ETH_P_IPV6)
		return parse_ipv6(p, data, end);
	return PR_NON_IP;
}

#include "select_impl.h"
#include "overload.h"

/* ---- metering --------------------------------------------------------- */

static __always_inline __u32 size_bucket(__u32 len)
{
	/* 1-32, 64, ..., 576 (steps of 32), then 1024 .. 4608 (steps of 512). */
	if (likely(len <= 576))
		return len ? (len - 1) / 32 : 0;
	return 17 + (len - 1) / 512;
}

/* The flow clock: the coarse monotonic clock (the kernel tick) in units of
 * 2^TIME_SHIFT ns. Its helper is a real call, about 20 ns here (returns
 * are costly under this CPU's SRSO mitigation: a quarter of what metering
 * costs before the table), while bpf_jiffies64 is inlined to a load. The
 * coarse clock moves only at a tick, just after jiffies does, so each CPU
 * keeps its reading for the tick it was taken in and reads the clock
 * again only when jiffies moves. A reading is kept (valid) once it is
 * known to be its tick's: it differs from the previous tick's, or from an
 * earlier reading in the same tick (which then came between the two
 * updates). Until then (the first tick, after a tick with no packet on
 * this CPU, or a tick that did not move the clock) every packet reads the
 * clock, as before. */
struct flow_clock {
	__u64 jiffies; /* the tick ns was last read in */
	__u64 ns;      /* the coarse clock then */
	/* jiffies while ns is the clock of that whole tick, else 0: one
	 * compare with jiffies64 on the common path, where a flag beside
	 * jiffies took two loads and two branches. jiffies64 is never 0 (it
	 * starts at 2^32 - 300 s of ticks on 64-bit kernels and only grows),
	 * nor is a new entry's 0 ever a tick's. */
	__u64 valid_at;
	__u32 now_t; /* ns >> TIME_SHIFT: the flow time, shifted once a reading */
	/* This CPU's last creation was refused (cache full or its buckets
	 * full): a cache below BATCH_MIN_ENTRIES then meters directly
	 * (batch.h). Kept here because every packet reads this line. */
	__u32 refused;
	/* The flush's next record (batch.h, batch_flush_rec_run). */
	__u32 cursor;
	/* This CPU's owner byte (struct parsed's owner, meter.h), written
	 * with each reading before valid_at: a run that takes this tick's
	 * reading takes it with one load of this line, where
	 * bpf_get_smp_processor_id and the test for CPUs past the byte were
	 * five x86 instructions and a taken jump a packet. */
	__u32 owner;
};

/* This CPU's owner byte: this CPU + 1, 0 from CPU 255 on (meter.h). */
static __always_inline __u32 cpu_owner(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	return cpu < OWNER_CPUS ? cpu + 1 : 0;
}

/* Per CPU, not pinned: a new program starts it afresh. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flow_clock);
} flow_clock SEC(".maps");

/* c is this CPU's flow_clock entry, which run_meter looks up once a
 * packet for the clock and batching's refused flag both. */
static __always_inline __u32 flow_time(struct flow_clock *c, __u8 *owner)
{
	__u64 j = bpf_jiffies64();
	if (!c) {
		*owner = cpu_owner();
		return bpf_ktime_get_coarse_ns() >> TIME_SHIFT;
	}
	/* Whether the reading is this tick's, then the reading: a run that
	 * interrupts between the two can only have found jiffies moved on,
	 * so what it leaves is a later reading of the clock. The owner is
	 * this CPU's entry's, written before any valid_at. */
	if (likely(READ_ONCE(c->valid_at) == j)) {
		*owner = READ_ONCE(c->owner);
		return READ_ONCE(c->now_t);
	}
	__u32 o = cpu_owner();
	*owner = o;
	__u64 ns = bpf_ktime_get_coarse_ns();
	__u32 valid;
	if (c->jiffies == j)
		valid = ns != c->ns; /* it moved within the tick: now it is the tick's */
	else
		/* The next tick: the last reading of this one is the
		 * previous tick's clock (a valid one surely; one that was
		 * not is wrong only if every packet of that tick came
		 * between the two updates). After a gap, not known. */
		valid = c->jiffies + 1 == j && ns != c->ns;
	/* valid_at cleared first and set last, the reading before its tick:
	 * a run that interrupts this one on its CPU (XDP in a softirq during
	 * a BPF_PROG_TEST_RUN, say) never takes a half-written reading (it
	 * finds valid_at 0, or the earlier tick this run found it at, never
	 * its own jiffies), and a valid one is the same value for its whole
	 * tick whoever wrote it. */
	WRITE_ONCE(c->valid_at, 0);
	WRITE_ONCE(c->owner, o);
	WRITE_ONCE(c->ns, ns);
	WRITE_ONCE(c->now_t, ns >> TIME_SHIFT);
	WRITE_ONCE(c->jiffies, j);
	WRITE_ONCE(c->valid_at, valid ? j : 0);
	return ns >> TIME_SHIFT;
}

static __always_inline int sampled_out(void)
{
	__u32 n = cfg.sample_n;
	if (likely(cfg.sample_mode == SAMPLE_NONE))
		return 0;
	if (n <= 1)
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

static __always_inline void send_event(struct meter_stats *st, __u8 kind, __u8 family, __u32 ifindex)
{
	struct meter_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		st->event_drops++;
		return;
	}
	e->kind = kind;
	e->family = family;
	e->pad = 0;
	e->ifindex = ifindex;
	e->time_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	if (kind == EV_END_OF_FLOW)
		st->fin_events++;
	else
		st->full_events++;
}

/* Whether a packet of owner counts into its entry with plain adds. */
static __always_inline int plain_owner(__u8 owner)
{
#ifdef FLOWTAP_ATOMIC_ADD
	/* Benchmark variant: what the atomics cost (every entry counted as
	 * an owner-0 entry is). */
	return 0;
#else
	return owner != 0;
#endif
}

/* A packet's counts into its entry v, all but its FIN/RST event
 * (count_into): the direct path's and the flush's in-place hits' one
 * code (batch.h, batch_count_hit). */
static __always_inline void count_vals(struct flow_val *v, const int plain, __u32 ip_len,
				       __u8 tcp_flags, __u8 ttl, __u32 now_t, const int batched)
{
	if (plain) {
		/* An entry with an owner is written by that CPU alone (its
		 * key holds the CPU, and the meter never runs twice at once
		 * on one CPU: meter.h), and the harvest never writes its
		 * counters: plain adds. A locked add waits for the slot's
		 * line, which a hit has just missed on, and costs 10-22 ns
		 * more (datapath/README.md). Through 64-bit pointers: the
		 * value is packed (4-byte aligned for the compiler), which
		 * would split each add into two 32-bit loads and stores; the
		 * counters are 8-byte aligned (the slot's first bytes), and a
		 * reader (Peek) then never sees half an add. Said to clang
		 * with assume_aligned: a cast alone kept the packed value's
		 * 4-byte alignment, and it split the adds anyway
		 * (TestPlainAddsWhole). */
		__u64 *ctr = __builtin_assume_aligned(&v->packets, 8);
		ctr[0] += 1;
		ctr[1] += ip_len;
	} else {
		/* Owner 0: CPUs the byte cannot name share the entry. */
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, ip_len);
		/* first_t 0 is an entry an older version split at its active
		 * timeout (its key has owner 0 too): its next packet dates it. */
		if (v->first_t == 0)
			v->first_t = now_t;
	}
	if (!batched) {
		v->last_t = now_t;
	} else if (plain) {
		/* A buffered packet may be applied after a later one of its
		 * flow went directly (its buffer full, capture switched on):
		 * its time moves the flow's span only outward. */
		if ((__s32)(now_t - v->last_t) > 0)
			v->last_t = now_t;
		if ((__s32)(v->first_t - now_t) > 0)
			v->first_t = now_t;
	} else {
		v->last_t = now_t;
	}
	__u8 *tcp = (__u8 *)&v->tcp;
	if ((tcp[0] | tcp_flags) != tcp[0])
		__sync_fetch_and_or(&v->tcp, (__u32)tcp_flags);
	if (ttl < tcp[2])
		tcp[2] = ttl;
	if (ttl > tcp[3])
		tcp[3] = ttl;
}

static __always_inline void count_into(struct flow_val *v, struct parsed *p, __u32 now_t,
				       struct meter_stats *st, __u32 ifindex, const int batched)
{
	count_vals(v, plain_owner(p->owner), p->ip_len, p->tcp_flags, p->ttl, now_t, batched);
	/* FIN (0x01) or RST (0x04): one event per flow, so user space can
	 * expire it now rather than at the next idle pass. */
	if (p->tcp_flags & 0x05) {
		__u8 *attrs = (__u8 *)&v->attrs;
		if (!(attrs[3] & ST_FIN_EV)) {
			__u32 old = __sync_fetch_and_or(&v->attrs, (__u32)ST_FIN_EV << 24);
			if (!(old & ((__u32)ST_FIN_EV << 24)))
				send_event(st, EV_END_OF_FLOW, p->family, ifindex);
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

/* What a refusal sets beside its counts: this CPU's refused flag, and
 * the CPU's state if the full-cache event (one per CPU until user space
 * has aged and bumped the epoch) is due, else NULL. */
static __always_inline struct cpu_state *cache_full_flag(__u32 *epoch)
{
	__u32 zero = 0;
	struct flow_clock *c = bpf_map_lookup_elem(&flow_clock, &zero);
	if (c)
		c->refused = 1;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpustate, &zero);
	*epoch = cfg.full_epoch;
	if (!cs || cs->full_epoch_sent == *epoch + 1)
		return 0;
	return cs;
}

static __always_inline void cache_full_event(struct meter_stats *st, struct cpu_state *cs, __u32 epoch,
					     __u8 family, __u32 ifindex)
{
	cs->full_epoch_sent = epoch + 1;
	send_event(st, EV_CACHE_FULL, family, ifindex);
}

/* A packet the cache refused (the direct path's; the flush's refusals in
 * place count theirs once a flush: batch.h, batch_refuse_full). */
static __always_inline void cache_full_(struct meter_stats *st, __u8 family, __u32 ip_len,
					__u32 ifindex, int contention)
{
	st->create_fail_packets++;
	st->create_fail_bytes += ip_len;
	if (contention)
		st->create_fail_contention++;
	else
		st->create_fail_full++;
	__u32 epoch;
	struct cpu_state *cs = cache_full_flag(&epoch);
	if (cs)
		cache_full_event(st, cs, epoch, family, ifindex);
}

static __always_inline void cache_full(struct meter_stats *st, struct parsed *p, __u32 ifindex,
				       int contention)
{
	cache_full_(st, p->family, p->ip_len, ifindex, contention);
}

/* ---- the flow table ---------------------------------------------------- */

static __always_inline __u64 fmix64(__u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The key hashes (HASH_*), both seeded: the seed is random per table so
 * nobody can aim traffic at one bucket. A table keeps the hash it was
 * created with (counters[CTR_HASH]); user space sets key_hash_kind to it
 * before the load. A read-only constant, so the verifier follows only the
 * branch taken and removes the other hash's code: the choice costs a hit
 * nothing (a run-time switch in .bss cost 1-4 ns a packet in test runs).
 */
volatile const __u32 key_hash_kind = HASH_LANES;

/* HASH_CHAIN, tables created before HASH_LANES: a chain of one multiply
 * per 32-bit word, then fmix64; the tag and home from one more multiply.
 * Its latency, seven (IPv4) or thirteen (IPv6) dependent multiplies and
 * the eighth for the tag, all come before the header's address. */
static __always_inline __u64 hash_chain(const __u32 *w, const int nwords)
{
	__u64 h = cfg.seed;
#pragma unroll
	for (int i = 0; i < nwords; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	return fmix64(h);
}

/* hash_lanes' end: the lanes a and b joined, an odd last word added, the
 * finaliser. */
static __always_inline __u64 hash_lanes_end(__u64 a, __u64 b, __u32 last)
{
	__u64 h = a ^ (b << 32 | b >> 32);
	h += last;
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	return h;
}

/* HASH_LANES: the key as 64-bit words, alternately into two lanes (one
 * multiply per word, the lanes independent of each other), an odd last
 * 32-bit word added, then a multiply-xorshift finaliser of two multiplies.
 * An IPv4 key (two 64-bit words and one 32-bit) is three dependent
 * multiplies, an IPv6 key five. The tag and home come from bits of the
 * result the buckets do not use (hash_place), so no further multiply.
 * Both lanes start from the seed, so without it which keys share a bucket
 * cannot be worked out. */
static __always_inline __u64 hash_lanes(const __u32 *w, const int nwords)
{
	__u64 s = cfg.seed;
	__u64 a = s, b = s << 32 | s >> 32;
#pragma unroll
	for (int i = 0; i + 1 < nwords; i += 2) {
		__u64 x = (__u64)w[i] | (__u64)w[i + 1] << 32;
		if ((i / 2) % 2 == 0)
			a = (a ^ x) * 0x9e3779b97f4a7c15ULL;
		else
			b = (b ^ x) * 0xc2b2ae3d27d4eb4fULL;
	}
	return hash_lanes_end(a, b, nwords % 2 ? w[nwords - 1] : 0);
}

/* hash_lanes of an IPv4 key (five words) whose words the caller holds in
 * registers as the lanes take them: x0 words 0-1, x1 words 2-3, w4. */
static __always_inline __u64 hash_lanes4(__u64 x0, __u64 x1, __u32 w4)
{
	__u64 s = cfg.seed;
	__u64 a = (s ^ x0) * 0x9e3779b97f4a7c15ULL;
	__u64 b = ((s << 32 | s >> 32) ^ x1) * 0xc2b2ae3d27d4eb4fULL;
	return hash_lanes_end(a, b, w4);
}

/* The benchmark variant's CPU halves (benchHalves) on a key's hash h:
 * CPU 0's keys take their first two buckets in the table's first half,
 * CPU 1's in its second, so two CPUs making flows never write the same
 * header line (the key holds its CPU, so a flow's packets on one CPU still
 * find it). What the sharing of the table's lines costs two CPUs
 * (datapath/README.md, "One and two queues"). Else h. */
static __always_inline __u64 key_hash_cpu(__u64 h)
{
#ifdef FLOWTAP_CPU_HALVES
	__u64 c = bpf_get_smp_processor_id() & 1;
	return (h & ~((1ULL << 31) | (1ULL << 63))) | (c << 31) | (c << 63);
#else
	return h;
#endif
}

static __always_inline __u64 key_hash(const __u32 *w, const int nwords)
{
	if (key_hash_kind == HASH_CHAIN)
		return key_hash_cpu(hash_chain(w, nwords));
	return key_hash_cpu(hash_lanes(w, nwords));
}

/* key_hash of an IPv4 key whose words the caller holds in registers as
 * hash_lanes4 takes them (x0 words 0-1, x1 words 2-3, w4), not loaded
 * back from where it stored them. */
static __always_inline __u64 key_hash4(__u64 x0, __u64 x1, __u32 w4)
{
	if (key_hash_kind == HASH_CHAIN) {
		__u32 w[5] = {(__u32)x0, x0 >> 32, (__u32)x1, x1 >> 32, w4};
		return key_hash_cpu(hash_chain(w, 5));
	}
	return key_hash_cpu(hash_lanes4(x0, x1, w4));
}

/* A key's tag bits (TAG_HASH_MASK of them) and home slot (0..30) from its
 * hash h, from bits neither bucket choice uses much (the first bucket is
 * the top of h's low half, the second the top of its high half). */
static __always_inline void hash_place_kind(__u64 h, const __u32 kind, __u16 *tag, __u32 *home)
{
	if (kind == HASH_CHAIN) {
		/* The hash mixed again; the tag from its low bits, the home
		 * from its high half, which neither the tag nor the buckets
		 * (h) use. */
		__u64 hx = h * 0xc4ceb9fe1a85ec53ULL;
		hx ^= hx >> 31;
		*tag = hx & TAG_HASH_MASK;
		*home = ((hx >> 32) * BUCKET_SLOTS) >> 32;
		return;
	}
	/* Bits 32-47 as the high half of a 32-bit value, so the arithmetic
	 * is the chain's (which keeps the compiler from merging the two into
	 * a shift by a variable count). */
	*tag = h & TAG_HASH_MASK;
	*home = (((h >> 16) & 0xffff0000) * BUCKET_SLOTS) >> 32;
}

/* The same for the table's hash (key_hash_kind); the flush, which places
 * 16 records a run, tests the kind once for them all (batch.h). */
static __always_inline void hash_place(__u64 h, __u16 *tag, __u32 *home)
{
	hash_place_kind(h, key_hash_kind, tag, home);
}

/* Where an entry's key word i is: an IPv4 key fits in the slot's line
 * after the value; an IPv6 key's words from 5 on are its tail, at b (a
 * half of a neighbouring slot, see meter.h). */
#define KEY_IN_FIRST ((LINE_BYTES - sizeof(struct flow_val)) / 4)
static __always_inline __u32 *key_word(void *a, void *b, const int i)
{
	if (i < KEY_IN_FIRST)
		return (__u32 *)((__u8 *)a + sizeof(struct flow_val)) + i;
	return (__u32 *)b + (i - KEY_IN_FIRST);
}

/* The tail slot of an IPv6 head in slot j (its index in the bucket), and
 * where its half starts in that slot. */
static __always_inline __u32 tail_slot(__u32 j, const int left)
{
	return left ? j - 1 : j + 1;
}

static __always_inline void *tail_half(void *t, const int left)
{
	return (__u8 *)t + (left ? TAIL_OFF_R : 0);
}

static __always_inline struct flow_val *slot_at(__u32 idx)
{
	return bpf_map_lookup_elem(&flows, &idx);
}

static __always_inline struct bucket_hdr *hdr_at(__u32 b)
{
	return bpf_map_lookup_elem(&buckets, &b);
}

/* The live entry for k in slot j of the bucket whose first slot is base,
 * or 0. The state first: once it says live, the key (written before it)
 * is whole, and for IPv6 it says where the tail is. A reader that took
 * the tag just before a harvest freed the slot and a writer refilled it
 * sees the new entry's state (not live until its key is written) or the
 * old one's (draining), never a key half old, half new. Then the first
 * line's words, so a different IPv4 or IPv6 key costs that one line. */
static __always_inline struct flow_val *probe(__u32 base, __u32 j, const __u32 *k, const int nw)
{
	struct flow_val *a = slot_at(base + j);
	if (!a)
		return 0;
	__u8 st = ((volatile __u8 *)&a->attrs)[3];
	if ((st & (ST_LIVE | ST_DRAINING)) != ST_LIVE)
		return 0;
	asm volatile("" ::: "memory"); /* the key after the state */
	__u32 d = 0;
#pragma unroll
	for (int i = 0; i < nw && i < KEY_IN_FIRST; i++)
		d |= *key_word(a, 0, i) ^ k[i];
	if (d)
		return 0;
	if (nw > KEY_IN_FIRST) {
		const int left = st & ST_TAIL_LEFT;
		void *t = slot_at(base + tail_slot(j, left));
		if (!t)
			return 0;
		void *b = tail_half(t, left);
#pragma unroll
		for (int i = KEY_IN_FIRST; i < nw; i++)
			d |= *key_word(a, b, i) ^ k[i];
		if (d)
			return 0;
	}
	return a;
}

/* 16-bit lanes of x equal to zero, as their top bit (exact: the classic
 * SWAR test plus the high-bit fixup). */
static __always_inline __u64 zero_lanes(__u64 x)
{
	__u64 lo = 0x7fff7fff7fff7fffULL;
	return ~(((x & lo) + lo) | x | lo);
}

/* The top bits of zero_lanes (15, 31, 47, 63) gathered into 4 low bits:
 * one multiply moves each to bits 48..51, the other products landing
 * below 48 or past 63. */
static __always_inline __u32 gather(__u64 z)
{
	return ((z >> 15) * 0x0001000200040008ULL) >> 48;
}

/* Bit j set for each of the bucket's slots whose tag is tag. Most
 * lookups match nothing (a new flow, a refused packet) and return after
 * the test. */
static __always_inline __u32 tag_lanes(struct bucket_hdr *hdr, __u16 tag)
{
	__u64 rep = 0x0001000100010001ULL * tag, any = 0;
	/* Whether any lane matches: the classic test without its fixup,
	 * whose top bits may be set above a zero lane but are all clear in a
	 * word without one, so it is exact for "any", in two operations per
	 * word fewer. */
#pragma unroll
	for (int w = 0; w < LINE_BYTES / 8; w++) {
		__u64 x = ((volatile __u64 *)hdr)[w] ^ rep;
		any |= (x - 0x0001000100010001ULL) & ~x;
	}
	if (!(any & 0x8000800080008000ULL))
		return 0;
	/* A second pass over the line (now in L1) rather than eight words
	 * kept on the stack, which the program's stack cannot spare. */
	__u32 m = 0;
#pragma unroll
	for (int w = 0; w < LINE_BYTES / 8; w++)
		m |= gather(zero_lanes(((volatile __u64 *)hdr)[w] ^ rep)) << (4 * w);
	return m & ((1U << BUCKET_SLOTS) - 1);
}

static __always_inline __u32 lowest(__u32 m)
{
	/* index of the lowest set bit: popcount of the bits below it */
	__u32 j = __builtin_popcount((m & -m) - 1);
	return j & 31;
}

/* The live entry for k among the slots in m (tag matches) of bucket base.
 * A 14-bit tag rarely matches another key, so a few tries suffice: a key
 * lives once, plus the draining husks a harvest may leave for a while. */
static __always_inline struct flow_val *scan(__u32 base, __u32 m, const __u32 *k, const int nw)
{
	for (int it = 0; it < 4; it++) {
		if (!m)
			return 0;
		__u32 j = lowest(m);
		m &= m - 1;
		struct flow_val *v = probe(base, j, k, nw);
		if (v)
			return v;
	}
	return 0;
}

/* The live entry for k in its first bucket, whose header is hdr:
 * first its home slot (one tag of the header compared, then the slot
 * probed), where most entries are, then every slot whose tag matches, for
 * entries placed elsewhere (their home was taken, or a version without
 * home slots filled the table) and tag collisions. The home probe spares
 * a hit the scan of the whole header and lowest(); and as the home's
 * index does not wait for the header, the CPU can start the slot's load
 * (on the predicted branch) while the header's is still under way. */
static __always_inline struct flow_val *find(struct bucket_hdr *hdr, __u32 base, __u32 home,
					     __u16 tag, const __u32 *k, const int nw)
{
	home &= 31;
	if (((volatile __u16 *)hdr->tag)[home] == tag) {
		struct flow_val *v = probe(base, home, k, nw);
		if (v)
			return v;
	}
	return scan(base, tag_lanes(hdr, tag), k, nw);
}

/* A key's third (i 0) and fourth (i 1) buckets: where it goes when its
 * first two have no room. From the key's hash, mixed again, so they do
 * not follow from the first two. */
static __always_inline __u32 spill_bucket(const __u32 *k, const int nw, const int i)
{
	/* The hash again rather than kept: a live 64-bit value across the
	 * lookup would cost stack the program has not got, and only the
	 * rare spill paths come here. */
	__u64 h = key_hash(k, nw);
	__u64 hy = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	hy ^= hy >> 32;
	hy *= 0x94d049bb133111ebULL;
	__u32 half = i ? hy >> 32 : hy & 0xffffffff;
	return ((__u64)half * cfg.buckets) >> 32;
}

/* The live entry for k in its third or fourth bucket: only for a key
 * whose first bucket says some key spilled that far. */
static __always_inline struct flow_val *scan_spill_(__u16 tag, const __u32 *k, const int nw)
{
#pragma unroll
	for (int i = 0; i < 2; i++) {
		__u32 b = spill_bucket(k, nw, i);
		struct bucket_hdr *hdr = hdr_at(b);
		if (!hdr)
			return 0;
		struct flow_val *v = scan(b * BUCKET_SLOTS, tag_lanes(hdr, tag), k, nw);
		if (v)
			return v;
	}
	return 0;
}

/* Not inlined, one per family (the key's length a constant): a rare path,
 * whose eight probes inlined took the program past its stack limit once
 * IPv6 tails could be on either side. */
static __noinline struct flow_val *scan_spill4(__u16 tag, const __u32 *k)
{
	return scan_spill_(tag, k, KEY_IN_FIRST);
}

static __noinline struct flow_val *scan_spill6(__u16 tag, const __u32 *k)
{
	return scan_spill_(tag, k, sizeof(struct flow_key6) / 4);
}

static __always_inline struct flow_val *scan_spill(__u16 tag, const __u32 *k, const int nw)
{
	return nw > KEY_IN_FIRST ? scan_spill6(tag, k) : scan_spill4(tag, k);
}

/* Claim slot j of a bucket: compare-and-swap its free tag to CLAIMED.
 * For IPv6 also the half of its tail slot that belongs to j: the slot
 * before it if share says j shares the tail there (the tail after it
 * if that one's right half is free, which is as good), else the slot
 * after it, a new tail. In the same compare-and-swap when both tags are
 * one 32-bit word, else in a second one after the head's, the head given
 * back if the tail's fails (nobody else touches a claimed tag). The tail
 * slot must be free or a tail whose other half only is in use. Returns 0,
 * or 1 with the tail after j, 2 with it before. */
static __always_inline int claim(struct bucket_hdr *hdr, __u32 j, const int v6, int share)
{
	j &= 31;
	int left = v6 && share &&
		   (j + 1 >= BUCKET_SLOTS || ((volatile __u16 *)hdr->tag)[(j + 1) & 31] != TAG_CONT_R);
	__u32 *word = (__u32 *)hdr + (j >> 1);
	__u32 shift = 16 * (j & 1);
	__u32 t = tail_slot(j, left) & 31;
	__u32 *tword = (__u32 *)hdr + (t >> 1);
	__u32 tshift = 16 * (t & 1);
	__u32 half = left ? TAG_CONT_R : TAG_CONT_L;
	__u32 other = left ? TAG_CONT_L : TAG_CONT_R;
	int claimed = 0;
#pragma unroll
	for (int try = 0; try < 2; try++) {
		__u32 old = *(volatile __u32 *)word;
		if ((old >> shift) & 0xffff)
			return 0;
		__u32 want = old | ((__u32)TAG_CLAIMED << shift);
		if (v6 && tword == word) {
			__u32 tl = (old >> tshift) & 0xffff;
			if (tl != TAG_FREE && tl != other)
				return 0;
			want |= half << tshift;
		}
		if (__sync_val_compare_and_swap(word, old, want) == old) {
			claimed = 1;
			break;
		}
	}
	if (!claimed)
		return 0;
	if (!v6 || tword == word)
		return 1 + left;
#pragma unroll
	for (int try = 0; try < 2; try++) {
		__u32 old = *(volatile __u32 *)tword;
		__u32 tl = (old >> tshift) & 0xffff;
		if (tl != TAG_FREE && tl != other)
			break;
		if (__sync_val_compare_and_swap(tword, old, old | (half << tshift)) == old)
			return 1 + left;
	}
	__sync_fetch_and_and(word, ~((__u32)0xffff << shift));
	return 0;
}

/* Give back what claim took (not reached in practice: a slot lookup of
 * the bucket failed). */
static __always_inline void unclaim(struct bucket_hdr *hdr, __u32 j, const int v6, const int left)
{
	j &= 31;
	__u32 t = tail_slot(j, left) & 31;
	if (v6)
		__sync_fetch_and_and((__u32 *)hdr + (t >> 1),
				     ~((__u32)(left ? TAG_CONT_R : TAG_CONT_L) << (16 * (t & 1))));
	__sync_fetch_and_and((__u32 *)hdr + (j >> 1), ~((__u32)0xffff << (16 * (j & 1))));
}

/* A bucket with fewer places for an entry than these is busy: a new flow
 * then goes to the emptier of its two buckets. */
#define BUSY_SLOTS 8
#define BUSY_PAIRS 6

/* Slots of a bucket where an entry can start (bits 0..30): any free slot
 * for IPv4. For IPv6 a free slot next to a tail whose half facing it is
 * free (also in bits 32..62: sharing a tail is the better fit), or
 * followed by a free slot (a new tail after it, whose other half then
 * serves the slot after: a run of free slots fills head, tail, head,
 * head, tail, head...). One value rather than out-parameters: the
 * program has little stack to spare. */
static __always_inline __u64 free_starts(struct bucket_hdr *hdr, const int v6)
{
	__u32 f = tag_lanes(hdr, TAG_FREE);
	if (!v6)
		return f;
	__u32 cl = tag_lanes(hdr, TAG_CONT_L), cr = tag_lanes(hdr, TAG_CONT_R);
	__u32 share = (f & (cr >> 1)) | (f & (cl << 1));
	return ((share | (f & (f >> 1))) & ((1U << BUCKET_SLOTS) - 1)) | (__u64)share << 32;
}

/* Take one unit of the cache's size for a new flow. Units come from this
 * CPU's reserve, refilled from the shared live counter in batches, so a
 * new flow writes no cache line shared by all CPUs except once a batch.
 * A batch is a fraction of what is left, at least 1 and at most
 * RESERVE_MAX: near the cache's size it shrinks to one unit, so the units
 * other CPUs hold unused are a small part of the free space and a
 * creation fails for "full" only with the cache (nearly) at its size.
 * While the cache is full, a refused packet only reads the counter, whose
 * line then stays in every CPU's cache. User space counts the reserves
 * as free (Usage) and never touches them; a harvest's frees go to the
 * shared counter. */
#define RESERVE_MAX 64
#define RESERVE_DIV 16

static __always_inline int take_capacity(struct cpu_state *cs)
{
	if (cs->reserve) {
		cs->reserve--;
		return 1;
	}
	__u32 li = CTR_LIVE;
	__u64 *live = bpf_map_lookup_elem(&counters, &li);
	if (!live)
		return 0;
	__u64 cap = cfg.cap;
	__u64 cur = *(volatile __u64 *)live;
	if (cur >= cap)
		return 0;
	__u64 want = (cap - cur) / RESERVE_DIV;
	if (want < 1)
		want = 1;
	if (want > RESERVE_MAX)
		want = RESERVE_MAX;
	__u64 old = __sync_fetch_and_add(live, want);
	if (old >= cap) {
		__sync_fetch_and_add(live, -want);
		return 0;
	}
	if (old + want > cap) {
		/* Raced past the size: keep only what fits. */
		__u64 excess = old + want - cap;
		__sync_fetch_and_add(live, -excess);
		want -= excess;
	}
	cs->reserve += want - 1;
	return 1;
}

/* Count a packet of key k (already masked) into its flow, creating it if
 * the cache has room. Returns 0 if it was not counted, 2 if it created
 * the entry, 1 otherwise. */
static __always_inline int table_meter_h(const __u32 *k, const int nw, __u64 h, struct parsed *p,
					 __u32 now_t, struct meter_stats *st, __u32 ifindex,
					 __u8 *eth, const int lookup_only, const int batched,
					 __u32 ahead)
{
	const int v6 = nw > KEY_IN_FIRST;
	__u32 nb = cfg.buckets;
	__u32 b1 = ((h & 0xffffffff) * nb) >> 32;
	__u32 b2 = ((h >> 32) * nb) >> 32;
	if (b2 == b1)
		b2 = b1 + 1 < nb ? b1 + 1 : 0;
	/* The tag, and the home slot (0..30): a new entry takes its home
	 * when it can start there, and a lookup compares its tag first
	 * (find). */
	__u16 tag;
	__u32 home;
	hash_place(h, &tag, &home);
	tag |= TAG_USED | (v6 ? TAG_V6 : 0);
	__u32 base1 = b1 * BUCKET_SLOTS, base2 = b2 * BUCKET_SLOTS;
	if (lookup_only == 2) {
		/* Benchmark: everything but the table. The asm keeps what the
		 * table would use, so the compiler cannot drop the hash. */
		asm volatile("" : : "r"(tag), "r"(base1), "r"(base2));
		return 0;
	}

	/* The header first: the headers are 1/32 of the table and stay in
	 * the CPU's cache, so a hit misses on its slot alone, and a packet
	 * of a new flow (or one the full cache refuses) on nothing. */
	struct bucket_hdr *h1 = hdr_at(b1), *h2 = 0;
	if (!h1)
		return 0;
	/* A flush already chose the slot this record's entry is in (ahead,
	 * its line loaded): an entry away from home is tried there first,
	 * not after the home's tag and a scan of the tags. */
	__u32 look = home;
	if (batched && ahead - base1 < BUCKET_SLOTS)
		look = ahead - base1;
	struct flow_val *v = find(h1, base1, look, tag, k, nw);
	if (!v && (*(volatile __u16 *)&h1->flags & HDR_OVERFLOW)) {
		h2 = hdr_at(b2);
		if (!h2)
			return 0;
		v = scan(base2, tag_lanes(h2, tag), k, nw);
	}
	if (!v && (*(volatile __u16 *)&h1->flags & HDR_OVERFLOW2))
		v = scan_spill(tag, k, nw);
	if (lookup_only)
		return 0;
	if (v) {
		count_into(v, p, now_t, st, ifindex, batched);
		p->flow_first = *(volatile __u32 *)&v->first_t;
		return 1;
	}
	/* A new flow (or its old entry drains): take a slot if the cache is
	 * under its size. */
	__u32 zero = 0;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpustate, &zero);
	if (!cs)
		return 0;
	if (!take_capacity(cs)) {
		cache_full(st, p, ifindex, 0);
		return 0;
	}
	/* The first bucket while it has room, so its keys' lookups stay in
	 * it; once it is busy, the emptier of the two, as two-choice hashing
	 * does, which keeps the buckets even. */
	struct bucket_hdr *hb = h1;
	__u32 base = base1;
	__u64 f = free_starts(h1, v6);
	if (__builtin_popcount((__u32)f) < (v6 ? BUSY_PAIRS : BUSY_SLOTS)) {
		if (!h2) {
			h2 = hdr_at(b2);
			if (!h2) {
				cs->reserve++;
				return 0;
			}
		}
		__u64 f2 = free_starts(h2, v6);
		if (__builtin_popcount((__u32)f2) > __builtin_popcount((__u32)f)) {
			/* Before the entry is published: a reader that misses it
			 * in the first bucket then looks in the second. */
			if (!(*(volatile __u16 *)&h1->flags & HDR_OVERFLOW))
				__sync_fetch_and_or((__u32 *)h1 + BUCKET_SLOTS / 2,
						    (__u32)HDR_OVERFLOW << 16);
			hb = h2;
			base = base2;
			f = f2;
		}
	}
	if (!(__u32)f) {
		/* Both full: the third bucket, else the fourth, flagged in the
		 * first (before the entry is published) so lookups follow. */
		for (int i = 0; i < 2; i++) {
			if ((__u32)f)
				break;
			__u32 bs = spill_bucket(k, nw, i);
			struct bucket_hdr *hs = hdr_at(bs);
			if (!hs) {
				cs->reserve++;
				return 0;
			}
			f = free_starts(hs, v6);
			hb = hs;
			base = bs * BUCKET_SLOTS;
		}
		if ((__u32)f && !(*(volatile __u16 *)&h1->flags & HDR_OVERFLOW2))
			__sync_fetch_and_or((__u32 *)h1 + BUCKET_SLOTS / 2,
					    (__u32)HDR_OVERFLOW2 << 16);
	}
	/* An entry takes its home slot when it can start there: for IPv4
	 * when it is free, for IPv6 (in a cache of HOME6_MIN_ENTRIES or more)
	 * when it is free and so is the slot after it or a neighbouring
	 * tail's half facing it (then that tail is shared). Else the lowest
	 * place, for IPv6 by best fit: the free half of an existing tail
	 * before a new tail. With shared tails a single slot between entries
	 * still serves IPv6 as a head or a tail. (An IPv6 home taken only
	 * when it was the best fit held 39% of the entries and measured
	 * worse; at any start it holds most of them, and a hit then skips
	 * the scan: cheaper in tables past the L3, and in a 16K cache's
	 * batched, dearer there direct: datapath/README.md.) */
	/* Lost a race for that slot: the header again, and the best place
	 * left. Not the next of the same snapshot: two writers creating in
	 * one bucket both go for its lowest start, and the next start of
	 * the loser is then often the winner's new tail, so a creation
	 * failed as contention in a bucket with room. */
	__u32 j = 0;
	int got = 0;
#pragma unroll
	for (int round = 0; round < 3; round++) {
		if (round)
			f = free_starts(hb, v6);
		const int share = (f >> 32) != 0;
		__u32 m = share ? f >> 32 : (__u32)f;
		if (!m)
			break;
		int sh = share;
		if (!round && (((__u32)f >> home) & 1) && (!v6 || cfg.cap >= HOME6_MIN_ENTRIES)) {
			/* IPv6: sharing a tail there if it can, else a new
			 * tail after it. */
			j = home;
			sh = v6 && ((f >> (32 + home)) & 1);
		} else {
			j = lowest(m);
		}
		got = claim(hb, j, v6, sh);
		if (got)
			break;
	}
	if (!got) {
		cs->reserve++; /* the unit goes back to this CPU's share */
		cache_full(st, p, ifindex, 1);
		return 0;
	}
	const int tl = got == 2;
	__u32 *word = (__u32 *)hb + ((j & 31) >> 1);
	struct flow_val *s = slot_at(base + j);
	void *s2 = s;
	if (v6) {
		s2 = slot_at(base + tail_slot(j, tl));
		if (s2)
			s2 = tail_half(s2, tl);
	}
	if (!s || !s2) {
		/* Not reached: j is a slot of the bucket. Give the slot back. */
		unclaim(hb, j, v6, tl);
		cs->reserve++;
		return 0;
	}
	/* Not live (and not draining) first, so nobody uses the entry while
	 * the key and value are written. */
	*(volatile __u32 *)&s->attrs = 0;
	asm volatile("" ::: "memory");
#pragma unroll
	for (int i = 0; i < nw; i++)
		*key_word(s, s2, i) = k[i];
	init_val(s, p, now_t, eth);
	/* Publish: live in the entry (no one else writes it while the tag
	 * says claimed), then the tag, atomically (a full barrier), so a
	 * reader that sees the tag sees the key and value. A reader that
	 * found the slot through the tag before a harvest freed it and this
	 * writer took it skips it until it is live. */
	asm volatile("" ::: "memory");
	((volatile __u8 *)&s->attrs)[3] |= ST_LIVE | (tl ? ST_TAIL_LEFT : 0);
	__sync_fetch_and_xor(word, (__u32)(TAG_CLAIMED ^ tag) << (16 * (j & 1)));
	st->flows_created++;
	{
		__u32 zero = 0;
		struct flow_clock *c = bpf_map_lookup_elem(&flow_clock, &zero);
		if (c && c->refused)
			c->refused = 0;
	}
	p->flow_first = now_t;
	if (p->tcp_flags & 0x05)
		send_event(st, EV_END_OF_FLOW, p->family, ifindex);
	return 2;
}

static __always_inline int table_meter(const __u32 *k, const int nw, struct parsed *p, __u32 now_t,
				       struct meter_stats *st, __u32 ifindex, __u8 *eth,
				       const int lookup_only)
{
	return table_meter_h(k, nw, key_hash(k, nw), p, now_t, st, ifindex, eth, lookup_only, 0, ~0U);
}

/* Four bytes of the packet in one load. A memcpy from a __u8 pointer is
 * four byte loads and three shifts and ors: clang assumes the bytes
 * unaligned, and so they may be (an IPv4 address after a 14-byte
 * Ethernet header is 2-byte aligned), which x86 loads at full speed and
 * the verifier allows for packet data where unaligned access is
 * efficient (no BPF_F_STRICT_ALIGNMENT). Through a pointer of a
 * 4-byte type, so the compiler makes it one load. */
static __always_inline __u32 pkt_word(const __u8 *at)
{
	return *(const __u32 *)at;
}

/* 8 bytes of the packet at at, as pkt_word. */
static __always_inline __u64 pkt_dword(const __u8 *at)
{
	return *(const __u64 *)at;
}

#include "batch.h"

/* ---- capture extras ---------------------------------------------------- */

/* The IPv6 extension headers in front of the packet's transport header,
 * as EXT6_* bits: the parser's walk again (parse_ipv6 keeps only where a
 * fragment header is), made here so that metering without capture pays
 * nothing for it. The walk ends where the parser's did: at the transport
 * header, or at ESP or IPComp, whose payload it cannot read. HIP and shim6
 * headers have no bit. */
static __always_inline __u16 ext6_seen(void *data, void *end, __u32 off, __u8 nh)
{
	__u16 seen = 0;
	for (int i = 0; i < MAX_V6_EXT; i++) {
		__u8 *h = data + clamp_off(off);
		__u32 len;
		switch (nh) {
		case 0:
		case 43:
		case 60:
		case 135:
		case 139:
		case 140:
			if ((void *)(h + 2) > end)
				return seen;
			seen |= nh == 0 ? EXT6_HOP : nh == 43 ? EXT6_RH : nh == 60 ? EXT6_DST : nh == 135 ? EXT6_MOB : 0;
			len = ((__u32)h[1] + 1) * 8;
			break;
		case 51:
			if ((void *)(h + 2) > end)
				return seen;
			seen |= EXT6_AH;
			len = ((__u32)h[1] + 2) * 4;
			break;
		case 44:
			if ((void *)(h + 4) > end)
				return seen;
			seen |= (bpf_ntohs(*(__u16 *)(h + 2)) & 0xfff8) ? EXT6_FRA1 : EXT6_FRA0;
			len = 8;
			break;
		case 50:
			return seen | EXT6_ESP;
		case 108:
			return seen | EXT6_PAY;
		default:
			return seen;
		}
		nh = h[0];
		off += len;
		if (off > OFF_LIMIT)
			return seen;
	}
	return seen;
}

/* Record what `ip flow-capture` and the MPLS label positions ask for in
 * the flow's extras entry. The first packet of an entry fills it; later
 * ones move the packet-length range and, until a fragment is seen, the
 * fragment offset. A flow whose entry was exported (at any timeout: the
 * active one ends the entry too) starts a new one with its next packet,
 * as a new cache entry does.
 *
 * An entry belongs to the flow whose first_t it carries. One of another
 * first_t is left alone: it is a draining predecessor's (a new flow of the
 * same key that began during its harvest, in another slot), which the
 * harvest takes into the predecessor's record.
 *
 * Returns 1 when the packet's flow had no entry and the map had no room
 * for one (E2BIG: max_entries reached; ENOMEM: no memory for it), so the
 * caller counts it: the flow is still metered and exported, without its
 * capture fields until a later packet finds room.
 *
 * key is the flow's masked key and p the packet's parse results, read
 * where the meter keeps them (its stack); map is extras4 or extras6. */
static __always_inline int capture_flow_(struct xdp_md *ctx, const void *key, struct parsed *p,
					 void *map)
{
	if (!key || !p)
		return 0;
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 fields = capcfg.fields;
	__u16 len = p->ip_len > 0xffff ? 0xffff : p->ip_len;
	__u32 ip_id = 0;
	__u32 label = 0;
	__u8 ff = 0;
	__u16 ext6 = 0;
	__u16 frag = 0;
	int isfrag = 0;
	if (p->family == 4) {
		__u8 *ip = data + clamp_off(p->l3off);
		if ((void *)(ip + 8) > end)
			return 0;
		__u16 fw = bpf_ntohs(*(__u16 *)(ip + 6));
		ip_id = bpf_ntohs(*(__u16 *)(ip + 4));
		frag = fw & 0x1fff;
		isfrag = (fw & 0x3fff) != 0; /* MF or an offset */
		ff = (fw >> 8) & 0xe0; /* the flags as IPFIX fragmentFlags lays them out */
	} else {
		__u8 *ip = data + clamp_off(p->l3off);
		if ((void *)(ip + 8) > end)
			return 0;
		label = bpf_ntohl(*(__u32 *)ip) & 0xfffff;
		ext6 = ext6_seen(data, end, p->l3off + 40, ip[6]);
	}
	if (p->family == 6 && p->frag6_off) {
		__u8 *h = data + clamp_off(p->frag6_off);
		if ((void *)(h + 8) > end)
			return 0;
		__u16 fo = bpf_ntohs(*(__u16 *)(h + 2));
		frag = fo >> 3;
		ip_id = bpf_ntohl(*(__u32 *)(h + 4));
		isfrag = 1;
		if (fo & 1)
			ff |= 0x20; /* M: more fragments */
	}
	struct flow_extra *x = bpf_map_lookup_elem(map, key);
	if (x && x->first_t != p->flow_first)
		return 0;
	if (x && x->first_t == p->flow_first) {
		if (len < x->min_len)
			x->min_len = len;
		if (len > x->max_len)
			x->max_len = len;
		x->frag_flags |= ff;
		x->ext6 |= ext6;
		if (isfrag && !(x->flags & XF_FRAG_SEEN)) {
			x->frag_off = frag;
			x->flags |= XF_FRAG_SEEN;
		}
		return 0;
	}
	struct flow_extra n = {};
	n.first_t = p->flow_first;
	n.flags = fields & CAP_FIELDS;
	n.min_len = len;
	n.max_len = len;
	n.ip_id = ip_id;
	n.flow_label = label;
	n.frag_flags = ff;
	n.ext6 = ext6;
	if (isfrag) {
		n.frag_off = frag;
		n.flags |= XF_FRAG_SEEN;
	}
	if (p->proto == 1 || p->proto == 58)
		n.icmp = p->dport;
	n.nlabels = p->nlabels;
	if ((fields & CAP_MPLS) && p->nlabels) {
#pragma unroll
		for (int j = 0; j < CAP_LABELS; j++) {
			__u32 pos = capcfg.mpls_pos[j];
			if (pos == 0 || pos > p->nlabels || pos > MAX_LABELS)
				continue;
			__u8 *l = data + clamp_off(p->mpls_off + (pos - 1) * 4);
			if ((void *)(l + 4) > end)
				continue;
			n.labels[j] = bpf_ntohl(*(__u32 *)l);
		}
	}
	long err = bpf_map_update_elem(map, key, &n, x ? BPF_ANY : BPF_NOEXIST);
	/* EEXIST: another CPU made the entry first; that one is kept. */
	return err == -E2BIG || err == -ENOMEM;
}

/* Global functions, one per family so that each key pointer has its
 * key's size: the verifier checks each once, on its own, instead of once
 * per path through the table code before it. They take the key and the
 * parse results by pointer rather than a copy of them in an argument
 * block: the copy took 64 bytes of the meter's frame (120 with the spills
 * it caused), and its stores were made on every path the verifier walks. */
__noinline int capture_flow4(struct xdp_md *ctx, const struct flow_key4 *k, struct parsed *p)
{
	return capture_flow_(ctx, k, p, &extras4);
}

__noinline int capture_flow6(struct xdp_md *ctx, const struct flow_key6 *k, struct parsed *p)
{
	return capture_flow_(ctx, k, p, &extras6);
}

/* Hand a metered packet to capture_flow4/6 when capture is on. */
static __always_inline void capture(struct xdp_md *ctx, const __u32 *k, const int nw,
				    struct parsed *p, int counted)
{
	__u32 fields = capcfg.fields;
	/* The first packet's fields need only an entry's first packet; the
	 * length range, the first fragment, the fragment flags and the
	 * extension headers need every packet. */
	if (!fields || (counted == 1 && !(fields & (CAP_PKTLEN | CAP_FRAG | CAP_FRAGFLAGS | CAP_EXT6))))
		return;
	int full = nw > KEY_IN_FIRST ? capture_flow6(ctx, (const struct flow_key6 *)k, p)
				     : capture_flow4(ctx, (const struct flow_key4 *)k, p);
	if (full) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&capture_full, &zero);
		if (n)
			(*n)++; /* per CPU: no shared line */
	}
}

/* The key's last three words, masked, as registers: the ports, the input
 * interface, and the protocol and ToS with the pad (the sampler and the
 * owner, whatever the mask: records carry their sampler, and the entry its
 * owner, meter.h), each stored once where the key goes. Built field by
 * field in a zeroed stack key, each of these words was loaded whole after
 * two or three narrower stores into it (a load the store buffer cannot
 * forward), then copied into the record. */
static __always_inline void key_tail_words(__u32 *w, const __u32 *mask, struct parsed *p,
					   __u32 ifindex)
{
	_Static_assert(__builtin_offsetof(struct flow_key4, sport) == 8 &&
			       __builtin_offsetof(struct flow_key4, dport) == 10 &&
			       __builtin_offsetof(struct flow_key4, ifindex) == 12 &&
			       __builtin_offsetof(struct flow_key4, proto) == 16 &&
			       __builtin_offsetof(struct flow_key4, tos) == 17 &&
			       __builtin_offsetof(struct flow_key4, pad) == 18 &&
			       __builtin_offsetof(struct flow_key6, sport) == 32 &&
			       __builtin_offsetof(struct flow_key6, ifindex) == 36 &&
			       __builtin_offsetof(struct flow_key6, proto) == 40 &&
			       __builtin_offsetof(struct flow_key6, pad) == 42,
		       "the ports, the interface and proto/tos/pad are the keys' last three words");
	/* Little-endian (bpfel): the lower address is the low half. */
	w[0] = ((__u32)p->sport | (__u32)p->dport << 16) & mask[0];
	w[1] = ifindex & mask[1];
	__u16 pad = p->sampler | (__u16)p->owner << OWNER_SHIFT;
	w[2] = (((__u32)p->proto | (__u32)p->tos << 8) & mask[2] & 0xffff) | (__u32)pad << 16;
}

/* An IPv4 key's five words into w: a record's key in the buffer, or the
 * stack's struct flow_key4 for the direct path. Word loads (pkt_word): a
 * memcpy from a byte pointer is four byte loads and three shifts and ors
 * an address. */
static __always_inline void key4_words(__u32 *w, struct parsed *p, __u32 ifindex, __u32 salt,
				       __u8 *ip)
{
	w[0] = (pkt_word(ip + 12) ^ salt) & cfg.mask4[0];
	w[1] = pkt_word(ip + 16) & cfg.mask4[1];
	key_tail_words(w + 2, &cfg.mask4[2], p, ifindex);
}

/* An IPv4 key into a record's key (r->key, 8-byte aligned), returning its
 * hash (key_hash4): the words made as the lanes hash takes them, two
 * 8-byte words (the addresses as one 8-byte load of the packet) and one
 * 4-byte, each stored once and hashed from its register. Made as five
 * words and hashed from them, the words and the record's other fields
 * were live together across the hash's branch, and clang spilled two of
 * the words and the record's pointer and count to the stack. */
static __always_inline __u64 key4_record(struct batch_rec *r, struct parsed *p, __u32 ifindex,
					 __u32 salt, __u8 *ip)
{
	_Static_assert(__builtin_offsetof(struct batch_rec, key) % 8 == 0 &&
			       __builtin_offsetof(struct meter_cfg, mask4) % 8 == 0 &&
			       __builtin_offsetof(struct flow_key4, saddr) == 0 &&
			       __builtin_offsetof(struct flow_key4, daddr) == 4,
		       "the record's key and the mask's first words 8-byte aligned");
	__u64 x0 = (pkt_dword(ip + 12) ^ salt) & *(const __u64 *)&cfg.mask4[0];
	__u32 t[3];
	key_tail_words(t, &cfg.mask4[2], p, ifindex);
	__u64 x1 = (__u64)t[0] | (__u64)t[1] << 32;
	*(__u64 *)&r->key[0] = x0;
	*(__u64 *)&r->key[2] = x1;
	r->key[4] = t[2];
	return key_hash4(x0, x1, t[2]);
}

/* An IPv6 key's eleven words into w, as key4_words: the two addresses
 * first. */
static __always_inline void key6_words(__u32 *w, struct parsed *p, __u32 ifindex, __u32 salt,
				       __u8 *ip)
{
	_Static_assert(__builtin_offsetof(struct flow_key6, saddr) == 0 &&
			       __builtin_offsetof(struct flow_key6, daddr) == 16,
		       "flow_key6 starts with saddr, daddr");
	w[0] = (pkt_word(ip + 8) ^ salt) & cfg.mask6[0];
#pragma unroll
	for (int i = 1; i < 8; i++)
		w[i] = pkt_word(ip + 8 + 4 * i) & cfg.mask6[i];
	key_tail_words(w + 8, &cfg.mask6[8], p, ifindex);
}

/* Meter an IPv4 packet: into this CPU's buffer b if the run batches it (b
 * not NULL, batch.h) and the buffer has room, its key built in place in
 * the next record; else directly. Returns whether the buffer is full
 * after it (its flush is due: flowtap_meter tail-calls it), having stored
 * the verdict in it for the flush to return. A buffer found full (its
 * flush's tail call failed) is not flushed again from here: a flag for
 * that, live across the direct metering, split the verifier's states
 * there in two (flowtap_meter's walk 256K instructions against 152K). */
static __always_inline int meter4(struct parsed *p, __u32 ifindex, __u32 now_t,
				  struct meter_stats *st, __u32 salt, __u8 *eth, __u8 *ip,
				  struct xdp_md *ctx, const int lookup_only, struct meter_batch *b,
				  int verdict)
{
	if (likely(b)) {
		__u32 n = b->n;
		if (likely(n < BATCH_RECS)) {
			struct batch_rec *r = &b->r[n];
			batch_rec_fields(r, 5, p, now_t, ifindex, eth);
			return batch_push(b, n, r, key4_record(r, p, ifindex, salt, ip), verdict);
		}
		/* Full: its flush's tail call failed. Metered directly
		 * until user space flushes it (FlushBatches). */
	}
	struct flow_key4 k;
	__u32 *w = (__u32 *)&k;
	key4_words(w, p, ifindex, salt, ip);
	int counted = table_meter(w, sizeof(k) / 4, p, now_t, st, ifindex, eth, lookup_only);
	if (counted)
		capture(ctx, w, sizeof(k) / 4, p, counted);
	return 0;
}

static __always_inline int meter6(struct parsed *p, __u32 ifindex, __u32 now_t,
				  struct meter_stats *st, __u32 salt, __u8 *eth, __u8 *ip,
				  struct xdp_md *ctx, const int lookup_only, struct meter_batch *b,
				  int verdict)
{
	if (likely(b)) {
		__u32 n = b->n;
		if (likely(n < BATCH_RECS)) {
			struct batch_rec *r = &b->r[n];
			key6_words(r->key, p, ifindex, salt, ip);
			batch_rec_fields(r, 11, p, now_t, ifindex, eth);
			return batch_push(b, n, r, key_hash(r->key, 11), verdict);
		}
		/* Full: its flush's tail call failed. Metered directly
		 * until user space flushes it (FlushBatches). */
	}
	struct flow_key6 k;
	__u32 *w = (__u32 *)&k;
	key6_words(w, p, ifindex, salt, ip);
	int counted = table_meter(w, sizeof(k) / 4, p, now_t, st, ifindex, eth, lookup_only);
	if (counted)
		capture(ctx, w, sizeof(k) / 4, p, counted);
	return 0;
}

/* An IPv6 packet's size bucket in size_hist6, from its length again
 * rather than the bucket run_meter computed: keeping that live across the
 * helper calls between would cost the IPv4 path a register or a spill. */
static __always_inline void count_size6(__u32 len)
{
	__u32 zero = 0;
	struct size_hist *h = bpf_map_lookup_elem(&size_hist6, &zero);
	if (!h)
		return;
	__u32 bucket = size_bucket(len);
	asm volatile("" : "+r"(bucket));
	if (bucket >= PKT_SIZE_BUCKETS)
		bucket = PKT_SIZE_BUCKETS - 1;
	h->b[bucket]++; /* per CPU: no shared line */
}

/* The filters, the samplers and the overload sampler for a parsed packet:
 * SEL_FILTERED, SEL_SAMPLED_OUT, or SEL_METER with p->sampler the sampler
 * that took it. Out of line, as a call run only while one of them is set
 * (cfg.selects): inlined, its 450 BPF instructions lay between the one
 * test and the rest of a plain packet's path, which jumped over them. */
static __noinline int select_stage(struct xdp_md *ctx, struct parsed *p, __u32 ifindex)
{
	int sel = select_packet(ctx, p, ifindex, &p->sampler);
	if (unlikely(sel == SEL_FILTERED))
		return SEL_FILTERED;
	if (sel == SEL_SAMPLED_OUT || (sel == SEL_GLOBAL && sampled_out()) || overload_out(&p->sampler))
		return SEL_SAMPLED_OUT;
	return SEL_METER;
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
	/* XDP_PASS or XDP_DROP as arithmetic, not a choice of two constants:
	 * the verdict now reaches the push (batch_push stores it for the
	 * flush), and as two known values it split every state the verifier
	 * walks after it in two (flowtap_meter's walk 293K instructions
	 * against 161K). */
	_Static_assert(PORT_INLINE == 1 && XDP_PASS == XDP_DROP + 1, "verdict = XDP_DROP + inline bit");
	__u32 inl = pflags & PORT_INLINE;
	asm volatile("" : "+r"(inl));
	int verdict = XDP_DROP + inl;

	__u32 zero = 0;
	struct meter_stats *st = bpf_map_lookup_elem(&stats, &zero);
	if (unlikely(!st))
		return verdict;
	st->frames++;
	st->frame_bytes += ctx->data_end - ctx->data;
	if (unlikely(pflags & PORT_NO_METER))
		return verdict;

	struct parsed p = {};
	int r = parse(ctx, &p);
	if (unlikely(r != PR_OK)) {
		if (r < PR_MAX)
			st->unparsed[r]++;
		return verdict;
	}
	if (p.family == 4)
		st->ipv4++;
	else
		st->ipv6++;
	/* The filters, the samplers and the overload sampler, only while one
	 * of them is set (cfg.selects, SELECTS_*): with none, the common
	 * case, the stage is one test, where it was three words of two lines
	 * and three branches (session 17). */
	if (unlikely(cfg.selects)) {
		int sel = select_stage(ctx, &p, ifindex);
		if (unlikely(sel == SEL_FILTERED))
			return verdict; /* counted by the filter's term counters */
		if (sel == SEL_SAMPLED_OUT) {
			st->sampled_out++;
			return verdict;
		}
	}
	st->metered_packets++;
	st->metered_bytes += p.ip_len;
	__u32 bucket = size_bucket(p.ip_len);
	/* Hide the value from the optimiser so the verifier sees the bound. */
	asm volatile("" : "+r"(bucket));
	if (unlikely(bucket >= PKT_SIZE_BUCKETS))
		bucket = PKT_SIZE_BUCKETS - 1;
	st->size_hist[bucket]++;

	/* Flow times: the coarse clock (the kernel tick, 4 ms at HZ=250) in
	 * units of 2^20 ns, read once per tick (flow_time). The precise clock
	 * and a division by 10^6 cost more than the rest of the metering;
	 * user space converts exactly. */
	struct flow_clock *c = bpf_map_lookup_elem(&flow_clock, &zero);
	/* With the reading, the entry's owner: this CPU, the one writer of
	 * its counters (kept in the clock's entry, flow_clock.owner). */
	__u32 now_t = flow_time(c, &p.owner);
	/* This CPU's buffer if this packet is batched (batch.h): the
	 * clock's line also holds the refused flag batching reads. */
	struct meter_batch *b = lookup_only ? 0 : batch_buffer(c);
	__u32 salt = 0;
	if (salted) {
		/* Benchmark only: a distinct key per run, as a flood of new flows. */
		struct cpu_state *cs = bpf_map_lookup_elem(&cpustate, &zero);
		if (cs)
			salt = ++cs->salt;
	}
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *eth = data;
	__u8 *ip = data + clamp_off64(p.l3off);
	if (unlikely((void *)(eth + 14) > end))
		return verdict;
	/* A subinterface's VLAN: its ifIndex is the key's input interface. */
	if (unlikely(p.nvlan && subif_on)) {
		struct vlan_port vp = {.ifindex = ifindex, .vid = p.vlan[0]};
		__u32 *sub = bpf_map_lookup_elem(&subifs, &vp);
		if (sub)
			ifindex = *sub;
	}
	int flush = 0;
	if (likely(p.family == 4)) {
		if (likely((void *)(ip + 20) <= end))
			flush = meter4(&p, ifindex, now_t, st, salt, eth, ip, ctx, lookup_only, b, verdict);
	} else {
		if ((void *)(ip + 40) <= end)
			flush = meter6(&p, ifindex, now_t, st, salt, eth, ip, ctx, lookup_only, b, verdict);
		/* After the metering: before it, the call would make ip and
		 * the rest live across it, spilled on the IPv4 path too. */
		count_size6(p.ip_len);
	}
	return flush ? verdict | RUN_FLUSH : verdict;
}

SEC("xdp.frags")
int flowtap_meter(struct xdp_md *ctx)
{
	return batch_after(ctx, run_meter(ctx, 0, 0));
}

/* Applies this CPU's buffered records: tail-called by the meter's run
 * that fills the buffer (returning that packet's verdict), and run by
 * user space with BPF_PROG_TEST_RUN on each CPU whose buffer holds
 * records (Datapath.FlushBatches): a quiet link's last packets, and
 * before anything that needs every packet so far in the table. */
SEC("xdp.frags")
int flowtap_flush(struct xdp_md *ctx)
{
	return batch_flush_run(ctx);
}

/* Meters one buffered record and tail-calls itself for the next (batch.h,
 * batch_flush_rec_run): slot 1 of batch_progs. */
SEC("xdp.frags")
int flowtap_flush_rec(struct xdp_md *ctx)
{
	return batch_flush_rec_run(ctx);
}

/* ---- the harvest's free ------------------------------------------------ */

/* The batch flowtap_free frees: the daemon's own (not pinned), one
 * harvest at a time fills it through mmap before a run. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct free_batch);
	__uint(map_flags, BPF_F_MMAPABLE);
} free_batch SEC(".maps");

/* Frees the entries of a harvest's batch (the free_batch map): for each,
 * an IPv6 entry's half of its tail slot, then its tag, and then the live
 * count goes down by the entries freed. User space freeing an entry takes
 * two stores, the tag and the count, and a kill between them left the
 * count one high for the life of the table; one BPF_PROG_RUN is not split
 * by a signal, so the count and the tags always agree. An entry whose tag
 * is no longer in use is not counted again. Returns the entries freed. */
SEC("syscall")
int flowtap_free(void *ctx)
{
	__u32 zero = 0;
	struct free_batch *b = bpf_map_lookup_elem(&free_batch, &zero);
	if (!b)
		return 0;
	__u32 n = b->n;
	__u64 freed = 0;
	for (__u32 i = 0; i < n && i < FREE_BATCH; i++) {
		__u32 e = b->e[i];
		__u32 j = e & FREE_SLOT_MASK;
		struct bucket_hdr *h = hdr_at((e >> FREE_BUCKET_SHIFT) & FREE_BUCKET_MASK);
		if (!h || j >= BUCKET_SLOTS)
			continue;
		if (e & FREE_V6) {
			int left = (e & FREE_LEFT) != 0;
			__u32 t = left ? j - 1 : j + 1;
			if (t < BUCKET_SLOTS) {
				__u32 half = left ? TAG_CONT_R : TAG_CONT_L;
				__sync_fetch_and_and((__u32 *)h + (t >> 1), ~(half << (16 * (t & 1))));
			}
		}
		/* Only the harvest frees a used tag, so it is read first and
		 * cleared with a plain atomic AND (a fetch is a CMPXCHG loop
		 * in the JIT). */
		__u32 *w = (__u32 *)h + (j >> 1);
		if ((*(volatile __u32 *)w >> (16 * (j & 1))) & TAG_USED)
			freed++;
		__sync_fetch_and_and(w, ~((__u32)0xffff << (16 * (j & 1))));
	}
	__u32 li = CTR_LIVE;
	__u64 *live = bpf_map_lookup_elem(&counters, &li);
	if (live && freed)
		__sync_fetch_and_sub(live, freed);
	return freed;
}
