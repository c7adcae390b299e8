package snmp

import (
	"sync"
	"testing"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
)

// churn is an interface list that changes between readings.
type churn struct {
	mu   sync.Mutex
	list []Interface
}

func (c *churn) Interfaces() ([]Interface, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Interface(nil), c.list...), nil
}

// TestIfLastChangeForgetsRemovedLinks: links come and go with new
// ifIndexes (as the kernel gives them) while a manager polls ifTable;
// what IF-MIB keeps for ifLastChange stays the size of the links there
// are, and a link still there keeps its last change. Before, every
// ifIndex ever seen was kept for the agent's life.
func TestIfLastChangeForgetsRemovedLinks(t *testing.T) {
	start := time.Now()
	clock := start
	src := &churn{list: []Interface{{Index: 1, Name: "lo", Flags: 0x49}, {Index: 2, Name: "eth0", OperState: rtnetlink.OperStateDown}}}
	m := &ifMIB{cfg: IFMIBConfig{Interfaces: src, Now: func() time.Time { return clock },
		Uptime: func(t time.Time) uint32 { return uint32(t.Sub(start) / (10 * time.Millisecond)) }}, seen: map[uint32]lastChange{}}
	if _, err := m.ifRows(); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Minute)
	src.list[1].OperState = rtnetlink.OperStateUp // eth0 goes up: its last change is now
	for i := uint32(0); i < 1000; i++ {
		src.mu.Lock()
		src.list = append(src.list[:2], Interface{Index: 100 + i, Name: "veth", Flags: 0x1003})
		src.mu.Unlock()
		if _, err := m.ifRows(); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.seen) != 3 {
		t.Errorf("IF-MIB remembers %d links after 1000 came and went, want the 3 there are", len(m.seen))
	}
	if lc := m.seen[2]; lc.ticks != 6000 {
		t.Errorf("eth0's last change %d ticks, want 6000", lc.ticks)
	}
}
