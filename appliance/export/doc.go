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
// Library code here returns errors and counts failures; it never logs.
package export
