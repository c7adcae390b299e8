/* Metering in batches (included by meter.c after the table code).
 *
 * One XDP run meters one packet, so at 100K flows and more each packet
 * waits for its own line of the table from memory in turn. In a cache of
 * BATCH_MIN_ENTRIES or more (from BATCH_ADAPT_MIN_ENTRIES while its
 * CPU's creations are not refused: batch_buffer() below) a packet
 * instead appends what the table needs (struct batch_rec) to its CPU's buffer and returns; the run that brings
 * the buffer to BATCH_RECS records tail-calls flowtap_flush, which first
 * loads every record's first header line and the slot line its entry is in
 * or goes to (independent loads: the CPU keeps them in flight together),
 * counts the records that are plain hits itself, then meters each of the
 * others as the direct path does. datapath/README.md, "Metering in
 * batches".
 *
 * Nothing lost, nothing twice: a record is a metered packet not yet in the
 * table. The buffer is pinned (kept across a restart and a kill: no signal
 * splits a BPF run, so a flush applies its records and empties the buffer
 * as one step). A CPU's buffer is written only by runs on that CPU, which
 * never overlap (the meter's single-writer rule, meter.h), and user space
 * applies a quiet CPU's records by running flowtap_flush on that CPU.
 * Records carry the key, not the table's hash: whichever table the
 * flushing program meters into (after a resize, the new one) takes them.
 */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct meter_batch);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} batch SEC(".maps");

/* flowtap_flush, for the meter's tail call, in slot 0, and
 * flowtap_flush_rec, for the flush's, in slot 1 (user space puts both). */
enum { BATCH_SLOT_FLUSH = 0, BATCH_SLOT_REC = 1 };
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} batch_progs SEC(".maps");

/* A record's header and slot looked up with its index where it is, in
 * the record (ahead), as the helper's key: hdr_at and slot_at copy the
 * index to the stack first, a store and a frame address a lookup more
 * (an array's lookup is inlined by the verifier: it loads the key from
 * wherever the pointer points). */
static __always_inline struct bucket_hdr *hdr_at_rec(const __u32 *b)
{
	return bpf_map_lookup_elem(&buckets, b);
}

static __always_inline struct flow_val *slot_at_rec(const __u32 *idx)
{
	return bpf_map_lookup_elem(&flows, idx);
}

/* This CPU's buffer if this packet goes through it, else NULL: capture
 * off (capture reads the packet, which a record does not keep), and a
 * cache of BATCH_MIN_ENTRIES or more, or of BATCH_ADAPT_MIN_ENTRIES or
 * more while this CPU's last creation was not refused, either family
 * (IPv6 there gains only with its entries at the home slot the flush
 * loads ahead: HOME6_MIN_ENTRIES is this threshold; batched with
 * best-fit placement it paid 19-43 ns a packet, datapath/README.md).
 * Below that there is no wait to hide; from 16K a packet that misses (a
 * new entry, or a hit whose line the skb path evicted) gains 40-60 ns
 * batched, but a packet the full cache refuses pays the record and the
 * tail call for nothing (20-39 ns): so such a cache meters directly from
 * a refusal until a creation succeeds (flow_clock.refused, set by
 * cache_full). Records buffered when a CPU turns direct stay counted as
 * pending and are applied by the next flush (the buffer filling, or
 * FlushBatches). c is this CPU's flow_clock entry, which run_meter has
 * looked up for the clock: one lookup of each a packet (the buffer's
 * pointer then serves the push and the flush's tail call). */
static __always_inline struct meter_batch *batch_buffer(struct flow_clock *c)
{
	if (unlikely(capcfg.fields || cfg.cap < BATCH_ADAPT_MIN_ENTRIES))
		return 0;
	if (unlikely(cfg.cap < BATCH_MIN_ENTRIES && (!c || c->refused)))
		return 0;
	__u32 zero = 0;
	return bpf_map_lookup_elem(&batch, &zero);
}

