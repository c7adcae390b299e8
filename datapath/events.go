package datapath

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cilium/ebpf/ringbuf"
)

// EventKind is what the meter tells user space without being asked.
type EventKind uint8

const (
	// EventEndOfFlow: a flow saw TCP FIN or RST (once per flow).
	EventEndOfFlow EventKind = 1
	// EventCacheFull: a flow could not be created (once per CPU until
	// AckCacheFull).
	EventCacheFull EventKind = 2
)

// Event is one ring-buffer notice.
type Event struct {
	Kind    EventKind
	Family  uint8
	IfIndex uint32
	Time    time.Time
}

// ReadEvents delivers events to fn until ctx ends.
func (d *Datapath) ReadEvents(ctx context.Context, fn func(Event)) error {
	rd, err := ringbuf.NewReader(d.objs.Events)
	if err != nil {
		return fmt.Errorf("open event ring: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { rd.Close() })
	defer stop()
	defer rd.Close()
	var rec ringbuf.Record
	for {
		if err := rd.ReadInto(&rec); err != nil {
			if errors.Is(err, ringbuf.ErrClosed) {
				return ctx.Err()
			}
			return fmt.Errorf("read event ring: %w", err)
		}
		b := rec.RawSample
		if len(b) < 16 {
			continue
		}
		clk, err := readClocks()
		if err != nil {
			return err
		}
		ns := int64(binary.LittleEndian.Uint64(b[8:]))
		fn(Event{
			Kind:    EventKind(b[0]),
			Family:  b[1],
			IfIndex: binary.LittleEndian.Uint32(b[4:]),
			Time:    clk.wall.Add(-time.Duration(clk.monoNs - ns)),
		})
	}
}

// AckCacheFull re-arms the cache-full event after user space has aged.
func (d *Datapath) AckCacheFull() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.setCfg(func(c *meterMeterCfg) { c.FullEpoch++ })
}
