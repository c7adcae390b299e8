package datapath

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// A cache of batchMinEntries or more is metered in batches (meter.c,
// bpf/batch.h), and one of batchAdaptMinEntries or more while its CPU's
// last creation was not refused: each CPU buffers up to batchRecs metered packets and the
// run that fills its buffer applies them together, so their misses on the
// table overlap. A record in a buffer is a metered packet not yet in the
// table; the run that fills a buffer applies it, and FlushBatches applies
// what a quiet CPU holds.
const (
	batchRecs       = int(meterTableLayoutBATCH_RECS)
	batchMinEntries = int(meterTableLayoutBATCH_MIN_ENTRIES)
	// batchAdaptMinEntries: from here up to batchMinEntries a CPU meters
	// in batches until a creation of its is refused, then directly until
	// one succeeds (a refused packet batched pays for nothing).
	batchAdaptMinEntries = int(meterTableLayoutBATCH_ADAPT_MIN_ENTRIES)
	batchMap             = "batch" // pinned: not the table's own, kept by a resize
)

// batchFlushFrame is the frame a flush run is given: flowtap_flush reads
// none of it, and a test run takes no frame shorter than an Ethernet
// header.
var batchFlushFrame = make([]byte, 14)

// initBatch puts flowtap_flush where the meter's tail call finds it, and
// flowtap_flush_rec, which meters one record a run, where the flush's
// tail calls (and its own, for the next record) find it.
func (d *Datapath) initBatch() error {
	if err := d.objs.BatchProgs.Put(uint32(0), d.objs.FlowtapFlush); err != nil {
		return fmt.Errorf("install the batch flush program: %w", err)
	}
	if err := d.objs.BatchProgs.Put(uint32(1), d.objs.FlowtapFlushRec); err != nil {
		return fmt.Errorf("install the batch record program: %w", err)
	}
	return nil
}

// BatchPending is how many metered packets each CPU holds in its buffer,
// not yet in the table (index: CPU).
func (d *Datapath) BatchPending() ([]int, error) {
	var per []meterMeterBatch
	if err := d.objs.Batch.Lookup(uint32(0), &per); err != nil {
		return nil, fmt.Errorf("read batch buffers: %w", err)
	}
	out := make([]int, len(per))
	for cpu, b := range per {
		out[cpu] = int(min(b.N, uint32(batchRecs)))
	}
	return out, nil
}

// FlushBatches applies every CPU's buffered records to the table: a run
// of flowtap_flush on each CPU whose buffer holds any, from a thread
// pinned to that CPU (a CPU's buffer and its entries have that CPU as
// their one writer, and a test run excludes the meter's NAPI runs there:
// meter.h). A run applies its records and empties the buffer in one step,
// so a kill leaves each record in the buffer or in the table, never both.
// Records that arrive meanwhile wait for the next flush or the next full
// buffer. Every harvest, Peek and mask purge flushes first.
func (d *Datapath) FlushBatches() error {
	pending, err := d.BatchPending()
	if err != nil {
		return err
	}
	// CPUs this process may not run on (a cpuset) keep their records,
	// counted in BatchPending, until their buffer fills.
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		return fmt.Errorf("read CPU affinity: %w", err)
	}
	var errs []error
	for cpu, n := range pending {
		if n == 0 || !allowed.IsSet(cpu) {
			continue
		}
		if err := runOnCPU(cpu, func() error {
			_, err := d.objs.FlowtapFlush.Run(&ebpf.RunOptions{Data: batchFlushFrame})
			return err
		}); err != nil {
			errs = append(errs, fmt.Errorf("flush CPU %d's %d buffered packets: %w", cpu, n, err))
		}
	}
	return errors.Join(errs...)
}

// runOnCPU calls run on a thread pinned to cpu, with signals blocked (a
// signal would make the kernel cut a test run short and cilium/ebpf run
// it again).
func runOnCPU(cpu int, run func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread ends with the goroutine (not unlocked): its
		// affinity and signal mask go with it.
		runtime.LockOSThread()
		var one unix.CPUSet
		one.Set(cpu)
		if err := unix.SchedSetaffinity(0, &one); err != nil {
			errc <- fmt.Errorf("pin to CPU %d: %w", cpu, err)
			return
		}
		var all unix.Sigset_t
		for i := range all.Val {
			all.Val[i] = ^uint64(0)
		}
		if err := unix.PthreadSigmask(unix.SIG_BLOCK, &all, nil); err != nil {
			errc <- fmt.Errorf("block signals: %w", err)
			return
		}
		errc <- run()
	}()
	return <-errc
}

// PinnedBatchPending is BatchPending of the buffers pinned in dir, for a
// daemon that is not running (and for tests of a kill): what the next
// daemon's first harvest applies.
func PinnedBatchPending(dir string) ([]int, error) {
	m, err := ebpf.LoadPinnedMap(filepath.Join(dir, batchMap), nil)
	if err != nil {
		return nil, fmt.Errorf("open pinned batch buffers: %w", err)
	}
	defer m.Close()
	d := &Datapath{}
	d.objs.Batch = m
	return d.BatchPending()
}
