package daemon

import (
	"reflect"
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
)

// TestSharePastTable: the ports past the port table take the union of
// their settings (metered if any is, inline if any is), each told whose
// setting it takes; ports within the table, and a lone port past it,
// keep their own.
func TestSharePastTable(t *testing.T) {
	idx := map[string]int{"eth1": 3, "a": 70001, "b": 70003, "c": 70005}
	index := func(n string) (int, bool) { i, ok := idx[n]; return i, ok }
	want := []Port{
		{Name: "eth1", Verdict: platform.Passive},
		{Name: "a", Meter: true, Verdict: platform.Passive},
		{Name: "b", Verdict: platform.Inline},
		{Name: "c", Meter: true, Verdict: platform.Passive},
		{Name: "gone", Verdict: platform.Inline},
	}
	got, shared := sharePastTable(want, index)
	wantPorts := []Port{
		{Name: "eth1", Verdict: platform.Passive},
		{Name: "a", Meter: true, Verdict: platform.Inline},
		{Name: "b", Meter: true, Verdict: platform.Inline},
		{Name: "c", Meter: true, Verdict: platform.Inline},
		{Name: "gone", Verdict: platform.Inline},
	}
	if !reflect.DeepEqual(got, wantPorts) {
		t.Errorf("ports:\n%+v\nwant:\n%+v", got, wantPorts)
	}
	wantShared := map[string]SharedPort{
		"a": {Index: 70001, Meter: true, Verdict: platform.Inline, From: []string{"b"}},
		"b": {Index: 70003, Meter: true, Verdict: platform.Inline, From: []string{"a", "c"}},
		"c": {Index: 70005, Meter: true, Verdict: platform.Inline, From: []string{"b"}},
	}
	if !reflect.DeepEqual(shared, wantShared) {
		t.Errorf("shared:\n%+v\nwant:\n%+v", shared, wantShared)
	}
	if want[1].Verdict != platform.Passive {
		t.Error("sharePastTable changed its argument")
	}
	lone := []Port{{Name: "eth1"}, {Name: "a", Meter: true}}
	if got, shared := sharePastTable(lone, index); !reflect.DeepEqual(got, lone) || shared != nil {
		t.Errorf("one port past the table: %+v, %+v", got, shared)
	}
}
