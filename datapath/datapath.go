// Package datapath loads the XDP flow meter, attaches it to monitored ports
// and harvests expired flows from its table. It never logs: errors carry
// their context up to the caller.
package datapath

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/spool"
)

// DefaultPinDir is where the maps live so that a restarted daemon finds
// the cache it left.
const DefaultPinDir = "/sys/fs/bpf/flowtap"

// Options configure Open.
type Options struct {
	// PinDir is a bpffs directory for the maps and port links; empty means
	// nothing is pinned (tests, benchmarks).
	PinDir string
	// Entries is the configured cache size: flows of both families. A
	// pinned table of another size is drained through OnResize and
	// replaced.
	Entries int
	// OnResize receives the flows of a pinned table whose size no longer
	// matches, before it is replaced (EndForced).
	OnResize func(*flow.Record)
	// Spool is the export spool every harvest writes each record to
	// before it frees the entry (SetSpool changes it later), the drain of
	// a pinned table of another size included: a kill during that drain
	// leaves what it took in the spool, as a kill during a harvest does.
	Spool *spool.Spool
	// BeforeDrain runs when a pinned table of another size holding flows
	// entries is found, before its drain writes anything to Spool or
	// OnResize, with
	// SpooledRecord already answering for that table: the records a
	// killed daemon left in the spool go to the exporters here, ahead of
	// the drain's, in the spool's order (an exporter's mark says it sent
	// every record up to it). It must leave no mark that nothing moves
	// (spool.Spool.Forget): the drain waits for room in the ring.
	BeforeDrain func(d *Datapath, flows int)
	// captureEntries, when set, sizes each capture map apart from the
	// cache, so that a test fills one with real frames before the table.
	captureEntries int
}

// Datapath is a loaded meter: programs, maps and the shared flow table.
type Datapath struct {
	opts    Options
	objs    meterObjects
	tab     *table
	gpOuter *ebpf.Map // array-of-maps: updating it waits for an RCU grace period
	gpInner *ebpf.Map
	// barrierProg is cpuBarrier's program (loaded with the grace
	// period's maps);
	// barriers and graceWaits count the harvests' waits of each kind,
	// for the tests.
	barrierProg *ebpf.Program
	barriers    atomic.Uint64
	graceWaits  atomic.Uint64

	mu sync.Mutex // one harvest or config change at a time
	// detached is set when a port is detached: a run that began before
	// may still be about to buffer its packet, which the next forced
	// harvest (a stop's last) waits a grace period for.
	detached atomic.Bool
	// cfg is the meter's settings (meter_cfg), changed and written under
	// cfgMu (setCfg); its fields but Selects only under d.mu too, so
	// d.mu alone reads those.
	cfgMu      sync.Mutex
	overloadMu sync.Mutex // one SetOverloadRate at a time
	cfg        meterMeterCfg
	mask       platform.Mask
	mask6      platform.Mask // 0: IPv6 flows use mask
	capture    CaptureSettings
	subifs     map[VLANPort]uint32     // in the subifs map
	filters    map[FilterID]*installed // filter slots in use
	// selecting holds the ports whose port_selects entry is not zero;
	// cfg.Selects has selectsPorts while it has any (SetPortSelect).
	selecting map[int]bool
	closed    bool
	// resizedDraining holds the entries a killed harvest had marked and
	// not freed in a pinned table of another size, which the drain at
	// Open exported (nil: no such drain); SpooledRecord asks it, not the
	// new table, whether a record the spool kept is one of them.
	resizedDraining map[string]bool

	// keyHash is the key hash the meter was loaded for (hashLanes,
	// hashChain): the table's, which init checks.
	keyHash uint64
}

// tableMaps are the maps whose size follows the cache size.
var tableMaps = []string{hdrsMapName, flowsMapName, "counters"}

// reserveMap holds each CPU's units of the table's live counter, so it
// goes with the table on a resize; a table pinned by a version without
// reserves has none.
const reserveMap = "cpustate"

