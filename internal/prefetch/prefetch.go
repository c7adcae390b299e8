// Package prefetch asks the CPU for a cache line ahead of its use. The
// harvest's collect reads the flow table's entries in memory order but
// sparsely (the marked ones), an order the hardware prefetcher did not
// foresee: it waited for each entry's line in turn.
package prefetch

import "unsafe"

// Line asks for the cache line holding p and returns at once; it never
// faults, so p may be any address in mapped memory. Where the package
// has no assembly for the CPU (prefetch_other.go) it does nothing.
func Line(p unsafe.Pointer) { line(p) }
