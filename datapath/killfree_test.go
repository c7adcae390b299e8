package datapath

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/flow"
)

// killedFree stands for a SIGKILL: the harvest stops where it is raised.
type killedFree struct{}

// A kill inside the harvest's free must leave the table's live count
// equal to the entries it holds. The user-space free made two stores per
// entry, its tag and then the count; a kill between them left the count
// one high for the life of the table (a phantom flow in `show ip cache
// flow` and one fewer of capacity). The kernel's batch free has no such
// point: killed right after a batch's run, the next daemon over the pins
// counts exactly the entries left.
func TestKillInsideFreeKeepsCount(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "flowtap-kfree-")
	d, err := Open(Options{PinDir: pin, Entries: 4096})
	if err != nil {
		t.Fatal(err)
	}
	// A spool of 64 records: batches of 32, so the kill after the first
	// leaves 16 entries.
	const flows = 48
	for i := range flows {
		feed(t, d, udp4([4]byte{10, 9, byte(i >> 8), byte(i)}, [4]byte{10, 0, 0, 2}, 1000, 53, 0), 1)
	}
	sp, err := OpenSpool(pin, 64)
	if err != nil {
		t.Fatal(err)
	}
	d.SetSpool(sp)
	stores := 0
	d.tab.afterStore = func() {
		stores++
		panic(killedFree{})
	}
	emitted := 0
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(killedFree); !ok {
					panic(r)
				}
			}
		}()
		if _, err := d.Harvest(HarvestRequest{Force: true}, func(*flow.Record) { emitted++ }); err != nil {
			t.Error(err)
		}
	}()
	if stores != 1 || emitted != 0 {
		t.Fatalf("the harvest was stopped after %d stores, %d records: want the first free's store, none", stores, emitted)
	}
	// The kill: the process's objects go, the pins stay.
	d.Close()
	sp.Close()

	d, err = Open(Options{PinDir: pin, Entries: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	held := 0
	d.tab.forEachUsed(func(entry) { held++ })
	used, _, err := d.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if used != held {
		t.Errorf("after a kill inside the free the cache reports %d flows and holds %d", used, held)
	}
	if held == 0 || held == flows {
		t.Errorf("the kill left %d of %d entries: want it inside the harvest", held, flows)
	}
	// The next harvest empties the cache, and it says so.
	if _, err := d.Harvest(HarvestRequest{Force: true}, nil); err != nil {
		t.Fatal(err)
	}
	if used, _, _ := d.Usage(); used != 0 {
		t.Errorf("after the next harvest the cache reports %d flows, want 0", used)
	}
}
