package netcfg

import (
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

func TestMonitorSetsPromiscuous(t *testing.T) {
	v := testnet.Enter(t)
	for _, want := range []bool{true, false} {
		var err error
		if want {
			err = Monitor(v.Mon)
		} else {
			err = Release(v.Mon)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := Promiscuous(v.Mon)
		if err != nil || got != want {
			t.Fatalf("promiscuous %v (%v), want %v", got, err, want)
		}
	}
}