/* A packet's record in this CPU's buffer (batch_rec_fields, then its key
 * and hash, then batch_push) is r = b->r[n], n < BATCH_RECS, scratch until
 * batch_push counts it in b->n.
 *
 * batch_rec_fields stores what the record takes from the packet and the
 * run, first, so that few of these values stay live across the key's
 * hash (spilled to the stack and loaded back, as they were with the
 * fields stored after it). They are copied by words: struct parsed holds
 * the VLANs as one and family to tcp_flags as another, as the record
 * does; the owner and nw are one 2-byte store; the MACs are a 4-byte and
 * an 8-byte load of the packet (pkt_word: a memcpy from its byte pointer
 * is a byte load and store a byte), the 8 bytes stored at a record offset
 * of 72. Each store is aligned: clang splits a wider one at an offset it
 * knows is not (the record's ip_len and vlan at 60, 4 mod 8, as two
 * 4-byte stores). */
static __always_inline void batch_rec_fields(struct batch_rec *r, const int nw, struct parsed *p,
					     __u32 now_t, __u32 ifindex, __u8 *eth)
{
	_Static_assert(__builtin_offsetof(struct batch_rec, vlan) % 4 == 0 &&
			       __builtin_offsetof(struct batch_rec, mac) % 8 == 4 &&
			       __builtin_offsetof(struct batch_rec, family) % 4 == 0 &&
			       __builtin_offsetof(struct batch_rec, tos) == __builtin_offsetof(struct batch_rec, family) + 1 &&
			       __builtin_offsetof(struct batch_rec, ttl) == __builtin_offsetof(struct batch_rec, family) + 2 &&
			       __builtin_offsetof(struct batch_rec, tcp_flags) == __builtin_offsetof(struct batch_rec, family) + 3 &&
			       __builtin_offsetof(struct batch_rec, owner) % 2 == 0 &&
			       __builtin_offsetof(struct batch_rec, nw) == __builtin_offsetof(struct batch_rec, owner) + 1 &&
			       sizeof(struct batch_rec) % 8 == 0 && __builtin_offsetof(struct meter_batch, r) % 8 == 0,
		       "the record's vlan, mac, family..tcp_flags and owner, nw as the push copies them");
	r->ifindex = ifindex;
	r->now_t = now_t;
	r->ip_len = p->ip_len;
	*(__u32 *)r->vlan = p->vlans;
	*(__u32 *)r->mac = pkt_word(eth);
	*(__u64 *)(r->mac + 4) = pkt_dword(eth + 4);
	*(__u32 *)&r->family = p->fam_flags;
	/* The owner and nw; tag_xor is the flush's choice's to write. */
	*(__u16 *)&r->owner = p->owner | nw << 8;
}

/* Counts record r (b->r[n], its fields and key stored) in b->n, with its
 * key's hash h. Returns whether the buffer is full after it (its flush is
 * due). */
static __always_inline int batch_push(struct meter_batch *b, __u32 n, struct batch_rec *r, __u64 h,
				      int verdict)
{
	r->h = h;
	r->seed = (__u32)cfg.seed;
	/* The record whole before it is counted in n: until then the slot
	 * is scratch, which no flush reads. */
	asm volatile("" ::: "memory");
	n++;
	b->n = n;
	if (likely(n < BATCH_RECS))
		return 0;
	b->verdict = verdict; /* for the flush's tail call, which returns it */
	return 1;
}

/* Meter record i of this CPU's buffer, with the direct path's own code
 * (the key's length a constant). */
static __always_inline void batch_meter_(struct meter_batch *b, __u32 i, const int nw,
					 struct meter_stats *st)
{
	if (i >= BATCH_RECS)
		return;
	struct batch_rec *r = &b->r[i];
	struct parsed p = {};
	p.family = r->family;
	p.tos = r->tos;
	p.ttl = r->ttl;
	p.tcp_flags = r->tcp_flags;
	p.owner = r->owner;
	p.ip_len = r->ip_len;
	p.vlan[0] = r->vlan[0];
	p.vlan[1] = r->vlan[1];
	table_meter_h(r->key, nw, r->h, &p, r->now_t, st, r->ifindex, r->mac, 0, 1, r->ahead);
}

/* Marks a record batch_count_hit counted in place. */
#define BATCH_AHEAD_COUNTED (~2U)

/* Count record r into the entry in its chosen slot (ahead, whose tag is
 * the record's: the flush's slot round) if that is its own entry and the
 * count is the plain case: IPv4, an owned entry (plain adds: the
 * single-writer rule, meter.h), no FIN or RST (no event to send). Then
 * exactly what the direct path's metering does for it (probe,
 * count_into), which the records left to flowtap_flush_rec still run, and
 * the record is marked (ahead BATCH_AHEAD_COUNTED) for the compaction to
 * leave out. Returns whether it counted the record. */
