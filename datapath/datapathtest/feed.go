// Package datapathtest feeds frames to a loaded XDP program with
// BPF_PROG_TEST_RUN, for tests and benchmarks. It is kept out of package
// datapath so the daemon does not carry it; it does not import datapath,
// so datapath's own tests can use it too.
package datapathtest

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
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
//
// A caller whose thread may run on several CPUs is run on the lowest of
// them: the meter keys each flow's entry by the CPU that metered it (its
// one writer, which counts without atomics), so frames fed one after the
// other are one NIC queue's, as they are on a router, and one flow stays
// one entry. A caller that pinned its thread to one CPU keeps it.
func FeedRepeat(prog *ebpf.Program, frame []byte, ifindex uint32, repeat uint32) (uint32, error) {
	if len(frame) < 14 {
		return 0, fmt.Errorf("feed %d-byte frame: %w", len(frame), ErrRuntFrame)
	}
	opts := &ebpf.RunOptions{Data: frame, Repeat: repeat}
	if ifindex != 0 {
		opts.Context = xdpMD{DataEnd: uint32(linearLen(len(frame))), IngressIfindex: ifindex}
	}
	var ret uint32
	err := Uninterrupted(func() (err error) {
		restore, err := onOneCPU()
		if err != nil {
			return err
		}
		defer restore()
		ret, err = prog.Run(opts)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("test-run %d-byte frame: %w", len(frame), err)
	}
	return ret, nil
}

// Uninterrupted calls run (a BPF_PROG_TEST_RUN with a repeat count) with
// every signal blocked on the calling thread. A signal arriving during a
// repeated run (the Go runtime's preemption signal, SIGCHLD of a tool a
// test started) makes the kernel stop after some of the runs with EINTR,
// and cilium/ebpf then starts the whole run again: the program runs more
// than repeat times and exact counts come out high (a sampler saw
// 200,001 packets of 200,000). Blocked, a signal stays pending without
// interrupting the run and is taken when the mask is restored.
func Uninterrupted(run func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var all, old unix.Sigset_t
	for i := range all.Val {
		all.Val[i] = ^uint64(0)
	}
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &all, &old); err != nil {
		return fmt.Errorf("block signals for a test run: %w", err)
	}
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil) //nolint:errcheck // restoring the mask it just read
	return run()
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

// onOneCPU pins the calling thread (locked by the caller) to the lowest
// CPU it may run on, if it may run on more than one, and returns what
// puts its affinity back.
func onOneCPU() (restore func(), err error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("read CPU affinity: %w", err)
	}
	if set.Count() <= 1 {
		return func() {}, nil
	}
	var one unix.CPUSet
	for cpu := 0; ; cpu++ {
		if set.IsSet(cpu) {
			one.Set(cpu)
			break
		}
	}
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return nil, fmt.Errorf("pin to one CPU: %w", err)
	}
	return func() { _ = unix.SchedSetaffinity(0, &set) }, nil
}