// Open loads the meter into the kernel, reusing pinned maps when present.
func Open(opts Options) (*Datapath, error) {
	if opts.Entries <= 0 {
		opts.Entries = 4096
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("remove memlock limit: %w", err)
	}
	spec, err := loadMeter()
	if err != nil {
		return nil, fmt.Errorf("parse meter object: %w", err)
	}
	sizeTable(spec, opts.Entries)
	if opts.captureEntries > 0 {
		for _, name := range extrasMaps {
			spec.Maps[name].MaxEntries = uint32(opts.captureEntries)
		}
	}

	d := &Datapath{opts: opts}
	copts := &ebpf.CollectionOptions{}
	if opts.PinDir == "" {
		for _, m := range spec.Maps {
			m.Pinning = ebpf.PinNone
		}
	} else {
		if err := os.MkdirAll(opts.PinDir, 0o700); err != nil {
			return nil, fmt.Errorf("create pin directory: %w", err)
		}
		copts.Maps.PinPath = opts.PinDir
	}
	if opts.PinDir != "" {
		if err := finishResize(opts); err != nil {
			return nil, fmt.Errorf("finish the cache resize a killed start left: %w", err)
		}
		if err := growPinnedPorts(opts.PinDir, spec.Maps["ports"]); err != nil {
			return nil, err
		}
	}
	if opts.PinDir != "" && pinnedLegacyTable(opts.PinDir) {
		err = d.loadOverLegacy(spec, copts) // a new table: the lanes hash
	} else {
		// Loaded for the pinned table's hash; if that table cannot be
		// reused (another size), loadResized loads again for a new one.
		var h uint64
		if h, err = pinnedKeyHash(opts.PinDir); err != nil {
			return nil, err
		}
		if err = d.setKeyHash(spec, h); err != nil {
			return nil, err
		}
		err = spec.LoadAndAssign(&d.objs, copts)
	}
	if errors.Is(err, ebpf.ErrMapIncompatible) {
		err = d.loadResized(spec, nil, false)
	}
	if err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			return nil, fmt.Errorf("load meter: %w\n%+v", err, verr)
		}
		return nil, fmt.Errorf("load meter: %w", err)
	}
	if d.tab == nil { // loadResized and loadOverLegacy configure the new table before using it
		if err := d.init(); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

// growPinnedPorts gives a port table an earlier version pinned with fewer
// entries (1024, MAX_PORTS before it grew) the size spec has, its ports'
// settings copied, so that this version's program takes it over: an
// upgrade with --keep-metering keeps every port's verdict. The new map is
// pinned under a name of its own before the old one is unpinned and it
// takes the name (bpffs renames onto no existing name), so that a kill
// leaves one of the two pinned, and the next start finishes the move.
func growPinnedPorts(dir string, spec *ebpf.MapSpec) error {
	path := filepath.Join(dir, spec.Name)
	tmp := path + "_grown" // bpffs takes no dot in a name
	if _, err := os.Stat(tmp); err == nil {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			// A start killed between the unpin and the rename.
			if err := os.Rename(tmp, path); err != nil {
				return fmt.Errorf("grow pinned %s: %w", spec.Name, err)
			}
		} else if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("grow pinned %s: remove a killed start's: %w", spec.Name, err)
		}
	}
	old, err := ebpf.LoadPinnedMap(path, nil)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open pinned %s: %w", spec.Name, err)
	}
	defer old.Close()
	if old.MaxEntries() == spec.MaxEntries {
		return nil
	}
	s := spec.Copy()
	s.Pinning = ebpf.PinNone
	m, err := ebpf.NewMap(s)
	if err != nil {
		return fmt.Errorf("grow pinned %s to %d entries: %w", spec.Name, spec.MaxEntries, err)
	}
	defer m.Close()
	var k uint32
	var v meterPortCfg
	it := old.Iterate()
	for it.Next(&k, &v) {
		if k < spec.MaxEntries && v != (meterPortCfg{}) {
			if err := m.Put(k, v); err != nil {
				return fmt.Errorf("grow pinned %s: port %d: %w", spec.Name, k, err)
			}
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("grow pinned %s: read the old: %w", spec.Name, err)
	}
	if err := m.Pin(tmp); err != nil {
		return fmt.Errorf("grow pinned %s: pin the new: %w", spec.Name, err)
	}
	if err := old.Unpin(); err != nil {
		return fmt.Errorf("grow pinned %s: unpin the old: %w", spec.Name, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("grow pinned %s: name the new: %w", spec.Name, err)
	}
	return nil
}

// pinnedKeyHash is the key hash of the table pinned in dir (see
// tableKeyHash), or the lanes hash if no table is pinned there.
func pinnedKeyHash(dir string) (uint64, error) {
	if dir == "" {
		return hashLanes, nil
	}
	m, err := ebpf.LoadPinnedMap(filepath.Join(dir, "counters"), nil)
	if errors.Is(err, os.ErrNotExist) {
		return hashLanes, nil
	}
	if err != nil {
		return 0, fmt.Errorf("open pinned counters: %w", err)
	}
	defer m.Close()
	return tableKeyHash(m)
}

// tableKeyHash is the key hash of the table whose counters map is m: its
// counters[CTR_HASH] (0, the chain hash, in tables made before there was
// a choice), or the lanes hash if the table has no seed yet (a new one).
func tableKeyHash(counters *ebpf.Map) (uint64, error) {
	var seed, hash uint64
	if err := counters.Lookup(uint32(ctrSeed), &seed); err != nil {
		return 0, fmt.Errorf("read pinned table's seed: %w", err)
	}
	if seed == 0 {
		return hashLanes, nil
	}
	if err := counters.Lookup(uint32(ctrHash), &hash); err != nil {
		return 0, fmt.Errorf("read pinned table's key hash: %w", err)
	}
	if hash != hashChain && hash != hashLanes {
		return 0, fmt.Errorf("pinned flow table uses key hash %d, which this version does not know (a newer version's table: remove its pins to start afresh)", hash)
	}
	return hash, nil
}

// setKeyHash sets the meter's read-only key_hash_kind in spec, before the
// load: the hash of the table it will meter into.
func (d *Datapath) setKeyHash(spec *ebpf.CollectionSpec, h uint64) error {
	v, ok := spec.Variables["key_hash_kind"]
	if !ok {
		return errors.New("meter object has no key_hash_kind")
	}
	if err := v.Set(uint32(h)); err != nil {
		return fmt.Errorf("set key hash: %w", err)
	}
	d.keyHash = h
	return nil
}

// sizeTable sizes the table's maps in spec for a cache of entries flows.
func sizeTable(spec *ebpf.CollectionSpec, entries int) {
	n := tableBuckets(entries)
	spec.Maps[hdrsMapName].MaxEntries = n
	spec.Maps[flowsMapName].MaxEntries = n * bucketSlots
	// A capture entry per flow at most: the cache's size per family.
	for _, name := range extrasMaps {
		spec.Maps[name].MaxEntries = uint32(entries)
	}
}

func (d *Datapath) init() error {
	var err error
	if d.tab, err = openTable(d.objs.Buckets, d.objs.Flows, d.objs.Counters, d.objs.Extras4, d.objs.Extras6); err != nil {
		return err
	}
	d.tab.sp = d.opts.Spool
	if d.tab.freeBuf, err = mmapMap(d.objs.FreeBatch); err != nil {
		return err
	}
	d.tab.freeProg = d.objs.FlowtapFree
	if err := d.initBatch(); err != nil {
		return err
	}
	if err := d.openGracePeriod(); err != nil {
		return err
	}
	// The seed and the key hash are chosen once per table and kept with
	// it (pinned), so a restarted daemon hashes as the table was built: a
	// table created before there was a choice of hash (its counter 0)
	// keeps the chain hash it was filled with.
	if *d.tab.seed() == 0 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("choose hash seed: %w", err)
		}
		*d.tab.hash() = hashLanes
		*d.tab.seed() = binary.LittleEndian.Uint64(b[:]) | 1
	}
	if h := *d.tab.hash(); h != d.keyHash {
		return fmt.Errorf("flow table uses key hash %d, the meter was loaded for %d", h, d.keyHash)
	}
	d.cfg = meterMeterCfg{Cap: uint32(d.opts.Entries), Buckets: d.tab.buckets, Seed: *d.tab.seed()}
	d.selecting = nil // port_selects is not pinned: a fresh load's is empty
	// Settings live in .bss, which a fresh load zeroes: start from the IOS
	// key with no sampling until the caller says otherwise.
	return d.SetMask(platform.MaskSevenTuple, nil)
}

