// Package flowcache ages the flow cache: it decides when flows leave the
// datapath's map, hands the expired records to the exporters and keeps the
// statistics behind `show ip cache flow` and the CISCO-NETFLOW-MIB.
//
// The datapath owns the flows; this package never sees a packet. It talks to
// the datapath only through Datapath (harvest, usage, events) and Peeker
// (a non-destructive read for top talkers), so that the aging rules can be
// tested against an in-memory fake (package flowcachetest).
package flowcache
