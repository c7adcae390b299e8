// Package platform holds the personas flowtap can emulate: a Cisco IOS
// router's main cache, the Catalyst 6500 PFC2/PFC3/PFC4 hardware NetFlow
// tables, and Juniper cflowd. A persona fixes the cache size, the flow
// masks, the aging rules and their ranges, the export versions and the
// sampling modes, and validates a requested Setting the way the vendor's
// CLI would refuse it.
//
// The package imports no engine: config and the grammars read it, and so
// do the engines (the datapath's mask words, the caches' defaults). Its
// Aging and Emergency are what the daemon's derivation hands the flow
// cache engine.
//
// Values come from docs/vendor-behaviour.md (facts marked SRC or RECALL); each is marked in
// a comment as SRC (read from a cited source there), RECALL (from memory
// there, unverified) or "ours" (the reference is silent, we chose).
package platform
