package datapath

import (
	"os"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/flow"
)

// TestHarvestWaitsByCPUBarrier: a harvest that marks entries waits for
// their writers with the CPUs' barrier (a run on each online CPU), not an
// RCU grace period (synchronize_rcu, 8 ms or more a harvest), and a pass
// that marks nothing waits for neither.
func TestHarvestWaitsByCPUBarrier(t *testing.T) {
	d := openTest(t, 1024)
	f := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	for range 3 {
		if _, err := d.Feed(f, 1); err != nil {
			t.Fatal(err)
		}
	}
	b0, g0 := d.barriers.Load(), d.graceWaits.Load()
	var got []flow.Record
	if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) { got = append(got, *r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Packets != 3 {
		t.Fatalf("harvested %+v, want one record of 3 packets", got)
	}
	if b, g := d.barriers.Load()-b0, d.graceWaits.Load()-g0; b != 1 || g != 0 {
		t.Fatalf("the harvest ran %d barriers and waited %d grace periods, want 1 and 0", b, g)
	}
	if _, err := d.Harvest(HarvestRequest{Force: true}, nil); err != nil {
		t.Fatal(err)
	}
	if b, g := d.barriers.Load()-b0, d.graceWaits.Load()-g0; b != 1 || g != 0 {
		t.Fatalf("an empty pass ran a barrier or waited (%d, %d in all)", b, g)
	}
}

// TestHarvestOpensNoDescriptor: the first harvest that marks an entry
// leaves the process holding the descriptors it held before. The
// barrier's program loaded at that harvest, not at Open, was one more for
// the daemon's life, which TestFaultRepeatedOperatorActions (counting a
// daemon's descriptors) read as a leak.
func TestHarvestOpensNoDescriptor(t *testing.T) {
	d := openTest(t, 1024)
	if _, err := d.Feed(udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0), 1); err != nil {
		t.Fatal(err)
	}
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	before := fds()
	if n, err := d.Harvest(HarvestRequest{Force: true}, nil); err != nil || n != 1 {
		t.Fatalf("harvested %d: %v", n, err)
	}
	if after := fds(); after != before {
		t.Errorf("the first marking harvest took the process from %d descriptors to %d", before, after)
	}
}

func TestParseCPUList(t *testing.T) {
	for s, want := range map[string][]int{"0": {0}, "0-1": {0, 1}, "0-2,5,7-8": {0, 1, 2, 5, 7, 8}} {
		got, err := parseCPUList(s)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parseCPUList(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "a", "3-1", "0-"} {
		if _, err := parseCPUList(s); err == nil {
			t.Errorf("parseCPUList(%q) took it", s)
		}
	}
}

// TestCPUBarrierWaitsForARunningProgram: an XDP program that runs for
// tens of milliseconds in one test run (bpf_loop) on the last CPU, as a
// meter run would for a moment, is running when the barrier is called;
// the barrier must not return before it has ended. A barrier that
// returned at once (or ran on the caller's CPU only) returns while the
// run is still going.
func TestCPUBarrierWaitsForARunningProgram(t *testing.T) {
	d := openTest(t, 1024)
	cpus, err := onlineCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if len(cpus) < 2 {
		t.Skip("needs two CPUs: the long run holds its CPU")
	}
	times, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer times.Close()
	// bpf_loop's callback is a function of its own, which the kernel
	// takes only with BTF for each function.
	i64 := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	u64 := &btf.Int{Name: "u64", Size: 8}
	voidp := &btf.Pointer{Target: &btf.Void{}}
	mainFn := &btf.Func{Name: "long_run", Linkage: btf.GlobalFunc,
		Type: &btf.FuncProto{Return: &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}, Params: []btf.FuncParam{{Name: "ctx", Type: voidp}}}}
	spinFn := &btf.Func{Name: "spin", Linkage: btf.StaticFunc,
		Type: &btf.FuncProto{Return: i64, Params: []btf.FuncParam{{Name: "index", Type: u64}, {Name: "data", Type: voidp}}}}
	loadCallback := asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: asm.R2, Src: asm.PseudoFunc, Constant: -1}.WithReference("spin")
	long, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.XDP,
		License: "GPL",
		Instructions: asm.Instructions{
			btf.WithFuncMetadata(asm.LoadMapPtr(asm.R1, times.FD()), mainFn),
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.Mov.Reg(asm.R6, asm.R0),
			asm.FnKtimeGetNs.Call(),
			asm.StoreMem(asm.R6, 0, asm.R0, asm.DWord), // started
			asm.Mov.Imm(asm.R1, 1<<23),
			loadCallback,
			asm.Mov.Imm(asm.R3, 0),
			asm.Mov.Imm(asm.R4, 0),
			asm.FnLoop.Call(),
			asm.FnKtimeGetNs.Call(),
			asm.StoreMem(asm.R6, 8, asm.R0, asm.DWord), // ended
			asm.Mov.Imm(asm.R0, 2).WithSymbol("out"),
			asm.Return(),
			btf.WithFuncMetadata(asm.Mov.Imm(asm.R0, 0).WithSymbol("spin"), spinFn),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatalf("load the long program: %v", err)
	}
	defer long.Close()
	// The caller on the first CPU, the run on the last: the caller sees
	// the run start while it goes on. A try where the caller saw the
	// start only once the run had ended (the caller kept off its CPU)
	// proves nothing and is made again.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var first unix.CPUSet
	first.Set(cpus[0])
	if err := unix.SchedSetaffinity(0, &first); err != nil {
		t.Fatal(err)
	}
	var tv [2]uint64
	var now unix.Timespec
	for try := 0; ; try++ {
		if try == 5 {
			t.Fatal("never saw the long run in progress in 5 tries")
		}
		if err := times.Put(uint32(0), [2]uint64{}); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- runOnCPU(cpus[len(cpus)-1], func() error {
				_, err := long.Run(&ebpf.RunOptions{Data: batchFlushFrame})
				return err
			})
		}()
		for deadline := time.Now().Add(10 * time.Second); tv[0] == 0; {
			if err := times.Lookup(uint32(0), &tv); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatal("the long program never started")
			}
		}
		inProgress := tv[1] == 0
		err := d.cpuBarrier()
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &now); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			t.Fatalf("barrier: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := times.Lookup(uint32(0), &tv); err != nil {
			t.Fatal(err)
		}
		if inProgress {
			break
		}
		tv = [2]uint64{}
	}
	if tv[1] == 0 || uint64(now.Nano()) < tv[1] {
		t.Fatalf("the barrier returned at %d ns, the run it had to wait for ended at %d (started %d)", now.Nano(), tv[1], tv[0])
	}
	t.Logf("the run took %.1f ms; the barrier returned %.3f ms after it ended", float64(tv[1]-tv[0])/1e6, float64(uint64(now.Nano())-tv[1])/1e6)
}
