/* Types shared by meter.c and user space (the Go files in datapath mirror
 * them, through bpf2go's generated types or by offset in table.go). Keep
 * layouts explicit: no implicit padding. */
#ifndef FLOWTAP_METER_H
#define FLOWTAP_METER_H

#include <linux/types.h>

#pragma clang diagnostic ignored "-Waddress-of-packed-member"

/* IPv4 flow key: 20 bytes. With the 44-byte value an IPv4 entry is 64
 * bytes, Cisco's own per-entry figure, and one cache line: one slot.
 *
 * pad (in both keys): its low byte is the sampler that took the packet
 * (< 128), its high byte the entry's owner, the CPU that metered it plus
 * one (0 for CPUs from OWNER_CPUS on, which the byte cannot name). The
 * owner is the one writer of the entry's counters, which it adds to
 * without atomics: a flow metered on two CPUs is two entries, each exact
 * (as a flow through two DFCs of a Catalyst is two records). One writer
 * per CPU holds wherever the meter runs: in NAPI (a softirq: one packet at
 * a time per CPU) and in BPF_PROG_TEST_RUN, which runs an XDP program
 * with bottom halves disabled since Linux 6.3 (net/bpf/test_run.c), so
 * neither another test run nor a softirq can interleave with it on its
 * CPU (on PREEMPT_RT the per-CPU BH lock serialises the same sections).
 * User space masks the owner out of everything it shows. Owner-0 entries
 * (CPUs past the byte, and every entry a version before owners wrote,
 * which new keys never match) are added to atomically. */
struct flow_key4 {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u32 ifindex;
	__u8 proto;
	__u8 tos;
	__u16 pad;
};

/* IPv6 flow key: 44 bytes (an 88-byte entry: a head slot and half a tail). */
struct flow_key6 {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u32 ifindex;
	__u8 proto;
	__u8 tos;
	__u16 pad;
};

/* Flow times are CLOCK_MONOTONIC in units of 2^TIME_SHIFT ns (1.048576 ms),
 * low 32 bits: they wrap after 52 days, and user space widens them (no
 * flow lives that long). */
#define TIME_SHIFT 20

/* Per-flow value: 44 bytes, first in the slot so the counters are 8-byte
 * aligned for atomics on both sides. */
struct flow_val {
	__u64 packets;
	__u64 bytes; /* sum of IP total length */
	__u32 first_t; /* 0 only in an entry an older version split at its active timeout */
	__u32 last_t;
	__u32 tcp; /* byte 0 TCP flags ORed, byte 1 ToS first seen, byte 2 min TTL, byte 3 max TTL */
	__u32 attrs; /* bits 0..11 outer VID, 12..23 inner VID, byte 3 state */
	__u8 smac[6];
	__u8 dmac[6];
} __attribute__((packed, aligned(4)));

/* An IPv4 entry: one slot, one cache line. */
struct slot4 {
	struct flow_val val;
	struct flow_key4 key;
};

/* An IPv6 entry: its head slot (the value and the key's first 20 bytes)
 * and the key's last 24 bytes in a half of a neighbouring tail slot (see
 * table_layout). */
struct slot6 {
	struct flow_val val;
	struct flow_key6 key;
};

