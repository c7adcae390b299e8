package appclass

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

func TestCounter(t *testing.T) {
	c := NewCounter(Internet2())
	r := flow.Record{Key: flow.Key{Proto: 6, SrcPort: 5000, DstPort: 22}, Packets: 3, Bytes: 180}
	c.Export(&r)
	c.Export(&r)
	snap := c.Snapshot()
	if got := snap.Class(6); got != (Counts{Octets: 360, Packets: 6, Flows: 2}) {
		t.Errorf("ssh %+v", got)
	}
	c.Export(&r)
	if got := snap.Class(6).Flows; got != 2 {
		t.Errorf("the snapshot moved: %d flows", got)
	}
	c.SetRules(Internet2()) // same rules: totals stay
	if got := c.Snapshot().Class(6).Flows; got != 3 {
		t.Errorf("same rules cleared: %d", got)
	}
	c.SetRules(Set{Rules: []Rule{{Name: "tcp", Proto: 6}}})
	if got := c.Snapshot().Total(); got != (Counts{}) {
		t.Errorf("new rules kept %+v", got)
	}
	c.Export(&r)
	c.Clear()
	if got := c.Snapshot().Total(); got != (Counts{}) {
		t.Errorf("clear kept %+v", got)
	}
}