static __always_inline int batch_count_hit(struct batch_rec *r)
{
	/* The record's tests in two loads: the aligned word of owner, nw
	 * and tag_xor in one range test (tag_xor 0: its slot holds its tag,
	 * a record with no slot, ahead ~0U, has it set by the choice; nw 5,
	 * IPv4; an owner, 1..255: the word 0x501..0x5ff), and the TCP flags,
	 * neither FIN nor RST, whose byte count_vals takes from the same
	 * register. */
	_Static_assert(__builtin_offsetof(struct batch_rec, owner) % 4 == 0 &&
			       __builtin_offsetof(struct batch_rec, nw) ==
				       __builtin_offsetof(struct batch_rec, owner) + 1 &&
			       __builtin_offsetof(struct batch_rec, tag_xor) ==
				       __builtin_offsetof(struct batch_rec, owner) + 2 &&
			       sizeof(struct batch_rec) % 8 == 0 && __builtin_offsetof(struct meter_batch, r) % 8 == 0,
		       "the count's tests are one aligned word of the record");
	__u32 w = *(__u32 *)&r->owner;
	__u8 fl = r->tcp_flags;
	if (unlikely(w - 0x501 > 0xfe || (fl & 0x05) || !plain_owner((__u8)w)))
		return 0;
	struct flow_val *v = slot_at_rec(&r->ahead);
	if (unlikely(!v))
		return 0;
	/* As probe: the state, then the key written before it. */
	__u8 st = ((volatile __u8 *)&v->attrs)[3];
	if (unlikely((st & (ST_LIVE | ST_DRAINING)) != ST_LIVE))
		return 0;
	asm volatile("" ::: "memory");
	/* The key's first four words as two 8-byte loads each side (the
	 * record's key 8-byte aligned, the slot's at 44: x86 loads it
	 * unaligned at full speed, as the verifier allows on such a host). */
	_Static_assert(__builtin_offsetof(struct batch_rec, key) % 8 == 0, "the record's key is 8-byte aligned");
	const __u64 *sk = (const __u64 *)key_word(v, 0, 0), *rk = (const __u64 *)r->key;
	__u64 d = (sk[0] ^ rk[0]) | (sk[1] ^ rk[1]) | (*key_word(v, 0, 4) ^ r->key[4]);
	if (unlikely(d))
		return 0;
	count_vals(v, 1, r->ip_len, fl, r->ttl, r->now_t, 1);
	r->ahead = BATCH_AHEAD_COUNTED;
	return 1;
}

/* Marks a record batch_refuse_full counted: its own run would refuse it. */
#define BATCH_AHEAD_REFUSED (~1U)

/* Whether any tag of the header is tag: tag_lanes' first pass, alone
 * (a refusal needs no mask), a word at a time. In tag_lanes clang loads
 * the eight words first and keeps three on the stack; here a barrier on
 * the fold after each word keeps one word live at a time. A false "yes"
 * only sends a record the full way (flowtap_flush_rec). */
static __always_inline int tag_any(struct bucket_hdr *hdr, __u32 tag)
{
	__u64 rep = 0x0001000100010001ULL * tag, any = 0;
#pragma unroll
	for (int w = 0; w < LINE_BYTES / 8; w++) {
		__u64 x = ((volatile __u64 *)hdr)[w] ^ rep;
		any |= (x - 0x0001000100010001ULL) & ~x;
		asm volatile("" : "+r"(any));
	}
	return (any & 0x8000800080008000ULL) != 0;
}