/* The flow table is one pool of 64-byte slots for both families, in
 * buckets of BUCKET_SLOTS, and an array of one 64-byte header line per
 * bucket. The header holds a 16-bit tag per slot (TAG_FREE; TAG_CLAIMED
 * while a writer fills it; for a tail slot TAG_CONT_L and/or TAG_CONT_R;
 * else TAG_USED | TAG_V6 for IPv6 | 14 bits of the key's hash) and, in its
 * last 16 bits, HDR_OVERFLOW once a key whose first choice is this bucket
 * has gone to its second, HDR_OVERFLOW2 once one has gone to its third or
 * fourth (its first two had no room).
 *
 * An IPv6 entry (88 bytes) is a head slot, the value and the key's first
 * 20 bytes, and the key's last TAIL_BYTES in a
 * neighbouring tail slot of the same bucket, which two heads share: the
 * head on its left keeps its tail in bytes 0..23 (TAG_CONT_L), the head on
 * its right in bytes TAIL_OFF_R..63 (TAG_CONT_R). The state byte of the
 * head says which (ST_TAIL_LEFT: the tail is the slot before). So pure
 * IPv6 packs two entries in three slots, and an IPv4 entry takes any free
 * slot. The middle of a tail slot, where a head keeps its state byte, is
 * never written as a tail: a reader holding the tag of a slot that was
 * freed and became a tail still finds the old entry's draining state.
 * The head's tag and the tail's half are claimed with one compare-and-
 * swap when they are in one 32-bit word, else the head first and the
 * tail's half second (the head given back if that fails); a harvest
 * clears the half before it frees the head.
 *
 * The headers are 1/32 of the table, dense, and stay in the CPU's cache:
 * a packet reads its first bucket's header, compares the slots whose tag
 * matches (a hit misses on that one line; a packet first compares the
 * one tag of its key's home slot, where a new entry goes when it can
 * start there), and reads the second bucket's
 * header only if the first has overflowed (the third and fourth only if
 * it has overflowed past the second). An entry also says itself that
 * it is complete (ST_LIVE), set before its tag is published.
 *
 * Constants user space needs are enum values, not macros, so they are in
 * BTF and bpf2go writes them into meter_bpfel.go: datapath/table.go takes
 * them from there instead of keeping copies. */
enum table_layout {
	BUCKET_SLOTS = 31,
	LINE_BYTES = 64,
	TAG_FREE = 0,
	TAG_CLAIMED = 1,
	TAG_CONT_L = 2, /* a tail slot: the half of the head on its left is in use */
	TAG_CONT_R = 4, /* ... the half of the head on its right */
	TAIL_BYTES = 24, /* an IPv6 key's bytes past its head slot */
	TAIL_OFF_R = 40, /* where the right head's half starts in a tail slot */
	TAG_USED = 0x8000,
	TAG_V6 = 0x4000,
	TAG_HASH_MASK = 0x3fff,
	/* IPv6 entries go to their home slot only in caches of at least
	 * this many entries, BATCH_ADAPT_MIN_ENTRIES: there they are
	 * metered in batches (while not refused), whose flush loads the home
	 * slot ahead; a direct hit at home cost more in a 16K cache than best
	 * fit (datapath/README.md). */
	HOME6_MIN_ENTRIES = 16384,
	/* CPUs that own their entries (flow_key4): 0..254, as owner 1..255. */
	OWNER_CPUS = 255,
	OWNER_SHIFT = 8, /* the owner's place in flow_key4/6.pad */
	HDR_OVERFLOW = 0x0001,
	HDR_OVERFLOW2 = 0x0002,
	/* flow_val.attrs byte 3: state bits. */
	ST_DRAINING = 0x01,     /* marked by the reaper: writers must not touch it */
	ST_FIN_EV = 0x02,       /* FIN/RST seen and its one event sent */
	ST_LIVE = 0x04,         /* key and counters complete: readers may use it */
	ST_TAIL_LEFT = 0x08,    /* IPv6: the key's tail is in the slot before (else after) */
	ST_REASON_SHIFT = 4,    /* bits 4..6: flow end reason (IPFIX code) */
	/* counters[] indices (a pinned array of u64). */
	CTR_LIVE = 0, /* flows in the cache, both families: one pool, as IOS */
	CTR_HARVESTED = 1, /* CLOCK_MONOTONIC ns of the last harvest (user space
	                    * writes it): how long the 32-bit stamps went unread */
	CTR_SEED = 2, /* hash seed, chosen once when the table is created */
	CTR_HASH = 3, /* which key hash placed the table's entries (HASH_*) */
	CTR_MAX = 4,
	/* Key hashes. A table keeps the one it was created with (CTR_HASH,
	 * 0 in tables pinned before there was a choice), so entries placed by
	 * an earlier version are found after a restart. */
	HASH_CHAIN = 0, /* a multiply per 32-bit word, fmix64, one more for tag and home */
	HASH_LANES = 1, /* 64-bit words in two lanes, a two-multiply finaliser */
	/* The harvest's batch free (flowtap_free, struct free_batch): an
	 * entry is its bucket << FREE_BUCKET_SHIFT | its first slot's place
	 * in the bucket (no division in the kernel: the JIT's is a DIV),
	 * FREE_V6 for IPv6 and FREE_LEFT when its tail is the slot before. */
	FREE_BATCH = 1024,
	FREE_V6 = 0x40000000,
	FREE_LEFT = 0x20000000,
	FREE_BUCKET_SHIFT = 5,
	FREE_BUCKET_MASK = 0xffffff, /* after the shift */
	FREE_SLOT_MASK = 0x1f,
	/* Metering in batches (bpf/batch.h): a packet of a cache of
	 * BATCH_MIN_ENTRIES or more appends a record to its CPU's buffer;
	 * the run that brings it to BATCH_RECS applies the batch. A cache
	 * of BATCH_ADAPT_MIN_ENTRIES up to BATCH_MIN_ENTRIES does so only
	 * while its CPU's last creation was not refused. */
	BATCH_RECS = 16,
	BATCH_MIN_ENTRIES = 65536,
	BATCH_ADAPT_MIN_ENTRIES = 16384,
};

