package daemon

import (
	"context"
	"io"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/overload"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/datapath/dpstats"
)

// overloadGlue runs `ip flow-cache overload-protection`: the runner that
// drives the datapath's overload sampler, and the rate it last announced,
// which the main cache's exporters (new ones included) put in their
// sampler options and v5 headers.
//
// It has its own locks: the runner reads the datapath and tells the
// exporters without the daemon's lock, which Apply holds while it
// reconfigures or stops the runner.
type overloadGlue struct {
	dp atomic.Pointer[datapath.Datapath] // the datapath in use (replaced on a resize)
	// base is what the datapaths a resize replaced counted (counters.go),
	// so the runner's readings never go back.
	base atomic.Pointer[counterBase]

	mu   sync.Mutex // guards rate and main
	rate uint32
	main *export.Destinations

	// Under the daemon's lock.
	runner *overload.Runner // kept once made: its counters live until the daemon ends
	cfg    *overload.Config
	cancel context.CancelFunc
	done   chan struct{}
}

func (g *overloadGlue) OverloadReading() (overload.Reading, error) {
	r, err := overload.Datapath{D: g.dp.Load()}.OverloadReading()
	if b := g.base.Load(); b != nil && err == nil {
		r.Metered += b.stats.MeteredPackets
		r.Refused += b.stats.CreateFailPackets
		r.SampledOut += b.overload.SampledOut
	}
	return r, err
}

func (g *overloadGlue) SetOverloadRate(n uint32) error { return g.dp.Load().SetOverloadRate(n) }

func (g *overloadGlue) EnableRunStats() (io.Closer, error) {
	return overload.Datapath{D: g.dp.Load()}.EnableRunStats()
}

// announce tells the exporters the rate in force.
func (g *overloadGlue) announce(n uint32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rate = n
	if g.main != nil {
		g.main.SetOverloadRate(n)
	}
}

// setMain makes main the exporters to tell, telling them the rate now,
// before they get a record.
func (g *overloadGlue) setMain(main *export.Destinations) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.main = main
	if main != nil {
		main.SetOverloadRate(g.rate)
	}
}

// applyOverload starts, reconfigures or stops the runner; d.mu is held.
func (d *Daemon) applyOverload(cfg *overload.Config) {
	g := &d.ovl
	if reflect.DeepEqual(cfg, g.cfg) {
		return
	}
	g.cfg = cfg
	if cfg == nil {
		if g.cancel != nil {
			// Not waited for here: its last step may be waiting for
			// the exporters, which the caller may hold. Close waits.
			g.cancel()
			g.cancel = nil
		}
		return
	}
	if g.runner == nil {
		g.runner = overload.NewRunner(*cfg, g, g.announce, d.log)
	} else {
		g.runner.Reconfigure(*cfg)
	}
	if g.cancel == nil {
		if g.done != nil {
			<-g.done // a stop not yet finished: its goroutine touches no daemon lock
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		g.cancel, g.done = cancel, done
		go func() { g.runner.Run(ctx); close(done) }()
	}
}

// stopOverload ends the runner and waits for it; d.mu must not be held.
func (d *Daemon) stopOverload() {
	d.mu.Lock()
	cancel, done := d.ovl.cancel, d.ovl.done
	d.ovl.cancel = nil
	d.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if done != nil {
		<-done
	}
}

// OverloadView is overload protection's state for `show ip flow
// datapath`, SNMP and Prometheus; nil when it was never configured.
func (d *Daemon) OverloadView() *dpstats.Overload {
	d.mu.Lock()
	r, cfg := d.ovl.runner, d.ovl.cfg
	d.mu.Unlock()
	if r == nil {
		return nil
	}
	st := r.Status()
	v := &dpstats.Overload{Configured: cfg != nil, Active: st.Active, Rate: st.Rate, Threshold: st.Config.Threshold,
		MaxRate: st.Config.MaxRate, Interval: st.Config.Interval, Budget: st.Config.Budget, Entered: st.Entered, Time: st.Time}
	if st.Active {
		v.Since = time.Since(st.Since)
	}
	return v
}
