package snmp

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
)

const entityModules = "ENTITY-MIB:IF-MIB:SNMPv2-MIB"

// testInventory is an inventory the test changes as ports come and go.
type testInventory struct {
	mu   sync.Mutex
	list []PhysicalEntity
}

func (i *testInventory) read() ([]PhysicalEntity, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]PhysicalEntity(nil), i.list...), nil
}

func (i *testInventory) set(l ...PhysicalEntity) {
	i.mu.Lock()
	i.list = l
	i.mu.Unlock()
}

// TestNetSNMPEntityMIB reads the inventory with RFC 6933's file loaded:
// the chassis at index 1 containing every port, each port's
// entAliasMapping naming its ifIndex, entPhysicalContainsTable the same
// tree, cpmCPUTotalPhysicalIndex the chassis. A port that goes and comes
// back keeps its index; each change moves entLastChangeTime and sends
// one entConfigChange under `snmp-server enable traps entity`, none while
// the type is off.
func TestNetSNMPEntityMIB(t *testing.T) {
	chassis := PhysicalEntity{Key: "chassis", Class: PhysicalChassis, Name: "Chassis", Descr: "flowtap NetFlow probe",
		FirmwareRev: "image-0123456789ab", SoftwareRev: "1.2.3", Serial: "SN42", MfgName: "flowtap", Model: "FLOWTAP-IOS", FRU: true}
	eth1 := PhysicalEntity{Key: "port:eth1", Class: PhysicalPort, Name: "eth1", Descr: "Metered port eth1", IfIndex: 7}
	eth2 := PhysicalEntity{Key: "port:eth2", Class: PhysicalPort, Name: "eth2", Descr: "Tap up fibre A, port eth2", IfIndex: 9}
	tap := PhysicalEntity{Key: "tap:up", Class: PhysicalOther, Name: "Tap up", Descr: "Passive tap up", IfIndex: 64001}
	inv := &testInventory{}
	inv.set(chassis, eth1, eth2, tap)
	td := startTrapd(t, "")
	cfg := testConfig(newFakeBackend())
	cfg.Inventory = inv.read
	cfg.Receivers = []Receiver{{Addr: td.addr, Community: "public"}}
	a, v4, _ := startAgent(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.WatchEntities(ctx, EntityWatch{Interval: 100 * time.Millisecond})

	walk := func(root string) map[string]string {
		t.Helper()
		out, err := mibfiles.Run(t, entityModules, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Os", "-OQ", v4, root)
		if err != nil {
			t.Fatalf("snmpbulkwalk %s: %v", root, err)
		}
		got := map[string]string{}
		for _, l := range lines(out) {
			if strings.Contains(l, "Wrong Type") || strings.Contains(l, "No Such") {
				t.Errorf("%s: %s", root, l)
			}
			if k, v, ok := strings.Cut(l, " = "); ok {
				got[k] = v
			}
		}
		return got
	}
	want := func(got map[string]string, kv ...string) {
		t.Helper()
		for i := 0; i < len(kv); i += 2 {
			if got[kv[i]] != kv[i+1] {
				t.Errorf("%s = %q, want %q", kv[i], got[kv[i]], kv[i+1])
			}
		}
	}
	phys := walk("entPhysicalTable")
	want(phys,
		"entPhysicalClass.1", "chassis", "entPhysicalContainedIn.1", "0", "entPhysicalParentRelPos.1", "-1",
		"entPhysicalName.1", "Chassis", "entPhysicalSerialNum.1", "SN42", "entPhysicalModelName.1", "FLOWTAP-IOS",
		"entPhysicalFirmwareRev.1", "image-0123456789ab", "entPhysicalSoftwareRev.1", "1.2.3", "entPhysicalIsFRU.1", "true",
		"entPhysicalClass.2", "port", "entPhysicalContainedIn.2", "1", "entPhysicalParentRelPos.2", "1", "entPhysicalName.2", "eth1",
		"entPhysicalClass.3", "port", "entPhysicalParentRelPos.3", "2", "entPhysicalDescr.3", "Tap up fibre A, port eth2",
		"entPhysicalClass.4", "other", "entPhysicalParentRelPos.4", "1", "entPhysicalIsFRU.4", "false")
	if _, ok := phys["entPhysicalClass.5"]; ok {
		t.Errorf("a fifth entity: %v", phys)
	}
	want(walk("entAliasMappingTable"), "entAliasMappingIdentifier.2.0", "ifIndex.7",
		"entAliasMappingIdentifier.3.0", "ifIndex.9", "entAliasMappingIdentifier.4.0", "ifIndex.64001")
	want(walk("entPhysicalContainsTable"), "entPhysicalChildIndex.1.2", "2", "entPhysicalChildIndex.1.3", "3", "entPhysicalChildIndex.1.4", "4")
	if out, _, err := run(t, "snmpget", "-v2c", "-c", roCommunity, "-Oqv", v4, "1.3.6.1.4.1.9.9.109.1.1.1.1.2.1"); err != nil || strings.TrimSpace(out) != "1" {
		t.Errorf("cpmCPUTotalPhysicalIndex.1 = %q, %v; want 1, the chassis", out, err)
	}
	lastChange := func() uint64 {
		t.Helper()
		out, _, err := run(t, "snmpget", "-v2c", "-c", roCommunity, "-Oqvt", v4, oidEntLastChange.String()+".0")
		n, perr := strconv.ParseUint(strings.TrimSpace(out), 10, 64)
		if err != nil || perr != nil {
			t.Fatalf("entLastChangeTime: %q %v %v", out, err, perr)
		}
		return n
	}
	if n := lastChange(); n != 0 {
		t.Errorf("entLastChangeTime %d before any change, want 0", n)
	}

	// Off: eth1 goes, entLastChangeTime moves, no notification.
	time.Sleep(20 * time.Millisecond)
	inv.set(chassis, eth2, tap)
	var first uint64
	for deadline := time.Now().Add(5 * time.Second); first == 0; time.Sleep(50 * time.Millisecond) {
		if first = lastChange(); first == 0 && time.Now().After(deadline) {
			t.Fatal("entLastChangeTime did not move when a port went")
		}
	}
	time.Sleep(300 * time.Millisecond) // the watcher sees it, and must not send
	if phys := walk("entPhysicalTable"); phys["entPhysicalName.2"] != "" || phys["entPhysicalName.3"] != "eth2" {
		t.Errorf("after eth1 went: %v", phys)
	}

	// On: eth1 back (its index again) and eth3 new (the next index);
	// one entConfigChange, for this change, not the one before.
	a.SetTrapTypes(TrapEntity)
	time.Sleep(20 * time.Millisecond)
	eth3 := PhysicalEntity{Key: "port:eth3", Class: PhysicalPort, Name: "eth3", Descr: "Metered port eth3", IfIndex: 11}
	inv.set(chassis, eth1, eth2, eth3, tap)
	got := td.next(t, ".1.3.6.1.2.1.47.2.0.1")
	second := lastChange()
	if second <= first {
		t.Errorf("entLastChangeTime %d after the second change, %d after the first", second, first)
	}
	var up uint64
	if f := strings.Fields(strings.TrimPrefix(got[".1.3.6.1.2.1.1.3.0"], "Timeticks: (")); len(f) > 0 {
		up, _ = strconv.ParseUint(strings.TrimSuffix(f[0], ")"), 10, 64)
	}
	if up < second {
		t.Errorf("entConfigChange at sysUpTime %d, before the change it is for (%d): sent for the change made while off", up, second)
	}
	phys = walk("entPhysicalTable")
	want(phys, "entPhysicalName.2", "eth1", "entPhysicalName.3", "eth2", "entPhysicalName.5", "eth3", "entPhysicalParentRelPos.5", "3")
	want(walk("entAliasMappingTable"), "entAliasMappingIdentifier.5.0", "ifIndex.11")
}
