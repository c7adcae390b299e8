package datapath

import (
	"net"
	"net/netip"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/testnet"
)

func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
}

// tempPinDir is a private bpffs directory for a test's pins, removed
// after it: tests never pin where a daemon would look.
func tempPinDir(t testing.TB, prefix string) string {
	t.Helper()
	return testnet.PinDir(t, prefix)
}

func openTest(t testing.TB, entries int) *Datapath {
	t.Helper()
	requireRoot(t)
	d, err := Open(Options{Entries: entries})
	if err != nil {
		t.Fatalf("open datapath: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

var (
	macA = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0a}
	macB = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x0b}
)

// frame serializes layers with lengths and checksums fixed up.
func frame(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	for _, l := range ls {
		if nl, ok := l.(interface {
			SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
		}); ok {
			for _, n := range ls {
				if nn, ok := n.(gopacket.NetworkLayer); ok {
					nl.SetNetworkLayerForChecksum(nn)
				}
			}
		}
	}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func harvestAll(t testing.TB, d *Datapath) []flow.Record {
	t.Helper()
	var out []flow.Record
	if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) { out = append(out, *r) }); err != nil {
		t.Fatalf("harvest: %v", err)
	}
	return out
}

func TestSmoke(t *testing.T) {
	d := openTest(t, 1024)
	f := frame(t,
		&layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: layers.EthernetTypeIPv4},
		&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IP{10, 0, 0, 1}, DstIP: net.IP{10, 0, 0, 2}},
		&layers.UDP{SrcPort: 1234, DstPort: 53},
		gopacket.Payload([]byte("hello")),
	)
	for i := 0; i < 3; i++ {
		v, err := d.Feed(f, 1)
		if err != nil {
			t.Fatal(err)
		}
		if v != XDPDrop {
			t.Fatalf("verdict %d, want XDP_DROP for a passive port", v)
		}
	}
	recs := harvestAll(t, d)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.SrcAddr != netip.MustParseAddr("10.0.0.1") || r.DstPort != 53 || r.Packets != 3 || r.Bytes != 3*33 {
		t.Fatalf("record %+v", r)
	}
}
