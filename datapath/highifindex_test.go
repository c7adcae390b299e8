package datapath

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestPortsPastIfindex1024: the kernel never reuses a link number while
// it runs, so a box left up while links came and went (a port deleted and
// added again, VPN tunnels, containers' veths) meters ports numbered past
// 1024. Each must keep its own verdict, metering and sampler: the port
// table stopped at 1024, and every port past it shared one setting, the
// last written (the inline port below dropped its traffic once the
// passive one was set), and could have no sampler.
func TestPortsPastIfindex1024(t *testing.T) {
	v := testnet.Enter(t)
	for _, x := range []int{2000, 60000} {
		name := fmt.Sprintf("vhi%d", x)
		if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "link", "add", name, "index", fmt.Sprint(x), "type", "veth", "peer", "name", name+"p")); err != nil {
			t.Fatalf("ip link add %s index %d: %v %s", name, x, err, out)
		}
	}
	d := openTest(t, 64)
	if err := d.SetPort(2000, PortSettings{Verdict: platform.Inline, Meter: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetPort(60000, PortSettings{Verdict: platform.Passive, Meter: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetSampler(1, SamplerConfig{Mode: SampleDeterministic, Interval: 2}); err != nil {
		t.Fatal(err)
	}
	if err := d.SetPortSelect(60000, PortSelect{Sampler: 1}); err != nil {
		t.Fatalf("a sampler on ifindex 60000: %v", err)
	}
	inline := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	passive := udp4([4]byte{10, 0, 0, 3}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	for range 4 {
		if v, err := d.Feed(inline, 2000); err != nil || v != XDPPass {
			t.Fatalf("inline port 2000: verdict %d (%v), want XDP_PASS", v, err)
		}
		if v, err := d.Feed(passive, 60000); err != nil || v != XDPDrop {
			t.Fatalf("passive port 60000: verdict %d (%v), want XDP_DROP", v, err)
		}
	}
	got := map[uint32]uint64{}
	for _, r := range harvestAll(t, d) {
		got[r.InputIf] += r.Packets
	}
	// Port 60000's sampler takes one packet in two.
	if got[2000] != 4 || got[60000] != 2 || len(got) != 2 {
		t.Errorf("metered packets by port %v, want 4 on 2000 and 2 of 4 sampled on 60000", got)
	}
}

// TestPinnedPortTableGrows: a daemon of a version whose port table had
// 1024 entries left it pinned (an upgrade with --keep-metering); the next
// takes it over grown to the new size, each port's setting kept.
func TestPinnedPortTableGrows(t *testing.T) {
	requireRoot(t)
	pin := tempPinDir(t, "grow")
	old, err := ebpf.NewMap(&ebpf.MapSpec{Name: "ports", Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1024})
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range map[uint32]uint32{3: portFlags(PortSettings{Verdict: platform.Inline, Meter: true}), 7: portFlags(PortSettings{})} {
		if err := old.Put(k, meterPortCfg{Flags: f}); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Pin(filepath.Join(pin, "ports")); err != nil {
		t.Fatal(err)
	}
	old.Close()
	d, err := Open(Options{Entries: 64, PinDir: pin})
	if err != nil {
		t.Fatalf("open over the old port table: %v", err)
	}
	defer d.Close()
	if n := d.objs.Ports.MaxEntries(); n != maxPorts {
		t.Fatalf("the port table has %d entries, want %d", n, maxPorts)
	}
	pinned, err := ebpf.LoadPinnedMap(filepath.Join(pin, "ports"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pinned.Close()
	if n := pinned.MaxEntries(); n != maxPorts {
		t.Errorf("the pinned port table has %d entries, want %d", n, maxPorts)
	}
	fr := udp4([4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1, 2, 0)
	if v, err := d.Feed(fr, 1); err != nil || v != XDPDrop {
		t.Errorf("port 1, never set: verdict %d (%v), want XDP_DROP", v, err)
	}
	for k, want := range map[uint32]uint32{3: 0x01, 7: 0x02} {
		var c meterPortCfg
		if err := d.objs.Ports.Lookup(k, &c); err != nil || c.Flags != want {
			t.Errorf("port %d after the upgrade: flags %#x (%v), want %#x", k, c.Flags, err, want)
		}
	}
}