/* Count as refused, as its own run would (table_meter_h: take_capacity
 * failing, then cache_full), each record of this CPU's buffer for which
 * that can be decided from the header the flush has loaded, and mark it
 * (ahead BATCH_AHEAD_REFUSED) for the compaction to leave out (a record
 * the count took, ahead BATCH_AHEAD_COUNTED, has tag_xor 0: a key the
 * slot round matched, skipped as such). The cache must be
 * at its size for this CPU: its reserve empty and the shared live counter
 * at the size, only read, as take_capacity reads it (once for the whole
 * batch: nothing on this CPU takes or gives units meanwhile, and a
 * harvest's frees on another CPU could as well come after it). A record
 * so refused has its key in no bucket but its first (neither overflow
 * flag: a key goes to its second bucket only after its first is flagged,
 * meter.c) and no tag of that header is the key's (the slot round found
 * none, ahead ~0U, or its home was free and the tags are scanned here). A
 * claimed tag is a writer on another CPU (runs on this one do not
 * overlap, and the flush is one) creating a key that holds that CPU, never
 * this record's: so the record must have an owner (owner-0 keys are
 * created by every CPU past the owner byte; those go the full way). The
 * records left to flowtap_flush_rec cannot create such a key before it
 * either: a creation needs room the cache has not got, unless a harvest
 * frees some in between, and then the refusal comes first in the order
 * counted, as a plain hit counted in place does.
 *
 * The refusals' counts are summed in one register (the count from bit
 * 40, the bytes below: 16 lengths under 2^32 each) and added to the
 * CPU's stats once, with the refused flag set once: a per-CPU counter
 * written only by this CPU, so the sum is exact; in the loop, as
 * cache_full, they were 34 of the 177 BPF instructions a refused record
 * took (TestFlushRefusalsLean). The event (one per CPU until
 * acknowledged) carries the family and port of the oldest refused record,
 * as the per-record runs would have given it.
 *
 * A global function, called once a flush and only when the count of plain
 * hits left some record (TestFlushAllHitsWithoutRefusals), outside any
 * loop (no call and return a record: TestFlushMetersWithoutCalls), and
 * verified on its own, once: inlined into pass 2, flowtap_flush's walk
 * was 289K
 * instructions and the programs' together past their budget
 * (TestProgramsVerifyWithinBudget). */
__noinline int batch_refuse_full(void)
{
	__u32 zero = 0, li = CTR_LIVE;
	struct meter_batch *b = bpf_map_lookup_elem(&batch, &zero);
	struct cpu_state *cs = bpf_map_lookup_elem(&cpustate, &zero);
	__u64 *live = bpf_map_lookup_elem(&counters, &li);
	struct meter_stats *st = bpf_map_lookup_elem(&stats, &zero);
	if (!b || !cs || !live || !st || cs->reserve || *(volatile __u64 *)live < cfg.cap)
		return 0;
	__u64 sum = 0;
	struct batch_rec *r = b->r;
	for (__u32 i = 0; i < BATCH_RECS; i++, r++) {
		if (i >= READ_ONCE(b->n))
			break;
		asm volatile("" : "+r"(r));
		__u32 a = r->ahead;
		if (!r->owner || (a != ~0U && !r->tag_xor))
			continue;
		__u64 h = r->h;
		struct bucket_hdr *hd = hdr_at(((h & 0xffffffff) * cfg.buckets) >> 32);
		if (!hd || (*(volatile __u16 *)&hd->flags & (HDR_OVERFLOW | HDR_OVERFLOW2)))
			continue;
		if (a != ~0U) {
			__u16 tag;
			__u32 home;
			hash_place(h, &tag, &home);
			_Static_assert(TAG_V6 == 8 << 11, "TAG_V6 is bit 3 of nw 11, shifted");
			if (tag_any(hd, tag | TAG_USED | (r->nw & 8) << 11))
				continue;
		}
		sum += (1ULL << 40) + r->ip_len;
		r->ahead = BATCH_AHEAD_REFUSED;
	}
	/* Added whether or not any was refused (then 0): a test of the sum
	 * made the verifier track its count exactly, path by path (past its
	 * million instructions). */
	__u32 n = sum >> 40;
	st->create_fail_packets += n;
	st->create_fail_bytes += sum & ((1ULL << 40) - 1);
	st->create_fail_full += n;
	/* The refused flag, and the event if due, from the oldest refused
	 * record (the first, in a full cache's flood). */
	for (__u32 i = 0; i < BATCH_RECS; i++) {
		if (i >= READ_ONCE(b->n))
			break;
		if (b->r[i].ahead != BATCH_AHEAD_REFUSED)
			continue;
		__u32 epoch;
		struct cpu_state *ev = cache_full_flag(&epoch);
		if (ev)
			cache_full_event(st, ev, epoch, b->r[i].family, b->r[i].ifindex);
		break;
	}
	return 0;
}

