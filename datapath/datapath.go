// Package datapath loads the XDP flow meter, attaches it to monitored ports
// and harvests expired flows from its maps. It never logs: errors carry
// their context up to the caller.
package datapath

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/flowtap/flowtap/appliance/flow"
)

// DefaultPinDir is where the maps live so that a restarted daemon finds
// the cache it left.
const DefaultPinDir = "/sys/fs/bpf/flowtap"

// Options configure Open.
type Options struct {
	// PinDir is a bpffs directory for the maps and port links; empty means
	// nothing is pinned (tests, benchmarks).
	PinDir string
	// Entries4 and Entries6 are the flow map capacities: the configured
	// cache size. A pinned map of another size is drained through
	// OnResize and replaced.
	Entries4 int
	Entries6 int
	// OnResize receives the flows of a pinned cache whose size no longer
	// matches, before it is replaced; nil drops them (counted nowhere:
	// the daemon always sets it).
	OnResize func(*flow.Record)
}

// Datapath is a loaded meter: programs, maps and the harvest machinery.
type Datapath struct {
	opts    Options
	objs    meterObjects
	harvest *ringbuf.Reader
	gpOuter *ebpf.Map // array-of-maps: updating it waits for an RCU grace period
	gpInner *ebpf.Map

	mu   sync.Mutex // one harvest or config change at a time
	cfg  meterMeterCfg
	mask FlowMask
}

// ErrNotSupported wraps failures caused by a kernel that lacks a feature.
var ErrNotSupported = errors.New("kernel lacks a feature flowtap needs")

// Open loads the meter into the kernel (reusing pinned maps when present).
func Open(opts Options) (*Datapath, error) {
	if opts.Entries4 <= 0 {
		opts.Entries4 = 4096
	}
	if opts.Entries6 <= 0 {
		opts.Entries6 = opts.Entries4
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("remove memlock limit: %w", err)
	}
	if opts.PinDir != "" {
		if err := os.MkdirAll(opts.PinDir, 0o700); err != nil {
			return nil, fmt.Errorf("create pin directory: %w", err)
		}
		if err := drainResized(opts); err != nil {
			return nil, err
		}
	}
	d := &Datapath{opts: opts}
	if err := d.load(nil); err != nil {
		return nil, err
	}
	if err := d.init(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Datapath) load(replace map[string]*ebpf.Map) error {
	spec, err := loadMeter()
	if err != nil {
		return fmt.Errorf("parse meter object: %w", err)
	}
	spec.Maps[meterMapFlows4].MaxEntries = uint32(d.opts.Entries4)
	spec.Maps[meterMapFlows6].MaxEntries = uint32(d.opts.Entries6)
	copts := &ebpf.CollectionOptions{MapReplacements: replace}
	if d.opts.PinDir != "" && replace == nil {
		copts.Maps.PinPath = d.opts.PinDir
	} else {
		for _, m := range spec.Maps {
			m.Pinning = ebpf.PinNone
		}
	}
	if err := spec.LoadAndAssign(&d.objs, copts); err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			return fmt.Errorf("load meter: %w\n%+v", err, verr)
		}
		return fmt.Errorf("load meter: %w", err)
	}
	return nil
}

func (d *Datapath) init() error {
	var err error
	d.harvest, err = ringbuf.NewReader(d.objs.Harvest)
	if err != nil {
		return fmt.Errorf("open harvest ring: %w", err)
	}
	inner := &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}
	d.gpInner, err = ebpf.NewMap(inner)
	if err != nil {
		return fmt.Errorf("create grace-period map: %w", err)
	}
	d.gpOuter, err = ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: inner})
	if err != nil {
		return fmt.Errorf("create grace-period map: %w", err)
	}
	// Settings live in .bss, which a fresh load zeroes: start from the IOS
	// key with no sampling until the caller says otherwise.
	return d.SetMask(MaskIOS, nil)
}

// drainResized empties pinned flow maps whose capacity differs from the
// configured one, handing their flows to OnResize, and unpins them.
func drainResized(opts Options) error {
	old := map[string]*ebpf.Map{}
	defer func() {
		for _, m := range old {
			m.Close()
		}
	}()
	stale := false
	for name, want := range map[string]int{meterMapFlows4: opts.Entries4, meterMapFlows6: opts.Entries6} {
		m, err := ebpf.LoadPinnedMap(filepath.Join(opts.PinDir, name), nil)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("open pinned %s: %w", name, err)
		}
		old[name] = m
		if int(m.MaxEntries()) != want {
			stale = true
		}
	}
	if !stale || len(old) != 2 {
		return nil
	}
	d := &Datapath{opts: opts}
	d.opts.Entries4, d.opts.Entries6 = int(old[meterMapFlows4].MaxEntries()), int(old[meterMapFlows6].MaxEntries())
	// Bind a reaper to the old maps: its harvest ring is private.
	if err := d.load(old); err != nil {
		return fmt.Errorf("load reaper for resized cache: %w", err)
	}
	defer d.Close()
	if err := d.init(); err != nil {
		return err
	}
	emit := opts.OnResize
	if emit == nil {
		emit = func(*flow.Record) {}
	}
	if _, err := d.Harvest(HarvestRequest{Force: true}, emit); err != nil {
		return fmt.Errorf("drain resized cache: %w", err)
	}
	for name, m := range old {
		if err := m.Unpin(); err != nil {
			return fmt.Errorf("unpin %s: %w", name, err)
		}
	}
	return nil
}

// Close releases the programs and maps held by this process. Pinned maps
// and pinned port links stay: metering goes on until Detach.
func (d *Datapath) Close() error {
	var errs []error
	if d.harvest != nil {
		errs = append(errs, d.harvest.Close())
	}
	if d.gpOuter != nil {
		errs = append(errs, d.gpOuter.Close())
	}
	if d.gpInner != nil {
		errs = append(errs, d.gpInner.Close())
	}
	errs = append(errs, d.objs.Close())
	return errors.Join(errs...)
}

// Capacity returns the flow map sizes.
func (d *Datapath) Capacity() (v4, v6 int) { return d.opts.Entries4, d.opts.Entries6 }
