/* Timing build (issue 14, session 10): meter in small per-CPU batches so
 * that a batch's misses on the table overlap. Included by meter.c only
 * when FLOWTAP_VEC is defined (the bench object). A packet appends what
 * the table needs to this CPU's buffer and returns; the run that fills it
 * first loads every record's header line and home slot line (independent
 * loads, folded into one register), then meters each record as the
 * direct path does. Records left in a buffer at the end of a run are not
 * applied in this build. */

#define VEC_MAX 32

struct vrec {
	__u64 h;
	__u32 key[11];
	__u32 ifindex;
	__u32 now_t;
	__u32 ip_len;
	__u16 vlan[2];
	__u8 mac[12];
	__u8 family;
	__u8 tos;
	__u8 ttl;
	__u8 tcp_flags;
	__u8 owner;
	__u8 nw;
	__u8 pad[2];
};

struct vbuf {
	__u32 n;
	__u32 pad;
	struct vrec r[VEC_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vbuf);
} vecbuf SEC(".maps");

/* The batch size, set before the load (<= VEC_MAX). */
volatile const __u32 vec_b = 16;

/* Meter record i of this CPU's buffer, one function per family (the
 * key's length a constant): each verified once, on its own. */
static __always_inline int vec_meter_(__u32 i, const int nw)
{
	__u32 zero = 0;
	struct vbuf *vb = bpf_map_lookup_elem(&vecbuf, &zero);
	struct meter_stats *st = bpf_map_lookup_elem(&stats, &zero);
	if (!vb || !st || i >= VEC_MAX)
		return 0;
	struct vrec *r = &vb->r[i];
	struct parsed p = {};
	p.family = r->family;
	p.tos = r->tos;
	p.ttl = r->ttl;
	p.tcp_flags = r->tcp_flags;
	p.owner = r->owner;
	p.ip_len = r->ip_len;
	p.vlan[0] = r->vlan[0];
	p.vlan[1] = r->vlan[1];
	return table_meter_h(r->key, nw, r->h, &p, r->now_t, st, r->ifindex, r->mac, 0);
}

__noinline int vec_meter4(__u32 i)
{
	return vec_meter_(i, 5);
}

__noinline int vec_meter6(__u32 i)
{
	return vec_meter_(i, 11);
}

static __always_inline void vec_flush(struct vbuf *vb, __u32 n)
{
	__u32 nb = cfg.buckets;
	__u64 acc = 0;
	/* Pass 1: every record's first header line and home slot line,
	 * issued back to back. */
	for (__u32 i = 0; i < VEC_MAX; i++) {
		if (i >= n)
			break;
		__u64 h = vb->r[i].h;
		__u32 b1 = ((h & 0xffffffff) * nb) >> 32;
		__u16 tag;
		__u32 home;
		hash_place(h, &tag, &home);
		struct bucket_hdr *hd = hdr_at(b1);
		struct flow_val *s = slot_at(b1 * BUCKET_SLOTS + (home & 31));
		if (hd)
			acc ^= *(volatile __u64 *)hd;
		if (s)
			acc ^= *(volatile __u64 *)s;
	}
	asm volatile("" : : "r"(acc));
	/* Pass 2: meter each. */
	for (__u32 i = 0; i < VEC_MAX; i++) {
		if (i >= n)
			break;
		if (vb->r[i].nw == 5)
			vec_meter4(i);
		else
			vec_meter6(i);
	}
}

static __always_inline void vec_push(const __u32 *w, const int nw, struct parsed *p, __u32 now_t,
				     __u32 ifindex, __u8 *eth)
{
	__u32 zero = 0;
	struct vbuf *vb = bpf_map_lookup_elem(&vecbuf, &zero);
	if (!vb)
		return;
	__u32 n = vb->n;
	if (n >= VEC_MAX)
		n = 0;
	struct vrec *r = &vb->r[n];
	r->h = key_hash(w, nw);
#pragma unroll
	for (int i = 0; i < nw; i++)
		r->key[i] = w[i];
	r->nw = nw;
	r->ifindex = ifindex;
	r->now_t = now_t;
	r->ip_len = p->ip_len;
	r->vlan[0] = p->vlan[0];
	r->vlan[1] = p->vlan[1];
	__builtin_memcpy(r->mac, eth, 12);
	r->family = p->family;
	r->tos = p->tos;
	r->ttl = p->ttl;
	r->tcp_flags = p->tcp_flags;
	r->owner = p->owner;
	vb->n = n + 1;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} vec_progs SEC(".maps");

/* After the packet's metering: the run that filled the buffer goes on in
 * the flush program (a tail call: a stack of its own, since the meter's
 * frame and a record's metering function's would not fit in one call
 * chain, and no call and return per packet), which returns the verdict. */
static __always_inline int vec_after(struct xdp_md *ctx, int verdict)
{
	__u32 zero = 0;
	struct vbuf *vb = bpf_map_lookup_elem(&vecbuf, &zero);
	if (!vb || vb->n < vec_b)
		return verdict;
	vb->pad = verdict;
	bpf_tail_call(ctx, &vec_progs, 0);
	return verdict;
}

static __always_inline int vec_flush_prog(void)
{
	__u32 zero = 0;
	struct vbuf *vb = bpf_map_lookup_elem(&vecbuf, &zero);
	if (!vb)
		return XDP_DROP;
	vec_flush(vb, vb->n);
	vb->n = 0;
	return vb->pad;
}
