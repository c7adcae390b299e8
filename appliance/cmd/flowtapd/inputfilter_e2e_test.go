package main

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestInputFilterMetersWhatItPermits: an extended list as a NetFlow
// input filter on a real port. Only what its permit entries match is
// exported; `show access-lists` counts each entry's matches, deny and
// permit alike, and the implicit deny counts nowhere.
func TestInputFilterMetersWhatItPermits(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname filt
username admin privilege 15 secret letmein
access-list 101 permit udp host 10.0.0.1 any eq 53
access-list 101 deny   udp 10.0.0.0 0.0.0.255 any
access-list 101 permit udp any range 6000 6999 any
interface %s
 ip flow ingress input-filter 101
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	if run := d.cli(t, "ios", "show running-config | include input-filter\n"); !strings.Contains(run, " ip flow ingress input-filter 101\n") {
		t.Fatalf("running config:\n%s", run)
	}
	var frames [][]byte
	add := func(src [4]byte, sport uint16, n int) { frames = append(frames, udpFrames(src, sport, n)...) }
	add([4]byte{10, 0, 0, 1}, 4000, 5) // entry 10: metered
	add([4]byte{10, 0, 0, 2}, 5000, 3) // entry 20: denied
	add([4]byte{10, 0, 1, 5}, 6500, 4) // entry 30: metered
	add([4]byte{10, 0, 1, 6}, 7000, 2) // implicit deny
	v.Send(t, frames)

	want := fmt.Sprintf("Extended IP access list 101\n" +
		"    10 permit udp host 10.0.0.1 any eq domain (5 matches)\n" +
		"    20 deny udp 10.0.0.0 0.0.0.255 any (3 matches)\n" +
		"    30 permit udp any range 6000 6999 any (4 matches)\n")
	if got := d.cliUntil(t, "ios", "show access-lists 101\n", want); got != want {
		t.Errorf("show access-lists 101:\n%s\nwant:\n%s", got, want)
	}
	if out := d.cli(t, "ios", "clear mls netflow\n"); strings.Contains(out, "%") {
		t.Fatalf("clear mls netflow: %s", out)
	}
	exp := collector.Tuples{}
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 5, 5*38)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.1.5"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 6500, DstPort: 53}, 4, 4*38)
	expectCollected(t, capd, exp)

	// clear access-list counters zeroes the filter's counts too.
	d.cli(t, "ios", "clear access-list counters\n")
	if got := d.cli(t, "ios", "show access-lists 101\n"); strings.Contains(got, "match") {
		t.Errorf("after clear access-list counters:\n%s", got)
	}
}

// TestPortSamplerDeterministic: a port's deterministic map takes exactly
// one packet in N of real frames, `show flow-sampler` says so, and the
// collector receives exactly those packets.
func TestPortSamplerDeterministic(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname smp
username admin privilege 15 secret letmein
flow-sampler-map UNUSED
 mode random one-out-of 3
!
flow-sampler-map EVERY4
 mode deterministic one-out-of 4
!
interface %s
 flow-sampler EVERY4
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	v.Send(t, udpFrames([4]byte{10, 0, 0, 1}, 4000, 40))
	want := " Sampler : UNUSED, id : 0, packets matched : 0, mode : random sampling mode\n  sampling interval is : 3\n" +
		" Sampler : EVERY4, id : 1, packets matched : 10, mode : deterministic sampling mode\n  sampling interval is : 4\n"
	if got := d.cliUntil(t, "ios", "show flow-sampler\n", want); got != want {
		t.Errorf("show flow-sampler:\n%s\nwant:\n%s", got, want)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	exp := collector.Tuples{}
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 10, 10*38)
	expectCollected(t, capd, exp)
}

// TestJunOSFilterSamplesWhatItSays: a JunOS firewall filter on a real
// port. Only `then sample` terms are metered (through the sampling
// instance at rate 1); `show firewall filter` counts every term, and the
// collector gets exactly the sampled packets.
func TestJunOSFilterSamplesWhatItSays(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\n")
	commit := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set system host-name jfilt
set flowtap platform cflowd
set interfaces %s unit 0 family inet filter input catch_all
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-server %s port %d
set forwarding-options sampling family inet output flow-server %s version 9
set firewall family inet filter catch_all term dns from source-address 10.0.0.1/32
set firewall family inet filter catch_all term dns from protocol udp
set firewall family inet filter catch_all term dns from destination-port domain
set firewall family inet filter catch_all term dns then count dns-in
set firewall family inet filter catch_all term dns then sample
set firewall family inet filter catch_all term dns then accept
set firewall family inet filter catch_all term lab from source-address 10.0.1.0/24
set firewall family inet filter catch_all term lab then accept
set firewall family inet filter catch_all term default then sample
set firewall family inet filter catch_all term default then accept
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port(), capd.Addr.Addr())+"commit\n")
	if !strings.Contains(commit, "commit complete") {
		t.Fatalf("commit:\n%s", commit)
	}
	var frames [][]byte
	add := func(src [4]byte, sport uint16, n int) { frames = append(frames, udpFrames(src, sport, n)...) }
	add([4]byte{10, 0, 0, 1}, 4000, 5)   // dns: sampled
	add([4]byte{10, 0, 1, 7}, 5000, 3)   // lab: accepted, not sampled
	add([4]byte{172, 16, 0, 1}, 6000, 4) // default: sampled
	v.Send(t, frames)
	row := func(name string, pkts int) string {
		return fmt.Sprintf("%-40s%25d%21d\n", name, pkts*38, pkts)
	}
	want := "Filter: catch_all\nCounters:\n" + fmt.Sprintf("%-40s%25s%21s\n", "Name", "Bytes", "Packets") +
		row("dns-in", 5) + row("lab", 3) + row("default", 4)
	if got := d.cliUntil(t, "junos", "show firewall filter catch_all\n", want); got != want {
		t.Errorf("show firewall filter catch_all:\n%s\nwant:\n%s", got, want)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	exp := collector.Tuples{}
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 4000, DstPort: 53}, 5, 5*38)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("172.16.0.1"), Dst: netip.MustParseAddr("192.0.2.9"), SrcPort: 6000, DstPort: 53}, 4, 4*38)
	expectCollected(t, capd, exp)
}

