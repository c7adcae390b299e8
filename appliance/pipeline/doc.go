// Package pipeline wires the datapath, the flow cache and the exporters
// into the metering pipeline the daemon runs.
package pipeline
