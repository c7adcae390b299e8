package export

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are one destination's counters (`show ip flow export`).
type Stats struct {
	Collector netip.AddrPort
	Version   Version

	Packets uint64 // export packets sent
	Records uint64 // flow records in the packets sent
	Bytes   uint64 // UDP payload bytes sent
	// Errors counts packets the socket refused, e.g. ECONNREFUSED after an
	// ICMP port unreachable from a dead collector.
	Errors       uint64
	ErrorRecords uint64
	// Dropped counts packets thrown away because the send queue was full
	// ("flows failed due to lack of export packet").
	Dropped        uint64
	DroppedRecords uint64
	// NotExportable counts records the format cannot carry (IPv6 in v5, v7
	// or v8) or that came from the wrong cache.
	NotExportable uint64

	LastTemplate time.Time // when a packet with templates was last sent
	LastError    error
}

type counters struct {
	packets, records, bytes atomic.Uint64
	errors, errorRecords    atomic.Uint64
	dropped, droppedRecords atomic.Uint64
	notExportable           atomic.Uint64
	mu                      sync.Mutex // guards the two below
	lastTemplate            time.Time
	lastError               error
}

func (c *counters) sent(n int, info PacketInfo, now time.Time) {
	c.packets.Add(1)
	c.records.Add(uint64(info.Records))
	c.bytes.Add(uint64(n))
	if info.Templates {
		c.mu.Lock()
		c.lastTemplate = now
		c.mu.Unlock()
	}
}

func (c *counters) failed(info PacketInfo, err error) {
	c.errors.Add(1)
	c.errorRecords.Add(uint64(info.Records))
	c.mu.Lock()
	c.lastError = err
	c.mu.Unlock()
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Packets:        c.packets.Load(),
		Records:        c.records.Load(),
		Bytes:          c.bytes.Load(),
		Errors:         c.errors.Load(),
		ErrorRecords:   c.errorRecords.Load(),
		Dropped:        c.dropped.Load(),
		DroppedRecords: c.droppedRecords.Load(),
		NotExportable:  c.notExportable.Load(),
	}
	c.mu.Lock()
	s.LastTemplate, s.LastError = c.lastTemplate, c.lastError
	c.mu.Unlock()
	return s
}
