package datapath

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/internal/collector"
)

// pcapDir holds the real captures the repository ships (see its SOURCES.md).
const pcapDir = "../testdata/pcaps"

// readFrames returns every frame of a pcap or pcapng file.
func readFrames(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open capture: %v", err)
	}
	defer f.Close()
	var next func() ([]byte, error)
	if strings.HasSuffix(path, ".pcapng") {
		r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		next = func() ([]byte, error) { d, _, err := r.ReadPacketData(); return d, err }
	} else {
		r, err := pcapgo.NewReader(f)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		next = func() ([]byte, error) { d, _, err := r.ReadPacketData(); return d, err }
	}
	var out [][]byte
	for {
		d, err := next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		out = append(out, append([]byte(nil), d...))
	}
}

// meterCapture replays a capture through the loaded program and sums the
// harvested flows per 5-tuple.
func meterCapture(t testing.TB, d *Datapath, path string) (collector.Tuples, Stats) {
	t.Helper()
	for i, fr := range readFrames(t, path) {
		if _, err := d.Feed(fr, 1); errors.Is(err, ErrRuntFrame) {
			t.Logf("%s frame %d: %d bytes, a runt no NIC delivers: not fed", filepath.Base(path), i+1, len(fr))
		} else if err != nil {
			t.Fatalf("%s frame %d: %v", filepath.Base(path), i+1, err)
		}
	}
	got := collector.Tuples{}
	if _, err := d.Harvest(HarvestRequest{Force: true}, func(r *flow.Record) {
		got.Add(collector.Tuple{Proto: r.Proto, Src: r.SrcAddr, Dst: r.DstAddr, SrcPort: r.SrcPort, DstPort: r.DstPort}, r.Packets, r.Bytes)
	}); err != nil {
		t.Fatal(err)
	}
	sum := got.Total()
	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	// Nothing lost, nothing counted twice: what the harvest returned is what
	// the meter counted, and every frame was either metered or not parsed.
	if sum.Packets != st.MeteredPackets || sum.Bytes != st.MeteredBytes {
		t.Errorf("%s: harvested %d packets %d bytes, metered %d packets %d bytes",
			filepath.Base(path), sum.Packets, sum.Bytes, st.MeteredPackets, st.MeteredBytes)
	}
	if st.Frames != st.MeteredPackets+st.UnparsedTotal() || st.CreateFailPackets != 0 {
		t.Errorf("%s: %d frames, %d metered, %d unparsed, %d creation failures",
			filepath.Base(path), st.Frames, st.MeteredPackets, st.UnparsedTotal(), st.CreateFailPackets)
	}
	return got, st
}

