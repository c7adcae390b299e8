package platform

import (
	"fmt"
	"time"
)

// SamplingMode is a packet-sampling scheme.
type SamplingMode uint8

const (
	SamplingOff SamplingMode = iota
	// SamplingRandom is IOS Random Sampled NetFlow: `flow-sampler-map`
	// `mode random one-out-of N`.
	SamplingRandom
	// SamplingTimeBased is PFC `mls sampling time-based RATE`: flows
	// created in the first sampling-time ms of each export interval.
	SamplingTimeBased
	// SamplingPacketBased is PFC `mls sampling packet-based RATE [INTERVAL]`.
	SamplingPacketBased
	// SamplingJuniper is `forwarding-options sampling input rate N
	// run-length M`: one packet in N, plus the M that follow it.
	SamplingJuniper
)

func (m SamplingMode) String() string {
	switch m {
	case SamplingOff:
		return "off"
	case SamplingRandom:
		return "random"
	case SamplingTimeBased:
		return "time-based"
	case SamplingPacketBased:
		return "packet-based"
	case SamplingJuniper:
		return "juniper"
	}
	return fmt.Sprintf("SamplingMode(%d)", m)
}

// Sampling is a requested sampling setup. Fields a mode does not use are
// ignored.
type Sampling struct {
	Mode SamplingMode
	Rate uint32 // one packet (or flow window) in Rate
	// Interval is the PFC packet-based export interval; 0 lets the
	// platform pick (12.2SX randomises it within the range).
	Interval  time.Duration
	RunLength uint32 // Juniper
	// MaxPacketsPerSecond is Juniper's cap; 0 samples nothing, as on
	// JunOS, so start from the spec's default (1000).
	MaxPacketsPerSecond uint32
}

// SamplingSpec is one sampling mode a persona offers.
type SamplingSpec struct {
	Mode      SamplingMode
	Rate      Limit
	Interval  Limit  // PFC packet-based, milliseconds
	RunLength Limit  // Juniper
	MaxPPS    Limit  // Juniper
	Masks     []Mask // the flow masks the mode requires; nil: any
}

// pfcRates are the PFC sampling rates (SRC, vendor-behaviour.md 1.5).
func pfcRates() []int64 { return []int64{64, 128, 256, 512, 1024, 2048, 4096, 8192} }

// TimeBasedWindow is the PFC time-based sampling schedule for a rate:
// flows created in the first sample of every interval are kept (SRC,
// vendor-behaviour.md 1.5, 12.1E Table 33-5).
func TimeBasedWindow(rate uint32) (sample, interval time.Duration, ok bool) {
	ms := time.Millisecond
	switch rate {
	case 64:
		return 64 * ms, 4096 * ms, true
	case 128:
		return 32 * ms, 4096 * ms, true
	case 256:
		return 16 * ms, 4096 * ms, true
	case 512:
		return 8 * ms, 4096 * ms, true
	case 1024:
		return 4 * ms, 4096 * ms, true
	case 2048:
		return 4 * ms, 8192 * ms, true
	case 4096:
		return 4 * ms, 16384 * ms, true
	case 8192:
		return 4 * ms, 32768 * ms, true
	}
	return 0, 0, false
}
