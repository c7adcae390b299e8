package subif

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

func TestVLANsBecomeSubinterfaces(t *testing.T) {
	a := New([]Sub{{Name: "eth1.190", IfIndex: 63001, Parent: "eth1", ParentIndex: 3, VLAN: 190}, {Name: "eth9.5", IfIndex: 63002, Parent: "eth9", VLAN: 5}})
	for _, tc := range []struct {
		in   uint32
		vlan uint16
		want uint32
	}{{3, 190, 63001}, {3, 0, 3}, {3, 191, 3}, {4, 190, 4}} {
		r := flow.Record{VLAN: tc.vlan}
		r.InputIf = tc.in
		a.Annotate(&r)
		if r.InputIf != tc.want {
			t.Errorf("port %d VLAN %d: input %d, want %d", tc.in, tc.vlan, r.InputIf, tc.want)
		}
	}
	if n, ok := a.Name(63002); !ok || n != "eth9.5" {
		t.Errorf("Name(63002) = %q %v", n, ok)
	}
}
