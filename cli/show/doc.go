// Package show renders the operational `show` commands in the vendors'
// layouts (vendor-behaviour.md 1.2, 1.6, 2.2-2.5, 4.2 and 4.4, where each
// layout says whether it is sourced, recalled or flowtap's own).
// Renderers are pure: they take plain snapshots of the cache, datapath
// and exporters and write text, so golden tests fix the exact screens.
// The snapshots are this package's own view types (views.go), which
// appliance/daemon fills from the engines: the CLIs build without the
// encoders, the flow cache and the datapath.
// Each table screen also has its `| json` form, built from the same
// snapshot, with NX-OS's TABLE_x/ROW_x nesting.
package show