/* Hash again, and place in ahead, each record of this CPU's buffer
 * pushed under another table's seed (buffered before a resize): the
 * flush's first pass only notes that there is one. Done inside that pass,
 * the rehash's registers made clang keep the count of records on the
 * stack and carry two more record pointers, 20 BPF instructions a record
 * where 13 do without it (TestFlushNoLoadPassLean); a global function,
 * verified once on its own, as batch_refuse_full is: written in the
 * flush, its loop added 35K instructions to flowtap_flush's walk. */
__noinline int batch_rehash(void)
{
	__u32 zero = 0;
	struct meter_batch *b = bpf_map_lookup_elem(&batch, &zero);
	if (!b)
		return 0;
	__u32 seed = (__u32)cfg.seed, nb = cfg.buckets;
	for (__u32 i = 0; i < BATCH_RECS; i++) {
		if (i >= READ_ONCE(b->n))
			break;
		struct batch_rec *r = &b->r[i];
		if (r->seed == seed)
			continue;
		__u64 h = r->nw == 5 ? key_hash(r->key, 5) : key_hash(r->key, 11);
		r->h = h;
		r->ahead = ((h & 0xffffffff) * nb) >> 32;
	}
	return 0;
}

/* Leave the buffer with the records from the cursor on, at its front:
 * none when the flush metered them all; else those a failed tail call
 * left (the cursor is 0 before a flush). */
static __always_inline void batch_keep_rest(struct meter_batch *b, struct flow_clock *c)
{
	__u32 from = c->cursor, n = b->n;
	c->cursor = 0;
	if (from >= n) {
		b->n = 0;
		return;
	}
	if (!from)
		return;
	for (__u32 j = 0; j < BATCH_RECS; j++) {
		__u32 k = from + j;
		/* k, not from times the record's size: a bound the verifier sees. */
		asm volatile("" : "+r"(k));
		if (k >= n || k >= BATCH_RECS)
			break;
		b->r[j] = b->r[k];
	}
	b->n = n - from;
}

/* One record a run, no call: flowtap_flush_rec meters the record at this
 * CPU's cursor (flow_clock.cursor) and tail-calls itself, by a constant
 * key the JIT makes a direct jump, for the next one; the last empties the
 * buffer and returns the filling packet's verdict. A call and its return
 * per record cost the return's SRSO thunk on this CPU; a loop over the
 * records in one call made the verifier walk the metering once per path
 * shape (785K instructions, 2.46 s; too slow to boot the image under
 * QEMU), where this program is verified once, one record's metering.
 * A run makes at most 33 tail calls: the meter's run one into the flush,
 * then one a record (16). Should a tail call fail, the records not yet
 * metered move to the buffer's front and stay there (the metered ones
 * leave it): nothing twice, and the next flush takes the rest. */
static __always_inline int batch_flush_rec_run(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct meter_batch *b = bpf_map_lookup_elem(&batch, &zero);
	struct meter_stats *st = bpf_map_lookup_elem(&stats, &zero);
	struct flow_clock *c = bpf_map_lookup_elem(&flow_clock, &zero);
	if (!b || !st || !c)
		return XDP_DROP;
	__u32 i = c->cursor, n = b->n;
	if (i < n && i < BATCH_RECS) {
		if (b->r[i].nw == 5)
			batch_meter_(b, i, 5, st);
		else
			batch_meter_(b, i, 11, st);
		i++;
		c->cursor = i;
		if (i < n)
			bpf_tail_call(ctx, &batch_progs, BATCH_SLOT_REC);
	}
	batch_keep_rest(b, c);
	return b->verdict;
}

/* Which slot's line each of the n records of b needs (the flush's
 * choice, between its header round and its slot round): its home slot if
 * that holds its tag (a hit) or is free (where a new entry goes), else the
 * first slot whose tag matches (an entry placed away from home), else none
 * (a packet a full cache refuses); in ahead, with tag_xor for the count.
 * kind is the table's hash (key_hash_kind), a constant here. Only the
 * record's address and the loop's count are live across the header's
 * lookup (its key the record's ahead, the bucket): the hash, the bucket and
 * the family are read from the record after it, where clang had kept them,
 * and the record's address, on the stack around the lookup. */
