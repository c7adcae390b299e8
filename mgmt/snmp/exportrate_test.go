package snmp

import (
	"testing"
	"time"
)

// cnfESExportRate is the bytes the main cache's destinations sent per
// second between readings; it answered 0 whatever was sent, as nothing
// set it.
func TestExportRateIsBytesPerSecondBetweenReadings(t *testing.T) {
	b := newFakeBackend()
	now := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	m := &netflowMIB{p: b, now: func() time.Time { return now }}
	var get func() (Value, error)
	for _, s := range m.exportScalars() {
		if s.Name == "cnfESExportRate" {
			get = s.Get
		}
	}
	if get == nil {
		t.Fatal("no cnfESExportRate")
	}
	read := func(step string, want uint64) {
		t.Helper()
		v, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind != KindCounter32 || v.Uint != want {
			t.Errorf("%s: cnfESExportRate = %v, want Counter32: %d", step, v, want)
		}
	}
	send := func(i int, n uint64) {
		b.mu.Lock()
		b.export.Collectors[i].Bytes += n
		b.mu.Unlock()
	}

	read("first reading", 0)
	send(0, 20000)
	send(1, 10000)
	now = now.Add(30 * time.Second)
	read("30 s, 30000 bytes", 1000)
	send(0, 5000)
	now = now.Add(500 * time.Millisecond)
	read("half a second on", 1000)
	now = now.Add(9500 * time.Millisecond)
	read("10 s, 5000 bytes", 500)

	// A destination removed: what it sent goes on counting in Retired,
	// so the rate neither drops below zero nor jumps.
	b.mu.Lock()
	b.export.Retired.Bytes += b.export.Collectors[1].Bytes
	b.export.Collectors = b.export.Collectors[:1]
	b.mu.Unlock()
	send(0, 4000)
	now = now.Add(2 * time.Second)
	read("destination removed, 2 s, 4000 bytes", 2000)
	now = now.Add(5 * time.Second)
	read("5 s idle", 0)
}
