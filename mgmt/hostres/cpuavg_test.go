package hostres

import (
	"math"
	"os"
	"testing"
)

// TestCPUAveragesDecay: the five-second figure is the last interval's busy
// share (interrupts apart after the slash), and the one- and five-minute
// figures move toward it by IOS's exponential weights, the one-minute
// faster; an idle interval brings them back down.
func TestCPUAveragesDecay(t *testing.T) {
	var c CPUAverages
	// Since boot: 25% busy (100 ticks of 400).
	c.fold(CPUTimes{User: 80, Interrupt: 10, SoftIRQ: 10, Idle: 300}, 40)
	if got := c.avg; got.FiveSec != 25 || got.OneMin != 25 || got.FiveMin != 25 || got.Sampled {
		t.Fatalf("first reading: %+v, want every figure 25 (since boot), not sampled", got)
	}
	// Five seconds all busy, a quarter of it in interrupts.
	c.fold(CPUTimes{User: 80 + 300, Interrupt: 10 + 50, SoftIRQ: 10 + 50, Idle: 300}, 40+100)
	k1, k5 := math.Exp(-5.0/60), math.Exp(-5.0/300)
	want1, want5 := 25*k1+100*(1-k1), 25*k5+100*(1-k5)
	got := c.avg
	if got.FiveSec != 100 || math.Abs(got.FiveSecInterrupt-25) > 1e-9 || math.Abs(got.OneMin-want1) > 1e-9 || math.Abs(got.FiveMin-want5) > 1e-9 || !got.Sampled {
		t.Fatalf("busy interval: %+v, want 100/25, %.3f, %.3f", got, want1, want5)
	}
	// The process ran 100 of the interval's 400 ticks: 25%.
	if p := c.Process(); p.FiveSec != 25 || !p.Sampled {
		t.Errorf("process share: %+v, want 25%% over the interval", p)
	}
	if !(got.OneMin > got.FiveMin && got.FiveMin > 25) {
		t.Errorf("averages after a busy interval: 1 min %.2f, 5 min %.2f: want both up, the one-minute more", got.OneMin, got.FiveMin)
	}
	// An idle interval: the five-second figure drops to 0 and the
	// averages fall.
	c.fold(CPUTimes{User: 380, Interrupt: 60, SoftIRQ: 60, Idle: 300 + 400}, 140)
	if c.avg.FiveSec != 0 || c.avg.OneMin >= got.OneMin || c.avg.FiveMin >= got.FiveMin {
		t.Errorf("idle interval: %+v after %+v: want 0 and both averages down", c.avg, got)
	}
	// A counter that goes back (a CPU taken offline) is no reading.
	if all, irq := busy(CPUTimes{Idle: 10}, CPUTimes{Idle: 5}); all != 0 || irq != 0 {
		t.Errorf("busy across a counter going back: %v %v", all, irq)
	}
}

// TestLargestFreeBlock reads the real /proc/buddyinfo: some free block,
// a power of two pages.
func TestLargestFreeBlock(t *testing.T) {
	n, err := LargestFreeBlock()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || n&(n-1) != 0 {
		t.Errorf("LargestFreeBlock = %d, want a power of two", n)
	}
}

// TestContextSwitches: this process has been switched to at least once.
func TestContextSwitches(t *testing.T) {
	n, err := ContextSwitches(os.Getpid())
	if err != nil || n == 0 {
		t.Errorf("ContextSwitches = %d, %v", n, err)
	}
}

// TestCPUSplit: the five-second interval split by what ran, as `show
// chassis routing-engine` prints it: niced time is background, stolen
// time kernel, I/O wait idle; the five add to 100 and idle is what
// FiveSec leaves.
func TestCPUSplit(t *testing.T) {
	var c CPUAverages
	c.fold(CPUTimes{User: 80, Interrupt: 10, SoftIRQ: 10, Idle: 300}, 0)
	if got, want := c.avg.Split, (CPUSplit{User: 20, Interrupt: 5, Idle: 75}); got != want {
		t.Errorf("since boot: %+v, want %+v", got, want)
	}
	// 1000 ticks: user 100, nice 50, system 120 + steal 30, irq 40 +
	// softirq 60, idle 500 + wait 100.
	c.fold(CPUTimes{User: 180, Nice: 50, System: 120, Steal: 30, Interrupt: 50, SoftIRQ: 70, Idle: 800, Wait: 100}, 0)
	got := c.avg.Split
	if want := (CPUSplit{User: 10, Background: 5, Kernel: 15, Interrupt: 10, Idle: 60}); got != want {
		t.Errorf("interval: %+v, want %+v", got, want)
	}
	if sum := got.User + got.Background + got.Kernel + got.Interrupt + got.Idle; math.Abs(sum-100) > 1e-9 || math.Abs(got.Idle-(100-c.avg.FiveSec)) > 1e-9 {
		t.Errorf("split %+v sums to %v, idle against FiveSec %v", got, sum, c.avg.FiveSec)
	}
	if s := split(CPUTimes{Idle: 10}, CPUTimes{Idle: 5}); s != (CPUSplit{}) {
		t.Errorf("split across a counter going back: %+v", s)
	}
}