static __always_inline void batch_choose(struct meter_batch *b, __u32 n, const __u32 kind)
{
	struct batch_rec *r = b->r;
	for (__u32 i = 0; i < BATCH_RECS; i++, r++) {
		if (i >= n)
			break;
		/* The record's own register, not the buffer's address plus
		 * an offset clang would derive from the count. */
		asm volatile("" : "+r"(r));
		struct bucket_hdr *hd = hdr_at_rec(&r->ahead);
		if (unlikely(!hd))
			goto none;
		__u64 h = r->h;
		__u32 b1 = r->ahead;
		__u16 tag16;
		__u32 home;
		hash_place_kind(h, kind, &tag16, &home);
		/* TAG_V6 from the key's length without a branch: nw is 5
		 * (IPv4) or 11, bit 3 set for IPv6 alone. */
		_Static_assert(TAG_V6 == 8 << 11, "TAG_V6 is bit 3 of nw 11, shifted");
		__u32 tag = tag16 | TAG_USED | (r->nw & 8) << 11;
		home &= 31;
		__u32 t = ((volatile __u16 *)hd->tag)[home];
		__u32 j = home;
		if (t != tag && t != TAG_FREE) {
			/* Home taken by another key: 16-20% of hits are
			 * placed away from home, and the meter would wait
			 * for each of their lines alone. */
			__u32 m = tag_lanes(hd, tag);
			if (!m)
				goto none;
			j = lowest(m);
			t = tag;
		}
		/* For the pass below, in the record: a mask of the records
		 * whose slot holds their tag, kept in a register, had the
		 * verifier track its bits path by path (past its million
		 * instructions), and a flag set by a compare here added
		 * 95K. */
		r->tag_xor = t ^ tag;
		r->ahead = b1 * BUCKET_SLOTS + j;
		continue;
	none:
		/* No slot: tag_xor set too, so that the count's tests need
		 * no test of ahead. */
		r->ahead = ~0U;
		r->tag_xor = 1;
	}
}

/* A round's load, folded into acc in place: written in C, the XOR went
 * into the loaded value's register and a move took it back to acc's, one
 * instruction a load more. */
#define BATCH_FOLD(acc, p)                                                             \
	do {                                                                           \
		__u64 v_ = *(volatile __u64 *)(p);                                     \
		asm volatile("%[a] ^= %[v]" : [a] "+r"(acc) : [v] "r"(v_));            \
	} while (0)

/* Apply this CPU's records, oldest first, and empty the buffer (one run:
 * no kill or signal comes between the two). */