/* The entries a harvest frees in one run of flowtap_free: the one value
 * of the free_batch map, which user space fills through mmap. */
struct free_batch {
	__u32 n;
	__u32 e[FREE_BATCH];
};

/* What the table needs of a metered packet: its masked key (with its
 * sampler and owner), and what counting into or creating its flow uses.
 * h is written by the flush (the hash of the table the record goes to). */
struct batch_rec {
	__u64 h;
	__u32 key[11];
	__u32 ifindex;
	__u32 now_t;
	__u32 ip_len;
	__u16 vlan[2];
	__u8 mac[12]; /* destination, source */
	__u8 family;
	__u8 tos;
	__u8 ttl;
	__u8 tcp_flags;
	__u8 owner;
	__u8 nw; /* key words: 5 (IPv4) or 11 */
	__u16 tag_xor; /* ahead's tag XOR the record's (0: its tag), as ahead */
	__u32 seed; /* low half of the seed h was computed with */
	__u32 ahead; /* the slot its flush loads ahead, or ~0: written and read within one flush */
};

/* A CPU's buffer: records 0..n-1 are metered packets not yet in the
 * table. verdict is the filling packet's, for the flush program it
 * tail-calls. */
struct meter_batch {
	__u32 n;
	__u32 verdict;
	struct batch_rec r[BATCH_RECS];
};

/* A bucket's header: one line of the buckets array. */
struct bucket_hdr {
	__u16 tag[BUCKET_SLOTS];
	__u16 flags; /* HDR_OVERFLOW, HDR_OVERFLOW2 */
};

/* Why a frame was not metered (stats.unparsed[reason]). */
enum parse_reason {
	PR_OK = 0,
	PR_NON_IP,          /* ARP, LLDP, STP, ... */
	PR_TRUNC_L2,        /* shorter than its Ethernet/VLAN/PPPoE header */
	PR_TOO_MANY_TAGS,   /* more VLAN tags than we walk */
	PR_MPLS_NON_IP,     /* label stack ends in a pseudowire or unknown payload */
	PR_MPLS_TOO_DEEP,   /* no bottom-of-stack within the labels we walk */
	PR_TRUNC_IP,        /* shorter than its IP header */
	PR_BAD_IP,          /* wrong version, IHL < 5, total length < header */
	PR_V6_EXT_TOO_LONG, /* extension header chain longer than we walk */
	PR_TRUNC_L4,        /* first fragment too short for its L4 ports */
	PR_MAX,
};