// nfpcapdDiffers lists the captures where nfpcapd meters differently from
// an IOS router, and why. For these files the exact differing tuples are in
// testdata/nfpcapd-differences.txt (regenerate with -update and review);
// every other capture must match nfpcapd tuple for tuple.
var nfpcapdDiffers = map[string]string{
	"ndpi-6in4tunnel.pcap":        "nfpcapd decapsulates 6in4 (proto 41) and reports the inner IPv6 flows; a router meters the outer IPv4 header",
	"zeek-gre-sample.pcap":        "nfpcapd decapsulates GRE and reports inner flows; a router meters the outer GRE (proto 47) flow",
	"zeek-gre-within-gre.pcap":    "nfpcapd decapsulates GRE (twice); a router meters the outer GRE flow",
	"tcpdump-various_gre.pcap":    "nfpcapd reports no flow for GRE over 802.1Q; we meter the outer GRE flows (the CDP/STP/DTP frames are non-IP for both)",
	"ndpi-dns_fragmented.pcap":    "nfpcapd reassembles IPv4 and IPv6 fragments into one datagram; IOS counts every fragment, non-first fragments with ports 0",
	"tcpdump-afs.pcap":            "nfpcapd reassembles IPv4 fragments (one packet, one IP header per datagram); IOS counts each of the 149 non-first fragments under ports 0",
	"zeek-ipv4-fragmented-1.pcap": "nfpcapd reassembles the fragments into one datagram; IOS counts each fragment",
	"zeek-ipv4-fragmented-3.pcap": "nfpcapd drops the incomplete fragment series entirely (0 flows): those packets are lost to it",
	"tcpdump-ipv6-routing-header.pcap": "nfpcapd does not walk IPv6 extension headers: it keys on the first next-header (43, routing) with no ports; " +
		"the upper-layer protocol (UDP, ICMPv6) is what NetFlow v9/IPFIX protocolIdentifier carries",
	"zeek-ipv6-http-atomic-frag.pcap": "nfpcapd does not walk IPv6 extension headers: it keys on hop-by-hop (0), routing (43), fragment (44) or " +
		"destination options (60) with no ports, splitting one TCP connection's packets over four wrong tuples",
	"ndpi-gnutella.pcap":         "IPv6 MLD reports behind a hop-by-hop header: nfpcapd keys protocol 0, we key ICMPv6 (58) type 143",
	"zeek-ip6_esp.pcap":          "IPv6 MLD report behind a hop-by-hop header: nfpcapd keys protocol 0, we key ICMPv6 (58) type 143",
	"zeek-pppoe.pcap":            "IPv6 MLD reports behind a hop-by-hop header: nfpcapd keys protocol 0, we key ICMPv6 (58) type 143",
	"zeek-communityid-sctp.pcap": "nfpcapd does not read SCTP ports (it reports 0 > 0); SCTP ports are the IPFIX transport ports",
}

var update = flag.Bool("update", false, "rewrite golden files")

const differencesFile = "testdata/nfpcapd-differences.txt"

func renderDiffs(file string, diffs []collector.Diff) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", file)
	for _, x := range diffs {
		fmt.Fprintf(&b, "%s\tours %d pkts %d bytes\tnfpcapd %d pkts %d bytes\n",
			x.Tuple, x.Ours.Packets, x.Ours.Bytes, x.Their.Packets, x.Their.Bytes)
	}
	return b.String()
}

// TestReplayMatchesNfpcapd replays every capture of the shared corpus
// through the loaded program and compares per one-way 5-tuple, packets and
// bytes summed, with nfpcapd run on the same file.
func TestReplayMatchesNfpcapd(t *testing.T) {
	requireRoot(t)
	files, err := filepath.Glob(filepath.Join(pcapDir, "*.pcap*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s (%v): the repository ships them", pcapDir, err)
	}
	sort.Strings(files)
	var golden strings.Builder
	for _, f := range files {
		name := filepath.Base(f)
		d := openTest(t, 65536)
		ours, st := meterCapture(t, d, f)
		d.Close()
		theirs := collector.Nfpcapd(t, f)
		diffs := collector.Compare(ours, theirs)
		reason, known := nfpcapdDiffers[name]
		t.Logf("%s: %d tuples, nfpcapd %d, %d differ; metered %d packets, not metered %d (%v)",
			name, len(ours), len(theirs), len(diffs), st.MeteredPackets, st.UnparsedTotal(), st.Unparsed)
		if !known {
			for _, x := range diffs {
				t.Errorf("%s: %s: ours %v, nfpcapd %v", name, x.Tuple, x.Ours, x.Their)
			}
			continue
		}
		if len(diffs) == 0 {
			t.Errorf("%s is listed as differing from nfpcapd (%s) but now matches: drop it from the list", name, reason)
		}
		golden.WriteString(renderDiffs(name, diffs))
	}
	if *update {
		if err := os.WriteFile(differencesFile, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(differencesFile)
	if err != nil {
		t.Fatalf("read %s (run with -update to create it): %v", differencesFile, err)
	}
	if got := golden.String(); got != string(want) {
		t.Errorf("tuples differing from nfpcapd changed; got:\n%s\nwant (%s):\n%s", got, differencesFile, want)
	}
}
