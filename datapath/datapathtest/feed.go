// Package datapathtest feeds frames to a loaded XDP program with
// BPF_PROG_TEST_RUN, for tests and benchmarks. It is kept out of package
// datapath so the daemon does not carry it; it does not import datapath,
// so datapath's own tests can use it too.
package datapathtest

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

// Feed runs one frame through prog (datapath.Datapath.Program for the
// meter) with BPF_PROG_TEST_RUN, as if it had arrived on ifindex (which
// must exist in this network namespace; 1, the loopback, always does). It
// returns the XDP verdict.
func Feed(prog *ebpf.Program, frame []byte, ifindex uint32) (uint32, error) {
	return FeedRepeat(prog, frame, ifindex, 1)
}

// FeedRepeat runs the frame through prog repeat times in one call: the
// kernel loops on the calling CPU, so calls from goroutines locked to
// different CPUs race on the program's shared state as NIC queues do.
func FeedRepeat(prog *ebpf.Program, frame []byte, ifindex uint32, repeat uint32) (uint32, error) {
	if len(frame) < 14 {
		return 0, fmt.Errorf("feed %d-byte frame: %w", len(frame), ErrRuntFrame)
	}
	opts := &ebpf.RunOptions{Data: frame, Repeat: repeat}
	if ifindex != 0 {
		opts.Context = xdpMD{DataEnd: uint32(linearLen(len(frame))), IngressIfindex: ifindex}
	}
	ret, err := prog.Run(opts)
	if err != nil {
		return 0, fmt.Errorf("test-run %d-byte frame: %w", len(frame), err)
	}
	return ret, nil
}

// ErrRuntFrame: BPF_PROG_TEST_RUN takes no frame shorter than an Ethernet
// header, and no NIC delivers one, so a capture's runts cannot be fed.
var ErrRuntFrame = errors.New("frame shorter than an Ethernet header")

// linearLen is how much of a test-run frame the kernel puts in the linear
// buffer; the rest goes to fragments (xdp.frags programs only).
func linearLen(n int) int {
	const maxLinear = 4096 - 256 - 320 // page - XDP headroom - skb_shared_info
	return min(n, maxLinear)
}
