package main

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

var appLine = regexp.MustCompile(`^(\S+(?: classified)?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)%$`)

// appTable reads the sections of `show ip flow applications`: per
// section, class -> octets, packets, flows, and the printed share.
func appTable(out string) []map[string][4]string {
	var secs []map[string][4]string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Class ") {
			secs = append(secs, map[string][4]string{})
			continue
		}
		if m := appLine.FindStringSubmatch(l); m != nil && len(secs) > 0 {
			secs[len(secs)-1][m[1]] = [4]string{m[2], m[3], m[4], m[5]}
		}
	}
	return secs
}

// TestApplicationsOnCapture: a real capture replayed onto the monitored
// port gives, in `show ip flow applications` (the live cache plus what
// expired since start), octets, packets and shares per Internet2 class
// equal to tshark's count of the same rules written as display filters.
func TestApplicationsOnCapture(t *testing.T) {
	const pcap = "../../../testdata/pcaps/zeek-var-services-std-ports.pcap"
	want := collector.TsharkClasses(t, pcap, collector.Internet2Tshark)
	v := testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret letmein\ninterface "+v.Mon+"\n ip flow ingress\n!\n")

	var frames [][]byte
	for _, p := range collector.ReadPcap(t, pcap) {
		b := p.Data
		// IPv4 only, as tshark counts here (the capture is untagged).
		if len(b) > 14 && binary.BigEndian.Uint16(b[12:]) == 0x0800 {
			frames = append(frames, append([]byte(nil), b...))
		}
	}
	var total uint64
	for _, w := range want {
		total += w.Packets
	}
	if int(total) != len(frames) {
		t.Fatalf("tshark classes hold %d packets, the capture %d IPv4 frames", total, len(frames))
	}
	v.Send(t, frames)

	sum := func(out string) map[string][2]uint64 {
		got := map[string][2]uint64{}
		for _, sec := range appTable(out) {
			for name, f := range sec {
				o, _ := strconv.ParseUint(f[0], 10, 64)
				p, _ := strconv.ParseUint(f[1], 10, 64)
				g := got[name]
				got[name] = [2]uint64{g[0] + o, g[1] + p}
			}
		}
		return got
	}
	var out string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out = d.cli(t, "ios", "show ip flow applications\n")
		if sum(out)["total"][1] == total || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("\n%s", out)
	got := sum(out)
	var octets uint64
	for _, w := range want {
		octets += w.Bytes
	}
	for _, w := range want {
		g := got[w.Name]
		if g != [2]uint64{w.Bytes, w.Packets} {
			t.Errorf("%s: %d octets %d packets, tshark %d octets %d packets", w.Name, g[0], g[1], w.Bytes, w.Packets)
		}
	}
	// Shares of the live section, when everything is still live (the
	// inactive timeout is 15 s: usually so on a quick machine).
	secs := appTable(out)
	if len(secs) != 2 {
		t.Fatalf("want 2 sections, got %d:\n%s", len(secs), out)
	}
	if live := secs[0]["total"][1]; live == strconv.FormatUint(total, 10) {
		for _, w := range want {
			if s, ws := secs[0][w.Name][3], fmt.Sprintf("%.1f", 100*float64(w.Bytes)/float64(octets)); s != ws {
				t.Errorf("%s share %s%%, tshark %s%%", w.Name, s, ws)
			}
		}
	} else {
		t.Logf("flows expired before the read (%s live packets): shares not compared", live)
	}

	// Purging moves every flow to the expired section; clear ip flow
	// stats empties it.
	d.cli(t, "ios", "clear mls netflow\n")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		secs = appTable(d.cli(t, "ios", "show ip flow applications\n"))
		if len(secs) == 2 && secs[0]["total"][1] == "0" || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range want {
		if g := secs[1][w.Name]; g[0] != strconv.FormatUint(w.Bytes, 10) || g[1] != strconv.FormatUint(w.Packets, 10) {
			t.Errorf("after the purge, expired %s: %v, tshark %d octets %d packets", w.Name, g, w.Bytes, w.Packets)
		}
	}
	d.cli(t, "ios", "clear ip flow stats\n")
	secs = appTable(d.cli(t, "ios", "show ip flow applications\n"))
	if len(secs) != 2 || secs[1]["total"][1] != "0" {
		t.Errorf("clear ip flow stats left %v", secs)
	}
}
