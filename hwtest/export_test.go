package hwtest

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
)

// exportCaptures are small captures nfpcapd and flowtap meter alike (none
// is in datapath's nfpcapdDiffers), each fed into a port of the appliance
// and exported to its own collector.
var exportCaptures = []struct {
	name, port string
	// aged: the flows leave the cache by the inactive timeout (10 s)
	// rather than by `clear mls netflow`.
	aged bool
}{
	{"zeek-wikipedia.pcap", "eth1", true},    // HTTP and DNS over IPv4
	{"zeek-http-vlan-0.pcap", "eth1", false}, // HTTP behind an 802.1Q tag
	{"ndpi-bittorrent.pcap", "eth2", false},  // TCP to many peers, on the other port
	{"tcpreplay-test.pcap", "eth2", false},   // TCP and UDP
}

// agingWait bounds the wait for the inactive timeout to empty the cache.
const agingWait = 60 * time.Second

// TestExportMatchesNfpcapd feeds captures into the monitored ports and
// compares what the host's nfcapd receives with nfpcapd's flows for the
// same frames, per one-way 5-tuple with packets and bytes summed.
func TestExportMatchesNfpcapd(t *testing.T) {
	p := appliance(t)
	p.cli(t, "configure terminal\nip flow-cache timeout inactive 10\nend\n")
	for _, ec := range exportCaptures {
		t.Run(ec.name, func(t *testing.T) {
			c := loadCapture(t, ec.name)
			n := p.collectTo(t)
			before := p.cache(t)
			dropsBefore := p.xdpDrops(t, ec.port)
			p.feed(t, ec.port, c)
			s := p.waitMetered(t, before.Packets+c.Want.Total().Packets)
			t.Logf("%s: metered %d packets, %d flows in the cache", ec.name, s.Packets-before.Packets, s.Active)
			// A tap port drops every frame after metering it, and the
			// driver's counter says so once per frame (virtio_net also
			// gives the sum over its queues beside each queue's count).
			if d := p.xdpDrops(t, ec.port) - dropsBefore; d != uint64(len(c.Frames)) {
				t.Errorf("show interfaces %s: XDP drops went up by %d for the %d frames fed", ec.port, d, len(c.Frames))
			}
			if ec.aged {
				p.waitAgedOut(t)
			}
			got, log := p.drain(t, n)
			checkSequence(t, log)
			compareTuples(t, ec.name, got, c.Want, collector.KnownDiffs(t, knownFile, ec.name))
		})
	}
}

// waitAgedOut waits until the ager has expired every flow in the cache.
func (p *probe) waitAgedOut(t *testing.T) {
	t.Helper()
	start := time.Now()
	for {
		s := p.cache(t)
		if s.Active == 0 {
			t.Logf("the inactive timeout emptied the cache in %s", time.Since(start).Round(time.Second))
			return
		}
		if time.Since(start) > agingWait {
			t.Fatalf("%d flows still in the cache %s after the traffic, with a 10 s inactive timeout", s.Active, agingWait)
		}
		time.Sleep(2 * time.Second)
	}
}

var xdpDropsLine = regexp.MustCompile(`(?m)^\s*(\d+) XDP drops \(`)

// xdpDrops is the XDP drops count show interfaces prints for port.
func (p *probe) xdpDrops(t testing.TB, port string) uint64 {
	t.Helper()
	out := p.cli(t, "show interfaces "+port+"\n")
	m := xdpDropsLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("show interfaces %s prints no XDP drops:\n%s", port, out)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}
