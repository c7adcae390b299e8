/* Input filters and samplers: which parsed packets the meter counts.
 * Kept apart from the flow table so the two change independently.
 *
 * A filter is up to MAX_TERMS first-match terms. Each match dimension is
 * one lookup that yields the bitmap of terms it satisfies: source and
 * destination prefix (LPM tries), source and destination port (LPM tries
 * over 16-bit ports: a range is split into prefixes), protocol and TCP
 * flags (arrays indexed by the byte). User space stores, for every
 * inserted prefix, the terms whose own prefix contains it, so the longest
 * match carries every term that matches. The AND of the six bitmaps is
 * the set of matching terms; its lowest bit is the first match. Six
 * lookups per packet whatever the number of terms, and no loop.
 *
 * Filters live in slots (1..MAX_FILTERS-1, 0 = none); user space writes a
 * changed filter into a free slot and then repoints the ports, so a packet
 * never sees half a filter. */
#ifndef FLOWTAP_SELECT_H
#define FLOWTAP_SELECT_H

enum select_layout {
	MAX_FILTERS = 32,  /* filter slots, slot 0 = no filter */
	MAX_TERMS = 64,    /* terms per filter: one bit each */
	MAX_SAMPLERS = 64, /* sampler ids, 0 = the global sampler */
	FILTER_PREFIXES = 16384,
	/* term actions */
	ACT_IGNORE = 0, /* not metered */
	ACT_METER = 1,  /* metered through the port's sampler */
	ACT_SAMPLE = 2, /* metered through the term's sampler */
	CAS_TRIES = 8,  /* compare-and-swap attempts on a sampler's shared words */
};

/* Per port (by ifindex): its filters, one per family, and its sampler. */
struct port_select {
	__u16 filter4;
	__u16 filter6;
	__u16 sampler;
	__u16 pad;
};

/* LPM keys. The filter slot (big-endian) leads, so every filter's
 * prefixes share one trie: prefixlen counts its 32 bits. */
struct filter_addr_key {
	__u32 prefixlen;
	__u8 data[20]; /* slot (4, BE), address (4 or 16) */
};

struct filter_port_key {
	__u32 prefixlen;
	__u8 data[6]; /* slot (4, BE), port (2, BE) */
	__u16 pad;
};

struct term_action {
	__u16 action;
	__u16 sampler;
};

struct term_count {
	__u64 packets;
	__u64 bytes;
};

/* A sampler: 1-in-n (deterministic or random); after a sampled packet
 * the next run_length are taken too (JunOS); at most max_pps packets a
 * second are taken (0: no cap). */
struct sampler_cfg {
	__u32 mode; /* SAMPLE_* */
	__u32 n;
	__u32 run_length;
	__u32 max_pps;
};

/* Shared by all CPUs, so 1-in-n and the cap hold for the port as a whole,
 * not per CPU. The cap is a window of one second opened by the first
 * packet after the last window closed. The window is one word, its start
 * (milliseconds, wrapping) above its count, changed only by
 * compare-and-swap: however many CPUs race, no window takes more than the
 * cap. A CPU that loses CAS_TRIES races in a row gives the packet up
 * (counted in lost_races), so the bound is: taken <= cap per window, and
 * taken >= cap - lost_races for a window offered more than the cap. */
struct sampler_state {
	__u64 seen;    /* packets offered */
	__u64 taken;   /* metered */
	__u64 skipped; /* not picked by 1-in-n */
	__u64 capped;  /* picked, but over max_pps (lost_races included) */
	__u64 windows; /* one-second windows opened */
	__u64 pos;     /* deterministic position */
	__u64 window;  /* start ms << 32 | packets taken in it */
	__u64 lost_races; /* picked, under the cap, but CAS_TRIES races lost */
	__u32 run_left; /* random mode: packets left in the current run */
	__u32 pad;
};

#endif
