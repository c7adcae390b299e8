/* Types shared by meter.c and user space (the Go files in datapath mirror them through
 * bpf2go's generated types). Keep layouts explicit: no implicit padding. */
#ifndef FLOWTAP_METER_H
#define FLOWTAP_METER_H

#include <linux/types.h>

#pragma clang diagnostic ignored "-Waddress-of-packed-member"

/* IPv4 flow key: 20 bytes. With the 44-byte value an IPv4 entry is 64 bytes,
 * Cisco's own per-entry figure. */
struct flow_key4 {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u32 ifindex;
	__u8 proto;
	__u8 tos;
	__u8 gen; /* 0 normally; 1 for a flow created while its gen-0 entry drains */
	__u8 pad;
};

/* IPv6 flow key: 44 bytes (88 with the value). */
struct flow_key6 {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u32 ifindex;
	__u8 proto;
	__u8 tos;
	__u8 gen;
	__u8 pad;
};

/* flow_val.attrs byte 3: state bits. */
#define ST_DRAINING 0x01 /* marked by the reaper: writers must not touch it */
#define ST_FIN_EV 0x02   /* FIN/RST seen and its one event sent */
#define ST_REASON_SHIFT 4 /* bits 4..6: flow end reason (IPFIX code) */

/* Flow times are CLOCK_MONOTONIC in units of 2^TIME_SHIFT ns (1.048576 ms),
 * low 32 bits: they wrap after 52 days, and user space widens them (no
 * flow lives that long). */
#define TIME_SHIFT 20

/* Per-flow value: 44 bytes. */
struct flow_val {
	__u64 packets;
	__u64 bytes; /* sum of IP total length */
	__u32 first_t; /* 0 after an active-timeout split: set by the next packet */
	__u32 last_t;
	__u32 tcp; /* byte 0 TCP flags ORed, byte 1 ToS first seen, byte 2 min TTL, byte 3 max TTL */
	__u32 attrs; /* bits 0..11 outer VID, 12..23 inner VID, byte 3 state */
	__u8 smac[6];
	__u8 dmac[6];
} __attribute__((packed, aligned(4))); /* 44, not 48: the counters stay 8-aligned in the map */

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
	__u64 create_fail_packets; /* map full: packets of flows that could not be created */
	__u64 create_fail_bytes;
	__u64 late_packets;     /* both generations draining: counted here, not lost */
	__u64 late_bytes;
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

/* Port config, indexed by ifindex (< MAX_PORTS); zero value = meter, passive. */
#define MAX_PORTS 1024
#define PORT_INLINE 0x01   /* XDP_PASS after metering instead of XDP_DROP */
#define PORT_NO_METER 0x02 /* attached but `ip flow ingress` is off */

struct port_cfg {
	__u32 flags;
};

#define SAMPLE_NONE 0
#define SAMPLE_DETERMINISTIC 1
#define SAMPLE_RANDOM 2

/* Run-time settings, in .bss so a change applies without a reload. */
struct meter_cfg {
	__u32 mask4[5];  /* ANDed over struct flow_key4 as 32-bit words */
	__u32 mask6[11]; /* ANDed over struct flow_key6 */
	__u32 sample_mode;
	__u32 sample_n;
	__u32 default_port_flags; /* for ifindex >= MAX_PORTS */
	__u32 full_epoch;         /* bumped by user space: re-arms the cache-full event */
};

#define REAP_MARK 1
#define REAP_COLLECT 2

#define RF_IDLE 0x01
#define RF_ACTIVE 0x02
#define RF_EOF 0x04
#define RF_FORCE 0x08
#define RF_EMERGENCY 0x10
#define RF_FAST 0x20

/* Arguments and results of one reaper run (also .bss). */
struct reap_args {
	__u32 mode;
	__u32 flags;
	__u32 idle_before;   /* ms: last packet before this -> idle */
	__u32 active_before; /* ms: first packet before this -> active split */
	__u32 fast_before;   /* ms: created before this with < fast_threshold packets */
	__u32 fast_threshold;
	__u32 marked;
	__u32 split;
	__u32 collected;
	__u32 out_full; /* the harvest ring was full: run again after draining */
};

struct harvest_rec {
	__u8 family;
	__u8 reason;
	__u8 gen;
	__u8 pad;
	struct flow_val val;
	struct flow_key6 key; /* a flow_key4 in the first 20 bytes when family == 4 */
};

#endif