static __always_inline int batch_flush_run(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct meter_batch *b = bpf_map_lookup_elem(&batch, &zero);
	if (!b)
		return XDP_DROP;
	__u32 n = b->n, nb = cfg.buckets;
	__u64 acc = 0;
	/* Pass 1: each record's first header line, loaded back to back and
	 * folded into one register, so the JIT keeps the loads and the CPU
	 * has them in flight together. Then, in a second round, which slot's
	 * line each record needs: its home slot if that holds its tag (a hit)
	 * or is free (where a new entry goes), else the first slot whose tag
	 * matches (an entry placed away from home), else none (a packet a
	 * full cache refuses). Then those lines' loads.
	 *
	 * First, with no load of the table, each record's first bucket (in
	 * its ahead field, which the slot round below overwrites), and
	 * whether some record was pushed under another table's seed: with the
	 * seed check, the hash to bucket and the loop's work between them,
	 * the header loads were about 40 instructions apart and the CPU's
	 * window held only a few in flight (BenchmarkTableRounds: such a
	 * round costs four or five memory latencies, a bare one two). */
	__u32 seed = (__u32)cfg.seed;
	__u64 stale = 0;
	for (__u32 i = 0; i < BATCH_RECS; i++) {
		if (i >= n)
			break;
		struct batch_rec *r = &b->r[i];
		/* The OR in place (in C, into the XOR's register and moved
		 * back, one instruction more), and h's low half loaded as
		 * such (no shifts to clear its high half). */
		__u64 x = r->seed ^ seed;
		asm volatile("%[s] |= %[x]" : [s] "+r"(stale) : [x] "r"(x));
		r->ahead = ((__u64)*(__u32 *)&r->h * nb) >> 32;
	}
	/* Records buffered for another table (before a resize): hashed again
	 * and placed by a call of their own (batch_rehash). */
	if (unlikely(stale))
		batch_rehash();
	/* The count read again before each pass: the loop above leaves it
	 * known to the verifier (its exit at record i: n is i), which then
	 * walked each later pass once for each count, 17 times. */
	n = READ_ONCE(b->n);
	/* The header loads: the bucket's address, the load, the fold,
	 * written out 16 times with constant offsets (clang does not unroll
	 * the loop): no loop counter or record address between the loads,
	 * and acc keeps a register: 12 BPF instructions a load. */
#define BATCH_HDR_LOAD(i)                                              \
	do {                                                           \
		if ((i) >= n)                                          \
			goto hdr_done;                                 \
		struct bucket_hdr *hd = hdr_at_rec(&b->r[(i)].ahead);  \
		if (hd)                                                \
			BATCH_FOLD(acc, hd);                           \
	} while (0)
	_Static_assert(BATCH_RECS == 16, "one BATCH_HDR_LOAD a record");
	BATCH_HDR_LOAD(0); BATCH_HDR_LOAD(1); BATCH_HDR_LOAD(2); BATCH_HDR_LOAD(3);
	BATCH_HDR_LOAD(4); BATCH_HDR_LOAD(5); BATCH_HDR_LOAD(6); BATCH_HDR_LOAD(7);
	BATCH_HDR_LOAD(8); BATCH_HDR_LOAD(9); BATCH_HDR_LOAD(10); BATCH_HDR_LOAD(11);
	BATCH_HDR_LOAD(12); BATCH_HDR_LOAD(13); BATCH_HDR_LOAD(14); BATCH_HDR_LOAD(15);
#undef BATCH_HDR_LOAD
hdr_done:
	/* Used, so the loads stay; a fresh register for the slot round's
	 * (one live across the round between was kept on the stack). The
	 * buffer's address still comes from the stack before each load of
	 * both rounds (clang's choice), one L1 load a record. */
	asm volatile("" : : "r"(acc));
	acc = 0;
	/* The table's hash tested once a flush, not a record: the verifier
	 * drops the other call's code (key_hash_kind is read-only data). */
	if (key_hash_kind == HASH_CHAIN)
		batch_choose(b, READ_ONCE(b->n), HASH_CHAIN);
	else
		batch_choose(b, READ_ONCE(b->n), HASH_LANES);
	n = READ_ONCE(b->n);
	/* The loads in a round of their own, a few instructions each (written
	 * out as the header round's): done in the round above, 50 to 100
	 * instructions a record, the CPU's window held only a few of them in
	 * flight at once. */
#define BATCH_SLOT_LOAD(i)                                             \
	do {                                                           \
		if ((i) >= n)                                          \
			goto slot_done;                                \
		/* A record with no slot (ahead ~0U, past the array's    \
		 * end) gets no value: no test of its own. */          \
		struct flow_val *s = slot_at_rec(&b->r[(i)].ahead);    \
		if (s)                                                 \
			BATCH_FOLD(acc, s);                            \
	} while (0)
	BATCH_SLOT_LOAD(0); BATCH_SLOT_LOAD(1); BATCH_SLOT_LOAD(2); BATCH_SLOT_LOAD(3);
	BATCH_SLOT_LOAD(4); BATCH_SLOT_LOAD(5); BATCH_SLOT_LOAD(6); BATCH_SLOT_LOAD(7);
	BATCH_SLOT_LOAD(8); BATCH_SLOT_LOAD(9); BATCH_SLOT_LOAD(10); BATCH_SLOT_LOAD(11);
	BATCH_SLOT_LOAD(12); BATCH_SLOT_LOAD(13); BATCH_SLOT_LOAD(14); BATCH_SLOT_LOAD(15);
#undef BATCH_SLOT_LOAD
slot_done:
	asm volatile("" : : "r"(acc));
	/* Pass 2: the plain hits counted here (batch_count_hit), oldest
	 * first. A record counted here costs no run of its own: no tail call,
	 * no map lookups, no struct parsed, no lookup. A loop that counts
	 * every record (every record a plain hit, as in the 10K and 100K
	 * rows) leaves the buffer empty, with no refusal to look for (no call
	 * of batch_refuse_full) and nothing to move; the first record it does
	 * not count sends the rest to a loop of their own (some_left). The
	 * count is read from the buffer again here: from memory, unknown to
	 * the verifier, which would otherwise walk the loop once for each
	 * count the rounds' exits leave known. The loop keeps the record's
	 * address, its byte offset (the bound the verifier sees) and the end
	 * in registers the slot's lookup keeps, none on the stack
	 * (TestFlushCountLean); with a flag of records left beside them,
	 * the buffer's address went to the stack, loaded twice a record. */
	__u32 off, end = READ_ONCE(b->n) * sizeof(struct batch_rec);
	struct batch_rec *r = b->r;
	for (off = 0; off < BATCH_RECS * sizeof(struct batch_rec); off += sizeof(struct batch_rec), r++) {
		if (off >= end)
			break;
		asm volatile("" : "+r"(r));
		if (unlikely(!batch_count_hit(r)))
			goto some_left;
	}
	/* The clock's line is looked up here, not before the rounds: kept
	 * across them, clang reloaded it after each slot load. */
	struct flow_clock *c = bpf_map_lookup_elem(&flow_clock, &zero);
	if (unlikely(!c))
		return XDP_DROP;
	c->cursor = 0;
	b->n = 0;
	return b->verdict;
some_left:
	/* A record not counted (it stays, as ahead says): the rest counted
	 * here, so that the loop above needs no flag of records left. */
	for (off += sizeof(struct batch_rec); off < BATCH_RECS * sizeof(struct batch_rec);
	     off += sizeof(struct batch_rec)) {
		if (off >= READ_ONCE(b->n) * sizeof(struct batch_rec))
			break;
		batch_count_hit((struct batch_rec *)((__u8 *)b->r + off));
	}
	c = bpf_map_lookup_elem(&flow_clock, &zero);
	if (!c)
		return XDP_DROP;
	/* Some record is not a plain hit: those the full cache refuses are
	 * counted (batch_refuse_full), then every record neither counted nor
	 * refused moves up behind the others, the newest first, in the order
	 * they came, so that the records from the cursor on are the ones
	 * left, as after a flowtap_flush_rec run (a failed tail call keeps
	 * them: batch_keep_rest). The write position is kept in the clock's
	 * cursor and the count read from the buffer at each step (memory,
	 * unknown to the verifier, which would otherwise walk the loop once
	 * for each position: 220K instructions more). */
	batch_refuse_full();
	c->cursor = READ_ONCE(b->n);
	for (__u32 k = 0; k < BATCH_RECS; k++) {
		__u32 nn = READ_ONCE(b->n);
		if (k >= nn)
			break;
		__u32 i = nn - 1 - k;
		if (i >= BATCH_RECS)
			break;
		struct batch_rec *r = &b->r[i];
		__u32 a = r->ahead;
		if (a == BATCH_AHEAD_REFUSED || a == BATCH_AHEAD_COUNTED)
			continue;
		__u32 w = READ_ONCE(c->cursor) - 1;
		WRITE_ONCE(c->cursor, w);
		if (w != i && w < BATCH_RECS)
			b->r[w] = *r;
	}
	/* Pass 3: meter the rest, in the order they came, one a run of
	 * flowtap_flush_rec (batch_flush_rec_run). */
	if (c->cursor < READ_ONCE(b->n))
		bpf_tail_call(ctx, &batch_progs, BATCH_SLOT_REC);
	batch_keep_rest(b, c);
	return b->verdict;
}

/* run_meter's verdict with this bit: the buffer is full after the packet
 * (run_meter stored the verdict in it). XDP verdicts are 0..4. */
#define RUN_FLUSH 0x100

/* After a packet's metering: the run that filled the buffer goes on in
 * flowtap_flush (a tail call: no call and return per packet), which
 * returns this packet's verdict. Should the tail call fail, the buffer
 * stays full and packets are metered directly until user space flushes it
 * (FlushBatches). */
static __always_inline int batch_after(struct xdp_md *ctx, int v)
{
	if (unlikely(v & RUN_FLUSH))
		bpf_tail_call(ctx, &batch_progs, BATCH_SLOT_FLUSH);
	return v & ~RUN_FLUSH;
}
