// Package show renders the operational `show` commands in the vendors'
// layouts (vendor-behaviour.md 1.2, 1.6, 2.2-2.5 and 4.2, where each
// layout says whether it is sourced, recalled or flowtap's own).
// Renderers are pure: they take plain snapshots of the cache, datapath
// and exporters and write text, so golden tests fix the exact screens.
// Each table screen also has its `| json` form, built from the same
// snapshot, with NX-OS's TABLE_x/ROW_x nesting.
package show