func (d *Datapath) openGracePeriod() error {
	inner := &ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1}
	var err error
	if d.gpInner, err = ebpf.NewMap(inner); err != nil {
		return fmt.Errorf("create grace-period map: %w", err)
	}
	d.gpOuter, err = ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: inner})
	if err != nil {
		return fmt.Errorf("create grace-period map: %w", err)
	}
	// Loaded here, with the maps, not at the first harvest that marks an
	// entry: a daemon's descriptors stay what they were at its start
	// (TestFaultRepeatedOperatorActions counts them, and read the lazy
	// load as a leak).
	if d.barrierProg, err = newBarrierProg(); err != nil {
		return err
	}
	return nil
}

// loadResized handles a pinned table of another size. The new program
// takes over every pinned port link first, so writers move to the new
// table; after a grace period the old one has no writers and is drained
// whole into OnResize; then the new maps replace the old pins. Statistics,
// port settings and the event ring carry over.
//
// The new table is pinned in pendingDir before the links move to it: a
// kill during the drain leaves the old table pinned with what the drain
// had not taken, and the new one, which the links meter into while no
// daemon runs, pinned where the next start finds it (finishResize).
// pending, when set, is that table: the new table is it, not a fresh
// one, and oldGone says the killed start had already unpinned the old
// table (and moved part of the pending one to the table's names).
func (d *Datapath) loadResized(spec *ebpf.CollectionSpec, pending map[string]*ebpf.Map, oldGone bool) error {
	dir := d.opts.PinDir
	old := map[string]*ebpf.Map{}
	defer func() {
		for _, m := range old {
			m.Close()
		}
	}()
	for name, ms := range spec.Maps {
		if ms.Pinning != ebpf.PinByName {
			continue
		}
		if oldGone && isOwnTableMap(name) {
			continue // the pending table's, if pinned there
		}
		m, err := ebpf.LoadPinnedMap(filepath.Join(dir, name), nil)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("open pinned %s: %w", name, err)
		}
		old[name] = m
	}
	if !oldGone {
		for _, name := range tableMaps {
			if old[name] == nil {
				return fmt.Errorf("pinned table in %s is incomplete: %s missing", dir, name)
			}
		}
	}
	replace := map[string]*ebpf.Map{}
	for name, m := range old {
		if !isOwnTableMap(name) {
			replace[name] = m
		}
	}
	for name, m := range pending {
		replace[name] = m
	}
	pinned := pinnedMaps(spec)
	for _, m := range spec.Maps {
		m.Pinning = ebpf.PinNone
	}
	// A new table takes the lanes hash; a pending one (a killed start's,
	// maybe an earlier version's) keeps the hash it has.
	h := hashLanes
	if pending != nil {
		var err error
		if h, err = tableKeyHash(pending["counters"]); err != nil {
			return err
		}
	}
	if err := d.setKeyHash(spec, h); err != nil {
		return err
	}
	if err := spec.LoadAndAssign(&d.objs, &ebpf.CollectionOptions{MapReplacements: replace}); err != nil {
		return err
	}
	// Maps the pins lack (a version without them: batch, size_hist6,
	// capture_full, ...) are new; pinned now, or what they count from
	// here on is lost at the next start.
	if err := d.pinMissing(pinned, old); err != nil {
		return err
	}
	// Configure the new table (its size, hash seed, key) before any
	// writer reaches it: a fresh load's settings are zero, a cache of no
	// entries, and the old table's drain below waits for the exporters,
	// so every packet meanwhile would fail to create its flow.
	if err := d.init(); err != nil {
		return err
	}
	if pending == nil {
		// Pinned whole or not at all: in a directory of its own, which
		// takes pendingDir's name once every map is in it.
		tmp := filepath.Join(dir, pendingDir+"_new")
		if err := os.MkdirAll(tmp, 0o700); err != nil {
			return fmt.Errorf("create pin directory for the resized table: %w", err)
		}
		for _, m := range d.ownTableMaps() {
			if err := m.Pin(filepath.Join(tmp, mapName(m))); err != nil {
				return fmt.Errorf("pin resized %s: %w", mapName(m), err)
			}
		}
		if err := os.Rename(tmp, filepath.Join(dir, pendingDir)); err != nil {
			return fmt.Errorf("pin resized table: %w", err)
		}
	}
	if err := d.moveLinks(); err != nil {
		return err
	}
	if err := d.waitForWriters(); err != nil {
		return err
	}
	if !oldGone {
		if err := d.drainOld(old); err != nil {
			return err
		}
		for _, name := range ownTableMaps {
			if old[name] == nil {
				continue // only the reserves and extras may be missing (checked above)
			}
			if err := old[name].Unpin(); err != nil {
				return fmt.Errorf("unpin old %s: %w", name, err)
			}
		}
	}
	// The old table's names are free: the new table takes them, a
	// rename each in ownTableMaps' order (a kill between two leaves the
	// rest in pendingDir, which the next start moves on).
	for _, name := range ownTableMaps {
		err := os.Rename(filepath.Join(dir, pendingDir, name), filepath.Join(dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) { // moved by a killed start
			return fmt.Errorf("pin resized %s: %w", name, err)
		}
	}
	if err := os.Remove(filepath.Join(dir, pendingDir)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", pendingDir, err)
	}
	return nil
}

