// Package show renders the operational `show` commands in the vendors'
// layouts (vendor-behaviour.md 1.2, 1.6, 2.2-2.4). Renderers are pure:
// they take plain snapshots of the cache, datapath and exporters and write
// text, so golden tests fix the exact screens.
package show
