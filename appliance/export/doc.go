// Package export turns expired flows into NetFlow v5, v7, v8, v9 and IPFIX
// export packets and sends them to collectors.
//
// The package has three layers, each usable on its own:
//
//   - Encoders (NewEncoder) build byte-exact export packets from
//     flow.Record values or aggregation-cache entries and hand each finished
//     packet to a PacketWriter. They keep the per-version sequence number,
//     template refresh and header-time rules of the IOS exporters they
//     emulate, and do not allocate per record.
//   - AggregationCache emulates `ip flow-aggregation cache SCHEME`: it folds
//     main-cache records into per-scheme aggregates and expires them into
//     an AggregateExporter.
//   - Exporter is one collector: an encoder, a bounded packet queue and a
//     UDP socket. Destinations fans one cache's output out to several
//     exporters, each with its own version.
//
// # Nothing lost while the collector is reachable
//
// Export waits for room in the queue, and the sender paces its sends
// (MaxRate, 4000 packets/s by default), so a burst of expiries slows the
// harvest down instead of overflowing anything: flows wait in the cache,
// as on a loaded router. A send the host's own link refuses for want of
// room (the device queue full: ENOBUFS) is tried again for up to
// CongestedFor, not taken for an outage. Packets are no larger than the
// MTU of the route to the collector when it was dialled (fewer v5, v7 or
// v8 records, a smaller v9 or IPFIX packet on a link below 1500 bytes),
// so they leave unfragmented; an exporter made while the collector could
// not be dialled takes the MTU once the sender dials it.
//
// An unreachable collector loses records: a send error (no route,
// ECONNREFUSED) or an ICMP unreachable naming a sent packet (read from the
// socket's error queue, IP_RECVERR) marks it so; from then on Export no
// longer waits (a full queue refuses the packet, counted under the
// outage's cause), one probe a second is sent
// until one is not refused, and a packet that finds a probe waiting for
// its verdict waits with it, then is sent if the probe got through and
// discarded if not. A sent packet counts as exported only once the kernel
// stamped it as it reached the outgoing device (SO_TIMESTAMPING TX_SCHED:
// its next hop's link-layer address resolved) and ConfirmAfter passed
// without an ICMP error for it, so Stats.Records never counts a packet a
// dead collector refused, nor one a next hop that does not answer ARP or
// neighbour discovery kept: the sender waits for each packet's stamp
// before it sends the next, and one without a stamp after ResolveWithin is
// lost (host unreachable). IPv4 export packets go without the DF bit, so
// a hop with a smaller MTU fragments them; an IPv6 packet a hop refuses as
// too big is lost and counted, but the collector is not taken for
// unreachable (the kernel fragments the next ones to fit). Every lost
// record is counted (Stats.LostRecords, with its flows' packets in
// LostPackets; Stats.LostBy says why, by record and packet) and the
// outage and its toll are logged (SetLogger): when it starts, once a
// minute while it lasts, and when it ends.
//
// What no exporter can see is not counted: a collector whose address
// moves to another MAC without a gratuitous ARP gets nothing until this
// host's neighbour entry, confirmed by nobody, goes stale and is probed
// again (15-45 s on Linux's defaults, measured 38 s), and those packets
// count as exported; with the gratuitous ARP a moved host sends (Linux's
// arp_notify, VRRP, a migrated VM) nothing is lost.
//
// Memory is bounded per destination whatever the collector does: QueueLen
// packet slots (64 by default: 64 × 1500 B for v5/v7/v8, 64 × the
// maximum packet size for v9/IPFIX), one open packet in the encoder, and
// at most 8192 in-flight packet headers of 64 B (512 KiB, reached only
// above 32,000 packets/s; past it the oldest counts as exported early).
//
// Library code here returns errors and counts failures; it logs only
// collector outages, and only to a logger it is given.
package export
