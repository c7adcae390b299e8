// SPDX-License-Identifier: GPL-2.0
/* The live benchmark's second generator (BenchmarkLiveFrames): an XDP
 * program that user space runs with BPF_PROG_RUN in live-frames mode
 * (BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18 on), the mode xdp-trafficgen
 * uses. The kernel hands it frames from a page pool of its own, recycled
 * page by page, with no skb; it writes each frame's varying fields and
 * redirects the frame to the veth's sending end, whose peer runs the
 * program measured. trafgen's path allocates and copies an skb per packet
 * and runs the stack; this one touches a few pages, so between two
 * packets of a flow the generator evicts little of the table, as a NIC's
 * recycled receive pages would not.
 *
 * Only the tests load this object (livegen_bpfel_test.go); it shares
 * nothing with the meter. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

/* What the next runs send, set by user space before each run. */
struct gen_cfg {
	__u64 limit;   /* frames this run sends; any run past them drops its frame unsent */
	__u32 ifindex; /* bpf_redirect's target: the veth's sending end */
	__u32 flows;   /* sources counted through, cyclically; 0: a random source per frame */
	__u32 base;    /* the first counted source word, host order */
	__u32 seed;    /* random sources: a bijection of (seed + frame number) */
	__u32 v6;      /* 0: IPv4 frame, the source address is the word; 1: IPv6, its last four bytes */
	__u32 ip_sum;  /* IPv4: the header's 16-bit one's-complement sum without the source and checksum */
	__u32 l4_sum;  /* the UDP checksum's sum (pseudo-header too) without the word and the checksum */
	__u32 pad;
};

/* The run's progress. Per CPU: user space pins the running thread to one
 * CPU (the kernel may leave and re-enter a run between batches to
 * reschedule), so this CPU's counter is the frame sequence. */
struct gen_state {
	__u64 sent; /* frames written and redirected since user space reset it */
	__u64 held; /* frames dropped unsent because sent reached limit */
	__u32 pos;  /* the next counted source, 0..flows-1 */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cfg);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_state);
} state SEC(".maps");

/* Frame layouts (user space builds the template to match). */
#define ETH_LEN 14
#define V4_SRC (ETH_LEN + 12)
#define V4_CSUM (ETH_LEN + 10)
#define V4_UDP_CSUM (ETH_LEN + 20 + 6)
#define V6_SRC_LOW (ETH_LEN + 8 + 12)
#define V6_UDP_CSUM (ETH_LEN + 40 + 6)
#define V4_MIN (V4_UDP_CSUM + 2)
#define V6_MIN (V6_UDP_CSUM + 2)

/* A bijection of 32 bits (lowbias32): distinct frames of a flood get
 * distinct sources, spread as random ones. */
static __always_inline __u32 mix32(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline void put16(void *p, __u16 host)
{
	*(__u16 *)p = bpf_htons(host);
}

SEC("xdp")
int livegen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 k = 0;
	struct gen_cfg *c = bpf_map_lookup_elem(&cfg, &k);
	struct gen_state *s = bpf_map_lookup_elem(&state, &k);

	if (!c || !s)
		return XDP_ABORTED;
	if (s->sent >= c->limit) {
		s->held++;
		return XDP_DROP;
	}

	__u32 w;
	if (c->flows) {
		__u32 pos = s->pos;
		w = c->base + pos;
		s->pos = pos + 1 >= c->flows ? 0 : pos + 1;
	} else {
		w = mix32(c->seed + (__u32)s->sent);
	}
	__u32 hi = w >> 16, lo = w & 0xffff;
	__u16 udp;

	/* A recycled page keeps what the last run wrote into it: every
	 * varying field is written on every frame. */
	if (c->v6) {
		if (data + V6_MIN > end)
			return XDP_ABORTED;
		put16(data + V6_SRC_LOW, hi);
		put16(data + V6_SRC_LOW + 2, lo);
		udp = fold(c->l4_sum + hi + lo);
		put16(data + V6_UDP_CSUM, udp ? udp : 0xffff);
	} else {
		if (data + V4_MIN > end)
			return XDP_ABORTED;
		put16(data + V4_SRC, hi);
		put16(data + V4_SRC + 2, lo);
		put16(data + V4_CSUM, fold(c->ip_sum + hi + lo));
		udp = fold(c->l4_sum + hi + lo);
		put16(data + V4_UDP_CSUM, udp ? udp : 0xffff);
	}
	s->sent++;
	return bpf_redirect(c->ifindex, 0);
}