// udpFrames is n copies of udpFrame(src, sport, 10): 38 bytes each on the
// wire as the filters count them.
func udpFrames(src [4]byte, sport uint16, n int) [][]byte {
	var frames [][]byte
	for range n {
		frames = append(frames, udpFrame(src, sport, 10))
	}
	return frames
}

// cliUntil runs cmd until it prints want or 10 s pass (the meter's
// counters reach the CLI asynchronously) and returns the last output.
func (d *runningDaemon) cliUntil(t *testing.T, dialect, cmd, want string) string {
	t.Helper()
	var got string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got = d.cli(t, dialect, cmd)
		if got == want || time.Now().After(deadline) {
			return got
		}
	}
}

// expectCollected gives the export a moment to reach nfcapd after a
// flush, stops it and reports every flow that differs from exp.
func expectCollected(t *testing.T, capd *collector.Nfcapd, exp collector.Tuples) {
	t.Helper()
	time.Sleep(500 * time.Millisecond)
	tuples, _ := capd.Stop(t)
	for _, x := range collector.Compare(tuples, exp) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
}

// TestJunOSFilterCountersSurviveCommits: a filter's counters go on across
// commits that leave it alone (an unrelated change, the same filter set
// again) and, when the filter changes, its unchanged terms keep theirs;
// only `clear firewall` zeroes them.
func TestJunOSFilterCountersSurviveCommits(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, "username admin privilege 15 secret letmein\n")
	commit := func(lines string) {
		t.Helper()
		if out := d.cli(t, "junos", "configure\n"+lines+"commit\n"); !strings.Contains(out, "commit complete") {
			t.Fatalf("commit:\n%s", out)
		}
	}
	commit(fmt.Sprintf(`set system host-name jcount
set flowtap platform cflowd
set interfaces %s unit 0 family inet filter input catch_all
set forwarding-options sampling input rate 1
set firewall family inet filter catch_all term dns from source-address 10.0.0.1/32
set firewall family inet filter catch_all term dns then count dns-in
set firewall family inet filter catch_all term dns then sample
set firewall family inet filter catch_all term lab from source-address 10.0.1.0/24
set firewall family inet filter catch_all term lab then accept
set firewall family inet filter catch_all term default then sample
`, v.Mon))
	send := func(dns, lab, def int) {
		var frames [][]byte
		frames = append(frames, udpFrames([4]byte{10, 0, 0, 1}, 4000, dns)...)
		frames = append(frames, udpFrames([4]byte{10, 0, 1, 7}, 5000, lab)...)
		frames = append(frames, udpFrames([4]byte{172, 16, 0, 1}, 6000, def)...)
		v.Send(t, frames)
	}
	screen := func(rows ...any) string {
		s := "Filter: catch_all\nCounters:\n" + fmt.Sprintf("%-40s%25s%21s\n", "Name", "Bytes", "Packets")
		for i := 0; i < len(rows); i += 2 {
			s += fmt.Sprintf("%-40s%25d%21d\n", rows[i], rows[i+1].(int)*38, rows[i+1])
		}
		return s
	}
	expect := func(step string, want string) {
		t.Helper()
		if got := d.cliUntil(t, "junos", "show firewall filter catch_all\n", want); got != want {
			t.Errorf("%s: show firewall filter catch_all:\n%s\nwant:\n%s", step, got, want)
		}
	}
	send(5, 3, 4)
	expect("first traffic", screen("dns-in", 5, "lab", 3, "default", 4))

	commit("set system host-name jcount2\n")
	expect("after an unrelated commit", screen("dns-in", 5, "lab", 3, "default", 4))
	commit("set firewall family inet filter catch_all term dns then sample\n" +
		"set firewall family inet filter other term x then accept\n")
	expect("after setting the filter as it was and adding another filter", screen("dns-in", 5, "lab", 3, "default", 4))

	// lab changes (a new prefix) and a term is added: dns and default
	// keep their counts, lab starts again from zero.
	commit("delete firewall family inet filter catch_all term lab from source-address 10.0.1.0/24\n" +
		"set firewall family inet filter catch_all term lab from source-address 10.0.0.0/16\n")
	expect("after changing term lab", screen("dns-in", 5, "lab", 0, "default", 4))
	send(2, 6, 1)
	expect("traffic after the change", screen("dns-in", 7, "lab", 6, "default", 5))

	if out := d.cli(t, "junos", "clear firewall filter catch_all\n"); strings.TrimSpace(out) != "" {
		t.Fatalf("clear firewall filter catch_all: %q", out)
	}
	expect("after clear firewall", screen("dns-in", 0, "lab", 0, "default", 0))
	send(1, 1, 1)
	expect("traffic after clear", screen("dns-in", 1, "lab", 1, "default", 1))
	if out := d.cli(t, "junos", "clear firewall filter nosuch\n"); !strings.Contains(out, "error: filter nosuch is not configured") {
		t.Errorf("clear firewall filter nosuch: %q", out)
	}
	d.cli(t, "junos", "clear firewall all\n")
	expect("after clear firewall all", screen("dns-in", 0, "lab", 0, "default", 0))
}
