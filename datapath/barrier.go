package datapath

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// cpuBarrier returns once every online CPU has run a no-op XDP program
// in the kernel's test-run loop, after the call: then every meter run
// that began on any CPU before the call has ended, and later ones see
// every store made before it. A test run runs each program run between
// local_bh_disable() and local_bh_enable() (Linux 6.3 on: "One writer
// per CPU", README), so on a CPU it starts only between two of that
// CPU's bottom-half sections, which is where every meter run is (NAPI's
// softirq, generic XDP, the meter's own test runs); on PREEMPT_RT the
// section is a per-CPU lock, which the barrier's run takes in turn. That
// is what the harvest needs of an RCU grace period, at the cost of one
// run per CPU, all at once: synchronize_rcu() waited 8 ms or more, 30 ns
// an entry of a 256K-entry harvest's wall time (BenchmarkHarvest's
// ns/entry-gp).
//
// An error (a CPU this process may not run on, a cpuset's, cannot be
// reached) says the barrier may not have run everywhere: the caller
// waits for a grace period instead.
func (d *Datapath) cpuBarrier() error {
	if d.barrierProg == nil {
		return errors.New("the writers' barrier program is not loaded")
	}
	cpus, err := onlineCPUs()
	if err != nil {
		return err
	}
	errs := make([]error, len(cpus))
	var wg sync.WaitGroup
	for i, c := range cpus {
		wg.Go(func() {
			errs[i] = runOnCPU(c, func() error {
				_, err := d.barrierProg.Run(&ebpf.RunOptions{Data: batchFlushFrame})
				return err
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("run the writers' barrier on every CPU: %w", err)
	}
	d.barriers.Add(1)
	return nil
}

// newBarrierProg loads the barrier's program: XDP_PASS, nothing else.
func newBarrierProg() (*ebpf.Program, error) {
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         "flowtap_barrier",
		Type:         ebpf.XDP,
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 2), asm.Return()},
	})
	if err != nil {
		return nil, fmt.Errorf("load the writers' barrier program: %w", err)
	}
	return p, nil
}

// onlineCPUs lists the CPUs the kernel has online (cpu/online, as
// "0-3,8"): the CPUs an XDP run can be on.
func onlineCPUs() ([]int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, fmt.Errorf("read online CPUs: %w", err)
	}
	return parseCPUList(strings.TrimSpace(string(b)))
}

func parseCPUList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("CPU list %q: %w", s, err)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("CPU list %q: bad range %q", s, part)
			}
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	return out, nil
}

// waitForMarks returns once every meter run that may have seen an entry
// the harvest has just marked live has ended: the CPUs' barrier, or an
// RCU grace period where the barrier cannot reach every CPU or fails.
func (d *Datapath) waitForMarks() error {
	if d.cpuBarrier() == nil {
		return nil
	}
	return d.waitForWriters()
}