#define PKT_SIZE_BUCKETS 26 /* IOS "IP packet size distribution" columns */

struct meter_stats {
	__u64 frames;           /* every frame the program saw */
	__u64 frame_bytes;
	__u64 metered_packets;  /* counted into a flow (after sampling) */
	__u64 metered_bytes;    /* their IP total length */
	__u64 sampled_out;      /* parsed but skipped by the sampler */
	__u64 ipv4;
	__u64 ipv6;
	__u64 flows_created;
	__u64 create_fail_packets; /* no room: packets of flows that could not be created */
	__u64 create_fail_bytes;
	__u64 create_fail_full;    /* ... because the cache held its configured size */
	__u64 create_fail_contention; /* ... because its four candidate buckets were full */
	__u64 fin_events;
	__u64 full_events;
	__u64 event_drops;      /* ring buffer full */
	__u64 unparsed[PR_MAX];
	__u64 size_hist[PKT_SIZE_BUCKETS];
};

enum event_kind {
	EV_END_OF_FLOW = 1,
	EV_CACHE_FULL = 2,
};

struct meter_event {
	__u8 kind;
	__u8 family; /* 4 or 6 */
	__u16 pad;
	__u32 ifindex;
	__u64 time_ns;
};

/* Port config, indexed by ifindex (< MAX_PORTS); zero value = meter, passive.
 * The kernel numbers links up from 1 and never reuses a number while it
 * runs: every link added (a port deleted and added again, a VPN's tunnel,
 * a container's veth) takes the next. 1024 was reached on a box left up
 * while links came and went, and every port past it shared one setting
 * (default_port_flags, the last written: an inline port could drop its
 * traffic) and could have no sampler or filter. 65536 is as far as v5's
 * 16-bit interfaces reach; the arrays take 256 and 512 KiB. */
#define MAX_PORTS 65536
#define PORT_INLINE 0x01   /* XDP_PASS after metering instead of XDP_DROP */
#define PORT_NO_METER 0x02 /* attached but `ip flow ingress` is off */

struct port_cfg {
	__u32 flags;
};

#define SAMPLE_NONE 0
#define SAMPLE_DETERMINISTIC 1
#define SAMPLE_RANDOM 2

/* meter_cfg.selects */
enum selects_bits {
	SELECTS_PORTS = 1,
	SELECTS_SAMPLER = 2,
	SELECTS_OVERLOAD = 4,
};

/* Run-time settings, in .bss so a change applies without a reload. */
struct meter_cfg {
	__u32 mask4[5];  /* ANDed over struct flow_key4 as 32-bit words */
	__u32 mask6[11]; /* ANDed over struct flow_key6 */
	__u32 sample_mode;
	__u32 sample_n;
	__u32 default_port_flags; /* for ifindex >= MAX_PORTS */
	__u32 full_epoch;         /* bumped by user space: re-arms the cache-full event */
	__u32 cap;                /* configured cache size: flows of both families */
	/* SELECTS_* bits: which of the select stage's parts are set, so that
	 * with none the stage is one test (run_meter). SELECTS_PORTS while
	 * some port has a filter or a sampler (port_selects): set before the
	 * first port's entry is written, cleared after the last one's is
	 * zeroed (Datapath.SetPortSelect). SELECTS_SAMPLER while sample_mode
	 * is not SAMPLE_NONE, written with it (Datapath.SetSampling).
	 * SELECTS_OVERLOAD while the overload sampler's 1-in-n is over 1: set
	 * before it is, cleared after it is not (Datapath.SetOverloadRate).
	 * Formerly padding: a build that reads it still loads beside one that
	 * does not. Its type puts the bits in BTF (bpf2go's Go mirror) with
	 * no new global, which an older object loaded beside this build's
	 * (BenchmarkLiveAB) would lack. */
	enum selects_bits selects;
	__u32 buckets;            /* buckets in the table (any number >= 2) */
	__u32 pad2;
	__u64 seed;
};