// drainOld drains the table in old (a harvest through the spool),
// having noted its marked entries for SpooledRecord and let the daemon
// replay the spool first (BeforeDrain).
func (d *Datapath) drainOld(old map[string]*ebpf.Map) error {
	oldTab, err := openTable(old[hdrsMapName], old[flowsMapName], old["counters"], old["extras4"], old["extras6"])
	if err != nil {
		return err
	}
	defer oldTab.close()
	emit := d.opts.OnResize
	var flows int
	d.resizedDraining, flows = oldTab.drainingEntries()
	if d.opts.BeforeDrain != nil {
		d.opts.BeforeDrain(d, flows)
	}
	// The drain is a harvest: each record spooled, then freed, then
	// emitted. A kill during it leaves the old table pinned, the entries
	// it had not freed marked draining, and the rest in the spool, so
	// the next start drains what is left and replays the rest.
	oldTab.sp = d.opts.Spool
	if _, err = oldTab.harvest(HarvestRequest{Force: true}, emit, d.waitForWriters); err != nil {
		return fmt.Errorf("drain resized table: %w", err)
	}
	return nil
}

// pendingDir, in the pin directory, holds the table a start with
// another cache size made until the old table is drained.
const pendingDir = "resizing"

// ownTableMaps are the maps that belong to one table: those that follow
// the cache size, the per-CPU reserves of its live counter, and the
// capture fields of its entries.
var ownTableMaps = []string{hdrsMapName, flowsMapName, "counters", reserveMap, "extras4", "extras6"}

