package datapath

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// xdpMD mirrors struct xdp_md for BPF_PROG_TEST_RUN's context.
type xdpMD struct {
	Data, DataEnd, DataMeta      uint32
	IngressIfindex, RxQueueIndex uint32
	EgressIfindex                uint32
}

// XDP actions the meter returns.
const (
	XDPDrop = 1
	XDPPass = 2
)

// Feed runs one frame through the loaded meter with BPF_PROG_TEST_RUN, as
// if it had arrived on ifindex (which must exist in this network
// namespace; 1, the loopback, always does). It returns the XDP verdict.
func (d *Datapath) Feed(frame []byte, ifindex uint32) (uint32, error) {
	if len(frame) < 14 {
		return 0, fmt.Errorf("feed %d-byte frame: %w", len(frame), ErrRuntFrame)
	}
	return runXDP(d.objs.FlowtapMeter, frame, ifindex, 1)
}

// ErrRuntFrame: BPF_PROG_TEST_RUN takes no frame shorter than an Ethernet
// header, and no NIC delivers one, so a capture's runts cannot be fed.
var ErrRuntFrame = errors.New("frame shorter than an Ethernet header")

func runXDP(prog *ebpf.Program, frame []byte, ifindex uint32, repeat int) (uint32, error) {
	opts := &ebpf.RunOptions{Data: frame, Repeat: uint32(repeat)}
	if ifindex != 0 {
		opts.Context = xdpMD{DataEnd: uint32(linearLen(len(frame))), IngressIfindex: ifindex}
	}
	ret, err := prog.Run(opts)
	if err != nil {
		return 0, fmt.Errorf("test-run %d-byte frame: %w", len(frame), err)
	}
	return ret, nil
}

// linearLen is how much of a test-run frame the kernel puts in the linear
// buffer; the rest goes to fragments (xdp.frags programs only).
func linearLen(n int) int {
	const maxLinear = 4096 - 256 - 320 // page - XDP headroom - skb_shared_info
	return min(n, maxLinear)
}