/* A subinterface (`interface eth1.190`): its parent port and outer VID,
 * the key of the subifs map, whose value is the subinterface's ifIndex. */
#define MAX_SUBIFS 4096

struct vlan_port {
	__u32 ifindex;
	__u16 vid;
	__u16 pad;
};

/* ip flow-capture and MPLS-aware NetFlow (ip flow-cache mpls
 * label-positions): what a flow's packets carry beyond its table entry.
 * Kept apart from the table, in the extras4/extras6 hash maps keyed by the
 * flow's masked key, so the slot stays as it is; the meter touches them
 * only while capture_cfg.fields is not 0. */
enum capture_bits {
	CAP_IPID = 0x01,   /* first packet's IP identification (IE 54) */
	CAP_PKTLEN = 0x02, /* min/max IP total length (IEs 25, 26) */
	CAP_ICMP = 0x04,   /* first packet's ICMP type and code (IE 32/139) */
	CAP_FRAG = 0x08,   /* first fragment's offset field (IE 88) */
	CAP_MPLS = 0x10,   /* label stack entries at the configured positions (IEs 70-72) */
	CAP_FLOWLABEL = 0x20, /* first packet's IPv6 flow label (IE 31) */
	CAP_FRAGFLAGS = 0x40, /* OR of the packets' fragment flags (IE 197) */
	CAP_EXT6 = 0x80,      /* OR of the IPv6 extension headers seen (IE 64) */
	CAP_FIELDS = 0xff,
	XF_FRAG_SEEN = 0x100, /* flow_extra.flags: frag_off is a fragment's */
	CAP_LABELS = 3,
};

/* flow_extra.ext6: IANA's ipv6ExtensionHeaders bits (IE 64, unsigned32,
 * bit 0 its most significant) that name a header, all in its top 16:
 * kept as those 16, exported shifted up. */
enum ext6_bits {
	EXT6_DST = 0x8000,  /* bit 0: destination options (60) */
	EXT6_HOP = 0x4000,  /* bit 1: hop-by-hop options (0) */
	EXT6_FRA0 = 0x0800, /* bit 4: fragment header, first fragment (44) */
	EXT6_RH = 0x0400,   /* bit 5: routing header (43) */
	EXT6_FRA1 = 0x0200, /* bit 6: fragment header, a later fragment (44) */
	EXT6_MOB = 0x0008,  /* bit 12: mobility (135) */
	EXT6_ESP = 0x0004,  /* bit 13: encapsulating security payload (50) */
	EXT6_AH = 0x0002,   /* bit 14: authentication header (51) */
	EXT6_PAY = 0x0001,  /* bit 15: payload compression (108) */
};

struct capture_cfg {
	__u32 fields;     /* CAP_* bits; 0: the extras maps are not touched */
	__u8 mpls_pos[4]; /* 1-based label positions for labels[0..2]; 0 unused */
};

/* One flow's captured extras: 40 bytes. */
struct flow_extra {
	__u32 ip_id;    /* IPv4 identification, or an IPv6 fragment header's */
	__u16 frag_off; /* the 13-bit offset field (8-octet units) */
	__u16 icmp;     /* type << 8 | code */
	__u16 min_len;  /* IP total length, saturated at 65535 */
	__u16 max_len;
	__u8 nlabels;   /* label stack depth of the first packet */
	__u8 frag_flags; /* OR of the IPv4 flags (0x80 reserved, 0x40 DF, 0x20 MF), an IPv6 fragment header's M as MF */
	__u16 flags;    /* CAP_* in force when the entry was made, XF_FRAG_SEEN */
	__u32 labels[CAP_LABELS]; /* label stack entries as on the wire (host order) */
	__u32 first_t;  /* the owning flow's first_t: a successor's packets leave it alone */
	__u32 flow_label; /* the first packet's IPv6 flow label (20 bits), 0 for IPv4 */
	__u16 ext6;     /* OR of the packets' EXT6_* bits, 0 for IPv4 */
	__u16 pad;
};

#endif