func isOwnTableMap(name string) bool {
	for _, n := range ownTableMaps {
		if n == name {
			return true
		}
	}
	return false
}

// removePins removes a directory of pins, if it is there.
func removePins(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	pins, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	for _, p := range pins {
		if err := os.Remove(filepath.Join(path, p.Name())); err != nil {
			return err
		}
	}
	return os.Remove(path)
}

func (d *Datapath) ownTableMaps() []*ebpf.Map {
	return []*ebpf.Map{d.objs.Buckets, d.objs.Flows, d.objs.Counters, d.objs.Cpustate, d.objs.Extras4, d.objs.Extras6}
}

// finishResize completes the resize a start killed during its drain
// left: the table it made, pinned in pendingDir, which the port links
// may meter into, and the old table, pinned under the table's names with
// what the drain had not taken. The old table is drained into the
// pending one, which then takes the table's names, as the killed start
// would have done; Open goes on from there as after an orderly stop.
// The killed start may have got further: the old table drained and
// being unpinned (its buckets map goes first), or gone and the pending
// table's maps being moved to the table's names (pendingDir lacks those
// already moved).
func finishResize(opts Options) error {
	dir := opts.PinDir
	// Pinned by a start killed before it moved the links: nothing
	// metered into it.
	if err := removePins(filepath.Join(dir, pendingDir+"_new")); err != nil {
		return fmt.Errorf("remove a resized table never used: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, pendingDir)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	pending := map[string]*ebpf.Map{}
	defer func() {
		for _, m := range pending {
			m.Close()
		}
	}()
	moved := false
	for _, name := range ownTableMaps {
		m, err := ebpf.LoadPinnedMap(filepath.Join(dir, pendingDir, name), nil)
		if errors.Is(err, os.ErrNotExist) {
			moved = true
			m, err = ebpf.LoadPinnedMap(filepath.Join(dir, name), nil)
		}
		if err != nil {
			return fmt.Errorf("open the resized table a killed start left (%s): %w", name, err)
		}
		pending[name] = m
	}
	_, err := os.Stat(filepath.Join(dir, hdrsMapName))
	oldGone := moved || errors.Is(err, os.ErrNotExist)
	if oldGone && !moved {
		// Drained and partly unpinned: the rest goes too.
		for _, name := range ownTableMaps {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("unpin old %s: %w", name, err)
			}
		}
	}
	spec, err := loadMeter()
	if err != nil {
		return fmt.Errorf("parse meter object: %w", err)
	}
	for name, m := range pending {
		spec.Maps[name].MaxEntries = m.MaxEntries()
	}
	o := opts
	o.Entries = int(pending["extras4"].MaxEntries()) // one capture entry per flow: the cache size
	if o.captureEntries > 0 {
		// Tests size the capture maps apart from the table (of the size
		// the killed start was asked for, which they ask for again).
		o.Entries = opts.Entries
	}
	d := &Datapath{opts: o}
	err = d.loadResized(spec, pending, oldGone)
	d.Close()
	return err
}

// moveLinks points every pinned port link at this meter program: writers
// go to its table from then on.
func (d *Datapath) moveLinks() error {
	links, _ := filepath.Glob(filepath.Join(d.opts.PinDir, "link_*"))
	for _, pin := range links {
		l, err := link.LoadPinnedLink(pin, nil)
		if err != nil {
			return fmt.Errorf("open pinned link %s: %w", pin, err)
		}
		err = l.Update(d.objs.FlowtapMeter)
		l.Close()
		if err != nil {
			return fmt.Errorf("move %s to the new table: %w", pin, err)
		}
	}
	return nil
}

func mapName(m *ebpf.Map) string {
	info, err := m.Info()
	if err != nil {
		return ""
	}
	return info.Name
}

// Close releases the programs and maps held by this process. Pinned maps
// and pinned port links stay: metering goes on until Detach.
func (d *Datapath) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	var errs []error
	if d.tab != nil {
		errs = append(errs, d.tab.close())
	}
	if d.gpOuter != nil {
		errs = append(errs, d.gpOuter.Close())
	}
	if d.gpInner != nil {
		errs = append(errs, d.gpInner.Close())
	}
	if d.barrierProg != nil {
		errs = append(errs, d.barrierProg.Close())
	}
	errs = append(errs, d.objs.Close())
	return errors.Join(errs...)
}

// Capacity returns the configured cache size.
func (d *Datapath) Capacity() int { return d.opts.Entries }

// Program is the loaded meter program: what Attach attaches, and what
// tests run frames through (package datapathtest).
func (d *Datapath) Program() *ebpf.Program { return d.objs.FlowtapMeter }
