package config

import "fmt"

// XDPMode is `flowtap xdp-mode`: how the meter is hooked to the port.
type XDPMode uint8

const (
	// XDPBest tries offload, then native, then generic.
	XDPBest XDPMode = iota
	XDPOffload
	XDPNative
	XDPGeneric
)

var xdpModeNames = [...]string{XDPBest: "best", XDPOffload: "offload", XDPNative: "native", XDPGeneric: "generic"}

func (m XDPMode) String() string {
	if int(m) < len(xdpModeNames) {
		return xdpModeNames[m]
	}
	return "best"
}

// ParseXDPMode takes "best", "offload", "native" or "generic".
func ParseXDPMode(s string) (XDPMode, error) {
	for m, name := range xdpModeNames {
		if name == s {
			return XDPMode(m), nil
		}
	}
	return 0, fmt.Errorf("unknown xdp-mode %q: want best, offload, native or generic", s)
}
