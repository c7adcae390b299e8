package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestNetFlowInputFilterClasses: Cisco's NetFlow Input Filters on a real
// port. Each class meters exactly what its access list matches, through
// its own deterministic sampler (exact); class-default takes the rest
// through its sampler. show policy-map interface, show access-lists,
// show flow-sampler and the collector agree; clear counters zeroes only
// the classes.
func TestNetFlowInputFilterClasses(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname nif
username admin privilege 15 secret letmein
access-list 101 permit udp host 10.0.0.1 any eq 53
access-list 102 deny   udp host 10.0.1.9 any
access-list 102 permit udp 10.0.1.0 0.0.0.255 any
flow-sampler-map ALL
 mode deterministic one-out-of 1
flow-sampler-map FOURTH
 mode deterministic one-out-of 4
flow-sampler-map TENTH
 mode deterministic one-out-of 10
class-map match-all DNS1
 match access-group 101
class-map match-any LAB
 match access-group 102
policy-map NF
 class DNS1
  netflow-sampler ALL
 class LAB
  netflow-sampler FOURTH
 class class-default
  netflow-sampler TENTH
interface %s
 service-policy input NF
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	run := d.cli(t, "ios", "show running-config | section policy-map|class-map|interface\n")
	for _, want := range []string{"class-map match-all DNS1\n match access-group 101\n", "policy-map NF\n class DNS1\n  netflow-sampler ALL\n",
		" service-policy input NF\n"} {
		if !strings.Contains(run, want) {
			t.Fatalf("running config lacks %q:\n%s", want, run)
		}
	}
	var frames [][]byte
	add := func(src [4]byte, sport uint16, n int) { frames = append(frames, udpFrames(src, sport, n)...) }
	add([4]byte{10, 0, 0, 1}, 4000, 5)    // DNS1: all 5 metered
	add([4]byte{10, 0, 1, 5}, 6500, 40)   // LAB: 1 in 4, 10 metered
	add([4]byte{10, 0, 1, 9}, 6600, 6)    // LAB's deny: on to class-default, TENTH's positions 0-5: 1 metered
	add([4]byte{172, 16, 0, 1}, 7000, 30) // class-default: TENTH's positions 6-35: 3 metered
	v.Send(t, frames)

	const b = 38 // bytes per frame as IP counts them
	want := fmt.Sprintf(" %s \n\n  Service-policy input: NF\n", v.Mon) +
		fmt.Sprintf("\n    Class-map: DNS1 (match-all)\n      5 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: access-group 101\n      netflow-sampler: ALL\n", 5*b) +
		fmt.Sprintf("\n    Class-map: LAB (match-any)\n      40 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: access-group 102\n      netflow-sampler: FOURTH\n", 40*b) +
		fmt.Sprintf("\n    Class-map: class-default (match-any)\n      36 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: any \n      netflow-sampler: TENTH\n\n", 36*b)
	if got := policyScreen(t, d, v.Mon, want); got != anyRate(want) {
		t.Errorf("show policy-map interface:\n%s\nwant:\n%s", got, want)
	}
	acl := "Extended IP access list 101\n    10 permit udp host 10.0.0.1 any eq domain (5 matches)\n" +
		"Extended IP access list 102\n    10 deny udp host 10.0.1.9 any (6 matches)\n    20 permit udp 10.0.1.0 0.0.0.255 any (40 matches)\n"
	if got := d.cli(t, "ios", "show access-lists\n"); got != acl {
		t.Errorf("show access-lists:\n%s\nwant:\n%s", got, acl)
	}
	smp := " Sampler : ALL, id : 1, packets matched : 5, mode : deterministic sampling mode\n  sampling interval is : 1\n" +
		" Sampler : FOURTH, id : 2, packets matched : 10, mode : deterministic sampling mode\n  sampling interval is : 4\n" +
		" Sampler : TENTH, id : 3, packets matched : 4, mode : deterministic sampling mode\n  sampling interval is : 10\n"
	if got := d.cli(t, "ios", "show flow-sampler\n"); got != smp {
		t.Errorf("show flow-sampler:\n%s\nwant:\n%s", got, smp)
	}
	cls := " Class Map match-any class-default (id 0)\n   Match any \n\n Class Map match-all DNS1 (id 1)\n   Match access-group  101\n\n" +
		" Class Map match-any LAB (id 2)\n   Match access-group  102\n\n"
	if got := d.cli(t, "ios", "show class-map\n"); got != cls {
		t.Errorf("show class-map:\n%s\nwant:\n%s", got, cls)
	}

	d.cli(t, "ios", "clear mls netflow\n")
	exp := collector.Tuples{}
	dst := netip.MustParseAddr("192.0.2.9")
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.1"), Dst: dst, SrcPort: 4000, DstPort: 53}, 5, 5*b)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.1.5"), Dst: dst, SrcPort: 6500, DstPort: 53}, 10, 10*b)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.1.9"), Dst: dst, SrcPort: 6600, DstPort: 53}, 1, 1*b)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("172.16.0.1"), Dst: dst, SrcPort: 7000, DstPort: 53}, 3, 3*b)
	expectCollected(t, capd, exp)

	// clear counters zeroes the classes; the lists keep their matches.
	if out := d.cli(t, "ios", "clear counters "+v.Mon+"\n"); out != "" {
		t.Errorf("clear counters: %q", out)
	}
	if got := d.cli(t, "ios", "show policy-map interface "+v.Mon+"\n"); strings.Count(got, " 0 packets, 0 bytes") != 3 {
		t.Errorf("after clear counters:\n%s", got)
	}
	if got := d.cli(t, "ios", "show access-lists\n"); got != acl {
		t.Errorf("show access-lists after clear counters:\n%s\nwant:\n%s", got, acl)
	}
	if out := d.cli(t, "ios", "clear counters nosuch0\n"); !strings.Contains(out, "% Interface nosuch0 is not configured") {
		t.Errorf("clear counters nosuch0: %q", out)
	}

	// A change to the policy while it meters: the classes' counts go on
	// from where they were, LAB now meters everything through ALL.
	classLine := func(class string) string {
		got := d.cli(t, "ios", "show policy-map interface "+v.Mon+"\n")
		_, after, _ := strings.Cut(got, "Class-map: "+class+" ")
		line, _, _ := strings.Cut(strings.TrimPrefix(after, "(match-any)\n"), "\n")
		return strings.TrimSpace(line)
	}
	v.Send(t, udpFrames([4]byte{10, 0, 1, 5}, 6501, 8))
	if got := d.cliUntil(t, "ios", "show policy-map interface "+v.Mon+" | include 8 packets\n", fmt.Sprintf("      8 packets, %d bytes\n", 8*b)); !strings.Contains(got, "8 packets") {
		t.Fatalf("LAB before the change: %q", classLine("LAB"))
	}
	if out := d.cli(t, "ios", "configure terminal\npolicy-map NF\nclass LAB\nnetflow-sampler ALL\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("change the policy:\n%s", out)
	}
	if got := classLine("LAB"); got != fmt.Sprintf("8 packets, %d bytes", 8*b) {
		t.Errorf("LAB right after the change: %q, want 8 packets", got)
	}
	v.Send(t, udpFrames([4]byte{10, 0, 1, 5}, 6502, 4))
	d.cliUntil(t, "ios", "show policy-map interface "+v.Mon+" | include 12 packets\n", fmt.Sprintf("      12 packets, %d bytes\n", 12*b))
	if got := classLine("LAB"); got != fmt.Sprintf("12 packets, %d bytes", 12*b) {
		t.Errorf("LAB after the change and 4 more: %q, want 12 packets", got)
	}
	// ALL kept its count (its map did not change) and took the 4.
	if got := d.cli(t, "ios", "show flow-sampler ALL\n"); !strings.Contains(got, "packets matched : 9,") {
		t.Errorf("show flow-sampler ALL: %q, want 9 matched", got)
	}
	// clear access-list counters zeroes the entries, not the classes.
	d.cli(t, "ios", "clear access-list counters\n")
	if got := d.cli(t, "ios", "show access-lists 102\n"); strings.Contains(got, "match") {
		t.Errorf("after clear access-list counters:\n%s", got)
	}
	if got := classLine("LAB"); got != fmt.Sprintf("12 packets, %d bytes", 12*b) {
		t.Errorf("LAB after clear access-list counters: %q, want 12 packets", got)
	}
}

// l4Frame6 is an IPv6 frame to 2001:db8::9 port 53 with a UDP header and
// 10 bytes (58 bytes of IP) or a bare TCP header (60 bytes of IP).
func l4Frame6(src string, proto uint8, sport uint16) []byte {
	l4 := 8 + 10
	if proto == 6 {
		l4 = 20
	}
	b := make([]byte, 14+40+l4)
	copy(b[0:], []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd})
	ip := b[14:]
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(l4))
	ip[6], ip[7] = proto, 64
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr("2001:db8::9").As16()
	copy(ip[8:], s[:])
	copy(ip[24:], d[:])
	binary.BigEndian.PutUint16(ip[40:], sport)
	binary.BigEndian.PutUint16(ip[42:], 53)
	if proto == 6 {
		binary.BigEndian.PutUint16(ip[42:], 22)
		ip[40+12] = 5 << 4
		ip[40+13] = 0x10 // ACK
	} else {
		binary.BigEndian.PutUint16(ip[44:], uint16(l4))
	}
	return b
}

// TestIPv6InputFilters: an `ipv6 access-list` filters IPv6 packets in
// XDP, with `ipv6 flow ingress input-filter` (IPv4 is then not metered)
// and then in a policy's class through its sampler; show access-lists
// counts each entry, and the collector gets exactly the metered packets.
func TestIPv6InputFilters(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname v6f
username admin privilege 15 secret letmein
ipv6 access-list V6
 permit tcp any any eq 22
 deny udp 2001:db8:1::/48 any
 permit udp any any
interface %s
 ipv6 flow ingress input-filter V6
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	var frames [][]byte
	add := func(n int, f []byte) {
		for range n {
			frames = append(frames, f)
		}
	}
	add(4, l4Frame6("2001:db8::1", 6, 40000))        // entry 10: metered
	add(3, l4Frame6("2001:db8:1::5", 17, 5000))      // entry 20: denied
	add(5, l4Frame6("2001:db8:2::7", 17, 6000))      // entry 30: metered
	add(6, udpFrame([4]byte{10, 0, 0, 1}, 4000, 10)) // IPv4: only IPv6 NetFlow is on
	v.Send(t, frames)
	acl := "IPv6 access list V6\n    permit tcp any any eq 22 (4 matches) sequence 10\n" +
		"    deny udp 2001:db8:1::/48 any (3 matches) sequence 20\n    permit udp any any (5 matches) sequence 30\n"
	if got := d.cliUntil(t, "ios", "show access-lists V6\n", acl); got != acl {
		t.Errorf("show access-lists V6:\n%s\nwant:\n%s", got, acl)
	}
	if got := d.cli(t, "ios", "show ipv6 access-list\n"); got != acl {
		t.Errorf("show ipv6 access-list:\n%s\nwant:\n%s", got, acl)
	}
	if got := d.cli(t, "ios", "show access-lists V6 | json\n"); !strings.Contains(got, `"kind": "IPv6"`) || !strings.Contains(got, `"entry": "permit tcp any any eq 22"`) {
		t.Errorf("show access-lists V6 | json:\n%s", got)
	}

	// The same list in a class of a policy, through a 1-in-2 sampler.
	out := d.cli(t, "ios", `configure terminal
flow-sampler-map HALF
 mode deterministic one-out-of 2
class-map match-any V6C
 match access-group name V6
policy-map P6
 class V6C
  netflow-sampler HALF
interface `+v.Mon+`
 no ipv6 flow ingress input-filter
 service-policy input P6
end
`)
	if strings.Contains(out, "%") {
		t.Fatalf("configure:\n%s", out)
	}
	frames = nil
	add(4, l4Frame6("2001:db8::1", 6, 40001))   // V6C: 2 of 4
	add(3, l4Frame6("2001:db8:1::5", 17, 5001)) // deny: class-default, not metered
	add(6, l4Frame6("2001:db8:2::7", 17, 6001)) // V6C: HALF goes on, 3 of 6
	v.Send(t, frames)
	want := fmt.Sprintf(" %s \n\n  Service-policy input: P6\n", v.Mon) +
		"\n    Class-map: V6C (match-any)\n      10 packets, 588 bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: access-group name V6\n      netflow-sampler: HALF\n" +
		"\n    Class-map: class-default (match-any)\n      3 packets, 174 bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: any \n\n"
	if got := policyScreen(t, d, v.Mon, want); got != anyRate(want) {
		t.Errorf("show policy-map interface:\n%s\nwant:\n%s", got, want)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	exp := collector.Tuples{}
	dst := netip.MustParseAddr("2001:db8::9")
	exp.Add(collector.Tuple{Proto: 6, Src: netip.MustParseAddr("2001:db8::1"), Dst: dst, SrcPort: 40000, DstPort: 22}, 4, 4*60)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("2001:db8:2::7"), Dst: dst, SrcPort: 6000, DstPort: 53}, 5, 5*58)
	exp.Add(collector.Tuple{Proto: 6, Src: netip.MustParseAddr("2001:db8::1"), Dst: dst, SrcPort: 40001, DstPort: 22}, 2, 2*60)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("2001:db8:2::7"), Dst: dst, SrcPort: 6001, DstPort: 53}, 3, 3*58)
	expectCollected(t, capd, exp)
}

// policyScreen waits until show policy-map interface port shows want
// (the counters reach the CLI asynchronously) and returns the screen
// with its offered rates as N: they depend on when the 5 s ticks fell
// (TestClassRates checks them).
func policyScreen(t *testing.T, d *runningDaemon, port, want string) string {
	t.Helper()
	d.cliUntil(t, "ios", "show policy-map interface "+port+" | exclude offered\n", rateRE.ReplaceAllString(want, ""))
	return anyRate(d.cli(t, "ios", "show policy-map interface "+port+"\n"))
}

var rateRE = regexp.MustCompile(`      5 minute offered rate \d+ bps, drop rate 0 bps\n`)

func anyRate(s string) string {
	return rateRE.ReplaceAllString(s, "      5 minute offered rate N bps, drop rate 0 bps\n")
}

// checkPolicyJSON checks that `show policy-map interface port | json`
// carries one interface with the input policy and, in order, the classes
// want names, each as "name packets bytes match,match,…" joined by "|".
func checkPolicyJSON(t *testing.T, d *runningDaemon, port, policy, want string) {
	t.Helper()
	var pmi struct {
		T struct {
			R []struct {
				Policy string `json:"service_policy_input"`
				T      struct {
					R []struct {
						Name           string
						Packets, Bytes uint64
						Matches        struct {
							R []struct{ Match string } `json:"ROW_match"`
						} `json:"TABLE_match"`
					} `json:"ROW_class"`
				} `json:"TABLE_class"`
			} `json:"ROW_interface"`
		} `json:"TABLE_interface"`
	}
	if out := d.cli(t, "ios", "show policy-map interface "+port+" | json\n"); json.Unmarshal([]byte(out), &pmi) != nil || len(pmi.T.R) != 1 {
		t.Errorf("show policy-map interface | json: %s", out)
		return
	}
	var got []string
	for _, c := range pmi.T.R[0].T.R {
		var ms []string
		for _, m := range c.Matches.R {
			ms = append(ms, m.Match)
		}
		got = append(got, fmt.Sprintf("%s %d %d %s", c.Name, c.Packets, c.Bytes, strings.Join(ms, ",")))
	}
	if strings.Join(got, "|") != want || pmi.T.R[0].Policy != policy {
		t.Errorf("show policy-map interface | json: %q (policy %s), want %q", strings.Join(got, "|"), pmi.T.R[0].Policy, want)
	}
}

// TestInputFiltersSurviveResize: a new cache size reopens the datapath;
// the ports' filters and samplers must be in the new one, and the
// classes' and entries' counters go on.
func TestInputFiltersSurviveResize(t *testing.T) {
	v := testnet.Enter(t)
	d := startDaemon(t, fmt.Sprintf(`hostname rsz
username admin privilege 15 secret letmein
access-list 101 permit udp host 10.0.0.1 any
flow-sampler-map ALL
 mode deterministic one-out-of 1
class-map match-all ONE
 match access-group 101
policy-map NF
 class ONE
  netflow-sampler ALL
interface %s
 service-policy input NF
`, v.Mon))
	v.Send(t, udpFrames([4]byte{10, 0, 0, 1}, 4000, 3))
	v.Send(t, udpFrames([4]byte{10, 0, 0, 2}, 4000, 2))
	line := func(n int) string { return fmt.Sprintf("      %d packets, %d bytes\n", n, n*38) }
	d.cliUntil(t, "ios", "show policy-map interface "+v.Mon+" | include packets\n", line(3)+line(2))
	if out := d.cli(t, "ios", "configure terminal\nip flow-cache entries 8192\nend\n"); strings.Contains(out, "%") {
		t.Fatalf("resize: %s", out)
	}
	v.Send(t, udpFrames([4]byte{10, 0, 0, 1}, 4001, 4))
	v.Send(t, udpFrames([4]byte{10, 0, 0, 2}, 4001, 1))
	if got := d.cliUntil(t, "ios", "show policy-map interface "+v.Mon+" | include packets\n", line(7)+line(3)); got != line(7)+line(3) {
		t.Errorf("after the resize, classes count\n%s\nwant\n%s", got, line(7)+line(3))
	}
	acl := "Extended IP access list 101\n    10 permit udp host 10.0.0.1 any (7 matches)\n"
	if got := d.cli(t, "ios", "show access-lists 101\n"); got != acl {
		t.Errorf("show access-lists after the resize:\n%s\nwant:\n%s", got, acl)
	}
	// The sampler counts on across the new datapath, as the datapath's
	// own counters do (show ip flow datapath): only clear zeroes them.
	if got := d.cli(t, "ios", "show flow-sampler ALL\n"); !strings.Contains(got, "packets matched : 7,") {
		t.Errorf("show flow-sampler after the resize: %q", got)
	}
}

// TestNetFlowInputFilterDenySplit: a deny whose traffic a later class
// takes only in part is split: that part is metered by the later class,
// the rest falls to class-default, as IOS's walk does; both entries
// count what they matched.
func TestNetFlowInputFilterDenySplit(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname split
username admin privilege 15 secret letmein
access-list 110 permit udp any eq 4000 any
access-list 110 deny   udp 10.0.0.0 0.0.0.255 any
access-list 120 permit udp any range 5000 5999 any
flow-sampler-map ALL
 mode deterministic one-out-of 1
class-map match-all A
 match access-group 110
class-map match-all B
 match access-group 120
policy-map P
 class A
  netflow-sampler ALL
 class B
  netflow-sampler ALL
interface %s
 service-policy input P
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	var frames [][]byte
	add := func(src [4]byte, sport uint16, n int) { frames = append(frames, udpFrames(src, sport, n)...) }
	add([4]byte{10, 0, 0, 1}, 4000, 3)   // A
	add([4]byte{10, 0, 0, 2}, 5500, 4)   // A's deny, then B
	add([4]byte{10, 0, 0, 3}, 7000, 2)   // A's deny, then class-default
	add([4]byte{172, 16, 0, 1}, 5001, 5) // B
	add([4]byte{172, 16, 0, 1}, 9000, 1) // class-default
	v.Send(t, frames)
	const b = 38
	want := fmt.Sprintf(" %s \n\n  Service-policy input: P\n", v.Mon) +
		fmt.Sprintf("\n    Class-map: A (match-all)\n      3 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: access-group 110\n      netflow-sampler: ALL\n", 3*b) +
		fmt.Sprintf("\n    Class-map: B (match-all)\n      9 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: access-group 120\n      netflow-sampler: ALL\n", 9*b) +
		fmt.Sprintf("\n    Class-map: class-default (match-any)\n      3 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: any \n\n", 3*b)
	if got := policyScreen(t, d, v.Mon, want); got != anyRate(want) {
		t.Errorf("show policy-map interface:\n%s\nwant:\n%s", got, anyRate(want))
	}
	acl := "Extended IP access list 110\n    10 permit udp any eq 4000 any (3 matches)\n    20 deny udp 10.0.0.0 0.0.0.255 any (6 matches)\n" +
		"Extended IP access list 120\n    10 permit udp any range 5000 5999 any (9 matches)\n"
	if got := d.cli(t, "ios", "show access-lists\n"); got != acl {
		t.Errorf("show access-lists:\n%s\nwant:\n%s", got, acl)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	exp := collector.Tuples{}
	dst := netip.MustParseAddr("192.0.2.9")
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.1"), Dst: dst, SrcPort: 4000, DstPort: 53}, 3, 3*b)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("10.0.0.2"), Dst: dst, SrcPort: 5500, DstPort: 53}, 4, 4*b)
	exp.Add(collector.Tuple{Proto: 17, Src: netip.MustParseAddr("172.16.0.1"), Dst: dst, SrcPort: 5001, DstPort: 53}, 5, 5*b)
	expectCollected(t, capd, exp)
}

// TestNetFlowInputFilterMatchAll: a match-all class of two lists takes
// a packet only when both permit it; what either denies goes on to the
// next class, and a deny whose remainder a later class takes as ports in
// two ranges is split into one term per range. Classes, every entry a
// packet met (IOS's walk) and the export agree with what was sent.
func TestNetFlowInputFilterMatchAll(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname mall
username admin privilege 15 secret letmein
access-list 110 deny   udp host 10.0.0.9 range 4000 5000 any
access-list 110 permit udp 10.0.0.0 0.0.0.255 any
access-list 111 deny   udp any eq 4001 any
access-list 111 permit udp any range 4000 4999 any
access-list 120 permit udp any neq 4500 any
flow-sampler-map ALL
 mode deterministic one-out-of 1
class-map match-all A
 match access-group 110
 match access-group 111
class-map match-any B
 match access-group 120
policy-map P
 class A
  netflow-sampler ALL
 class B
  netflow-sampler ALL
interface %s
 service-policy input P
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	type send struct {
		src   [4]byte
		sport uint16
		n     int
		class string
	}
	sends := []send{
		{[4]byte{10, 0, 0, 1}, 4000, 3, "A"},   // both lists permit
		{[4]byte{10, 0, 0, 1}, 4001, 2, "B"},   // 111 denies
		{[4]byte{10, 0, 0, 1}, 6000, 2, "B"},   // 111 permits nothing
		{[4]byte{172, 16, 0, 1}, 4000, 4, "B"}, // 110 permits nothing
		{[4]byte{10, 0, 0, 9}, 4200, 5, "B"},   // 110 denies; 120's 4000-4499
		{[4]byte{10, 0, 0, 9}, 4800, 1, "B"},   // 110 denies; 120's 4501-5000
		{[4]byte{10, 0, 0, 9}, 4500, 2, ""},    // 110 denies; class-default
		{[4]byte{172, 16, 0, 1}, 4500, 1, ""},  // class-default
	}
	var frames [][]byte
	const b = 38
	exp := collector.Tuples{}
	dst := netip.MustParseAddr("192.0.2.9")
	for _, s := range sends {
		frames = append(frames, udpFrames(s.src, s.sport, s.n)...)
		if s.class != "" {
			exp.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4(s.src), Dst: dst, SrcPort: s.sport, DstPort: 53}, uint64(s.n), uint64(s.n*b))
		}
	}
	v.Send(t, frames)
	want := fmt.Sprintf(" %s \n\n  Service-policy input: P\n", v.Mon) +
		fmt.Sprintf("\n    Class-map: A (match-all)\n      3 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: access-group 110\n      Match: access-group 111\n      netflow-sampler: ALL\n", 3*b) +
		fmt.Sprintf("\n    Class-map: B (match-any)\n      14 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: access-group 120\n      netflow-sampler: ALL\n", 14*b) +
		fmt.Sprintf("\n    Class-map: class-default (match-any)\n      3 packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n      Match: any \n\n", 3*b)
	if got := policyScreen(t, d, v.Mon, want); got != anyRate(want) {
		t.Errorf("show policy-map interface:\n%s\nwant:\n%s", got, anyRate(want))
	}
	// | json carries the numbers the screen printed.
	checkPolicyJSON(t, d, v.Mon, "P",
		fmt.Sprintf("A 3 %d access-group 110,access-group 111|B 14 %d access-group 120|class-default 3 %d any", 3*b, 14*b, 3*b))
	for cmd, want := range map[string]string{
		"show class-map A | json":  `"match_mode": "match-all"`,
		"show policy-map P | json": `"netflow_sampler": "ALL"`,
	} {
		if out := d.cli(t, "ios", cmd+"\n"); !json.Valid([]byte(out)) || !strings.Contains(out, want) {
			t.Errorf("%s: %s", cmd, out)
		}
	}
	acl := "Extended IP access list 110\n    10 deny udp host 10.0.0.9 range 4000 5000 any (8 matches)\n    20 permit udp 10.0.0.0 0.0.0.255 any (7 matches)\n" +
		"Extended IP access list 111\n    10 deny udp any eq 4001 any (2 matches)\n    20 permit udp any range 4000 4999 any (3 matches)\n" +
		"Extended IP access list 120\n    10 permit udp any neq 4500 any (14 matches)\n"
	if got := d.cli(t, "ios", "show access-lists\n"); got != acl {
		t.Errorf("show access-lists:\n%s\nwant:\n%s", got, acl)
	}
	if got := aclJSONText(t, d.cli(t, "ios", "show access-lists | json\n")); got != acl {
		t.Errorf("show access-lists | json says\n%s\nthe screen\n%s", got, acl)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	expectCollected(t, capd, exp)
}

// TestNetFlowInputFilterMatchAll6: the IPv6 counterpart of
// TestNetFlowInputFilterMatchAll. A match-all class of two `ipv6
// access-list`s takes an IPv6 packet only when both permit it; a deny in
// either, or the implicit deny, sends it on to the next class (a
// match-any class of an IPv6 and an IPv4 list, each classifying its own
// family) and then to class-default, which meters through its own
// sampler. Classes, every entry a packet met on IOS's walk, the samplers,
// the screens' `| json` and the export all agree with what was sent.
func TestNetFlowInputFilterMatchAll6(t *testing.T) {
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname mall6
username admin privilege 15 secret letmein
access-list 120 permit udp any eq 4000 any
access-list 121 permit udp any any
ipv6 access-list SRC6
 deny udp host 2001:db8:1::9 range 4000 5000 any
 permit udp 2001:db8:1::/48 any
ipv6 access-list PORT6
 deny udp any eq 4001 any
 permit udp any range 4000 4999 any
ipv6 access-list REST6
 permit udp any neq 4500 any
ipv6 access-list V6ONLY
 permit udp any eq 4500 any
flow-sampler-map ALL
 mode deterministic one-out-of 1
flow-sampler-map DEF
 mode deterministic one-out-of 1
class-map match-all A6
 match access-group name SRC6
 match access-group name PORT6
class-map match-any B
 match access-group name REST6
 match access-group 120
class-map match-all MIX
 match access-group name V6ONLY
 match access-group 121
policy-map P6
 class A6
  netflow-sampler ALL
 class B
  netflow-sampler ALL
 class MIX
  netflow-sampler ALL
 class class-default
  netflow-sampler DEF
interface %s
 service-policy input P6
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	const b4, b6 = 38, 58 // bytes per frame as IP counts them
	type send struct {
		src   string
		sport uint16
		n     int
		class string
		hbh   bool // a Hop-by-Hop Options header before UDP
	}
	sends := []send{
		{"2001:db8:1::1", 4000, 3, "A6", false},      // both lists permit
		{"2001:db8:1::1", 4003, 1, "A6", true},       // the ports after an extension header
		{"2001:db8:1::1", 4001, 2, "B", false},       // PORT6 denies; REST6
		{"2001:db8:1::1", 6000, 2, "B", false},       // PORT6 permits nothing; REST6
		{"2001:db8:2::1", 4000, 4, "B", false},       // SRC6 permits nothing; REST6
		{"2001:db8:1::9", 4200, 5, "B", false},       // SRC6 denies; REST6's 0-4499
		{"2001:db8:1::9", 4800, 1, "B", false},       // SRC6 denies; REST6's 4501-65535
		{"2001:db8:1::9", 4500, 2, "default", false}, // SRC6 denies; REST6 does not permit; V6ONLY does, 121 cannot
		{"2001:db8:2::1", 4500, 1, "default", false}, // as above, SRC6's implicit deny
		{"10.0.0.1", 4000, 3, "B", false},            // 120: the IPv4 list of B
		{"10.0.0.1", 7000, 2, "default", false},      // IPv6 lists leave IPv4 alone; MIX's walk ends at V6ONLY
	}
	var frames [][]byte
	exp := collector.Tuples{}
	pkts, bytes := map[string]int{}, map[string]int{}
	for _, s := range sends {
		src := netip.MustParseAddr(s.src)
		size, dst := b6, netip.MustParseAddr("2001:db8::9")
		for range s.n {
			switch {
			case src.Is4():
				frames = append(frames, udpFrame(src.As4(), s.sport, 10))
			case s.hbh:
				frames = append(frames, hopByHop(l4Frame6(s.src, 17, s.sport)))
			default:
				frames = append(frames, l4Frame6(s.src, 17, s.sport))
			}
		}
		switch {
		case src.Is4():
			size, dst = b4, netip.MustParseAddr("192.0.2.9")
		case s.hbh:
			size += 8
		}
		pkts[s.class] += s.n
		bytes[s.class] += s.n * size
		exp.Add(collector.Tuple{Proto: 17, Src: src, Dst: dst, SrcPort: s.sport, DstPort: 53}, uint64(s.n), uint64(s.n*size))
	}
	v.Send(t, frames)
	if pkts["A6"] != 4 || pkts["B"] != 17 || pkts["default"] != 5 {
		t.Fatalf("the sends add up to %v", pkts)
	}
	class := func(name, mode, matches, sampler string, key string) string {
		return fmt.Sprintf("\n    Class-map: %s (%s)\n      %d packets, %d bytes\n      5 minute offered rate 0 bps, drop rate 0 bps\n%s      netflow-sampler: %s\n",
			name, mode, pkts[key], bytes[key], matches, sampler)
	}
	want := fmt.Sprintf(" %s \n\n  Service-policy input: P6\n", v.Mon) +
		class("A6", "match-all", "      Match: access-group name SRC6\n      Match: access-group name PORT6\n", "ALL", "A6") +
		class("B", "match-any", "      Match: access-group name REST6\n      Match: access-group 120\n", "ALL", "B") +
		class("MIX", "match-all", "      Match: access-group name V6ONLY\n      Match: access-group 121\n", "ALL", "MIX") +
		class("class-default", "match-any", "      Match: any \n", "DEF", "default") + "\n"
	if got := policyScreen(t, d, v.Mon, want); got != anyRate(want) {
		t.Errorf("show policy-map interface:\n%s\nwant:\n%s", got, anyRate(want))
	}
	acl6 := "IPv6 access list PORT6\n    deny udp any eq 4001 any (2 matches) sequence 10\n    permit udp any range 4000 4999 any (4 matches) sequence 20\n" +
		"IPv6 access list REST6\n    permit udp any neq 4500 any (14 matches) sequence 10\n" +
		"IPv6 access list SRC6\n    deny udp host 2001:db8:1::9 range 4000 5000 any (8 matches) sequence 10\n    permit udp 2001:db8:1::/48 any (8 matches) sequence 20\n" +
		// A match-all class of an IPv6 and an IPv4 list takes nothing,
		// but IOS's walk counts the IPv6 entry it meets first.
		"IPv6 access list V6ONLY\n    permit udp any eq 4500 any (3 matches) sequence 10\n"
	if got := d.cli(t, "ios", "show ipv6 access-list\n"); got != acl6 {
		t.Errorf("show ipv6 access-list:\n%s\nwant:\n%s", got, acl6)
	}
	acl := "Extended IP access list 120\n    10 permit udp any eq 4000 any (3 matches)\n" +
		"Extended IP access list 121\n    10 permit udp any any\n" + acl6
	if got := d.cli(t, "ios", "show access-lists\n"); got != acl {
		t.Errorf("show access-lists:\n%s\nwant:\n%s", got, acl)
	}
	smp := " Sampler : ALL, id : 1, packets matched : 21, mode : deterministic sampling mode\n  sampling interval is : 1\n" +
		" Sampler : DEF, id : 2, packets matched : 5, mode : deterministic sampling mode\n  sampling interval is : 1\n"
	if got := d.cli(t, "ios", "show flow-sampler\n"); got != smp {
		t.Errorf("show flow-sampler:\n%s\nwant:\n%s", got, smp)
	}

	// | json carries the numbers the screens printed.
	checkPolicyJSON(t, d, v.Mon, "P6", fmt.Sprintf("A6 4 %d access-group name SRC6,access-group name PORT6|B 17 %d access-group name REST6,access-group 120|"+
		"MIX 0 0 access-group name V6ONLY,access-group 121|class-default 5 %d any",
		bytes["A6"], bytes["B"], bytes["default"]))
	for cmd, screen := range map[string]string{"show ipv6 access-list | json": acl6, "show access-lists | json": acl} {
		if got := aclJSONText(t, d.cli(t, "ios", cmd+"\n")); got != screen {
			t.Errorf("%s says\n%s\nthe screen\n%s", cmd, got, screen)
		}
	}

	d.cli(t, "ios", "clear mls netflow\n")
	expectCollected(t, capd, exp)

	// clear counters zeroes the classes, the lists keep their matches;
	// clear access-list counters zeroes the IPv6 entries, not the classes.
	if out := d.cli(t, "ios", "clear counters "+v.Mon+"\n"); out != "" {
		t.Errorf("clear counters: %q", out)
	}
	zero := strings.Repeat("      0 packets, 0 bytes\n", 4)
	if got := d.cli(t, "ios", "show policy-map interface "+v.Mon+" | include packets\n"); got != zero {
		t.Errorf("after clear counters:\n%s", got)
	}
	if got := d.cli(t, "ios", "show ipv6 access-list\n"); got != acl6 {
		t.Errorf("show ipv6 access-list after clear counters:\n%s\nwant:\n%s", got, acl6)
	}
	v.Send(t, [][]byte{l4Frame6("2001:db8:1::1", 17, 4002), l4Frame6("2001:db8:1::1", 17, 4002)})
	two := fmt.Sprintf("      2 packets, %d bytes\n", 2*b6) + strings.Repeat("      0 packets, 0 bytes\n", 3)
	if got := d.cliUntil(t, "ios", "show policy-map interface "+v.Mon+" | include packets\n", two); got != two {
		t.Errorf("A6 after 2 more:\n%s\nwant:\n%s", got, two)
	}
	// clear ipv6 access-list NAME zeroes that list's entries only (the
	// others sharing its terms count on), and it counts on from zero.
	if out := d.cli(t, "ios", "clear ipv6 access-list PORT6\n"); out != "" {
		t.Errorf("clear ipv6 access-list PORT6: %q", out)
	}
	v.Send(t, [][]byte{l4Frame6("2001:db8:1::1", 17, 4001)}) // PORT6 denies: B
	lists := func(port6, src6, rest6, three string) string {
		return "Extended IP access list 120\n    10 permit udp any eq 4000 any" + three + "\n" +
			"Extended IP access list 121\n    10 permit udp any any\n" +
			"IPv6 access list PORT6\n" + port6 + "IPv6 access list REST6\n" + rest6 + "IPv6 access list SRC6\n" + src6 +
			"IPv6 access list V6ONLY\n    permit udp any eq 4500 any" + three + " sequence 10\n"
	}
	want = lists("    deny udp any eq 4001 any (1 match) sequence 10\n    permit udp any range 4000 4999 any sequence 20\n",
		"    deny udp host 2001:db8:1::9 range 4000 5000 any (8 matches) sequence 10\n    permit udp 2001:db8:1::/48 any (11 matches) sequence 20\n",
		"    permit udp any neq 4500 any (15 matches) sequence 10\n", " (3 matches)")
	if got := d.cliUntil(t, "ios", "show access-lists\n", want); got != want {
		t.Errorf("after clear ipv6 access-list PORT6 and one more:\n%s\nwant:\n%s", got, want)
	}
	if got := aclJSONText(t, d.cli(t, "ios", "show access-lists | json\n")); got != want {
		t.Errorf("show access-lists | json after clear ipv6 access-list PORT6:\n%s\nwant:\n%s", got, want)
	}
	three := fmt.Sprintf("      2 packets, %d bytes\n      1 packets, %d bytes\n", 2*b6, b6) + strings.Repeat("      0 packets, 0 bytes\n", 2)
	if got := d.cli(t, "ios", "show policy-map interface "+v.Mon+" | include packets\n"); got != three {
		t.Errorf("classes after clear ipv6 access-list:\n%s\nwant:\n%s", got, three)
	}
	// Without a name, every IPv6 list; an IPv4 list is not one.
	if out := d.cli(t, "ios", "clear ipv6 access-list\n"); out != "" {
		t.Errorf("clear ipv6 access-list: %q", out)
	}
	if out := d.cli(t, "ios", "clear ipv6 access-list 120\n"); out != "% IPv6 access list 120 is not configured\n" {
		t.Errorf("clear ipv6 access-list 120: %q", out)
	}
	if got := d.cli(t, "ios", "show access-lists\n"); strings.Count(got, "match") != 1 || !strings.Contains(got, "eq 4000 any (3 matches)\n") {
		t.Errorf("after clear ipv6 access-list, only 120 counts:\n%s", got)
	}
	if out := d.cli(t, "ios", "clear access-list counters 120\n"); out != "" {
		t.Errorf("clear access-list counters 120: %q", out)
	}
	if out := d.cli(t, "ios", "clear access-list counters NOPE\n"); out != "% Access list NOPE is not configured\n" {
		t.Errorf("clear access-list counters NOPE: %q", out)
	}
	if got := d.cli(t, "ios", "show access-lists\n"); strings.Contains(got, "match") || !strings.Contains(got, "IPv6 access list SRC6\n") {
		t.Errorf("after clearing each list:\n%s", got)
	}
	d.cli(t, "ios", "clear access-list counters\n")
	if got := d.cli(t, "ios", "show policy-map interface "+v.Mon+" | include packets\n"); got != three {
		t.Errorf("classes after clear access-list counters:\n%s\nwant:\n%s", got, three)
	}
	v.Send(t, [][]byte{l4Frame6("2001:db8:1::1", 17, 4001)})
	want = lists("    deny udp any eq 4001 any (1 match) sequence 10\n    permit udp any range 4000 4999 any sequence 20\n",
		"    deny udp host 2001:db8:1::9 range 4000 5000 any sequence 10\n    permit udp 2001:db8:1::/48 any (1 match) sequence 20\n",
		"    permit udp any neq 4500 any (1 match) sequence 10\n", "")
	if got := d.cliUntil(t, "ios", "show access-lists\n", want); got != want {
		t.Errorf("one more after clear access-list counters:\n%s\nwant:\n%s", got, want)
	}
}

// hopByHop puts an empty Hop-by-Hop Options header (PadN) between an
// IPv6 frame's header and its transport header.
func hopByHop(f []byte) []byte {
	out := slices.Concat(f[:14+40], []byte{f[14+6], 0, 1, 4, 0, 0, 0, 0}, f[14+40:])
	ip := out[14:]
	binary.BigEndian.PutUint16(ip[4:], binary.BigEndian.Uint16(ip[4:])+8)
	ip[6] = 0 // Hop-by-Hop Options
	return out
}

// aclJSONText reads `show access-lists | json` (or show ipv6 access-list's)
// and words it as IOS's screen does, so a test can hold the JSON's lists,
// entries and counts to the screen's.
func aclJSONText(t *testing.T, out string) string {
	t.Helper()
	var v struct {
		T struct {
			R []struct {
				Kind, Name string
				T          struct {
					R []struct {
						Seq     int
						Entry   string
						Matches uint64
					} `json:"ROW_entry"`
				} `json:"TABLE_entry"`
			} `json:"ROW_acl"`
		} `json:"TABLE_acl"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Errorf("not JSON (%v):\n%s", err, out)
		return ""
	}
	var b strings.Builder
	for _, l := range v.T.R {
		if l.Kind == "IPv6" {
			fmt.Fprintf(&b, "IPv6 access list %s\n", l.Name)
		} else {
			fmt.Fprintf(&b, "%s IP access list %s\n", l.Kind, l.Name)
		}
		for _, e := range l.T.R {
			m := ""
			switch {
			case e.Matches == 1:
				m = " (1 match)"
			case e.Matches > 1:
				m = fmt.Sprintf(" (%d matches)", e.Matches)
			}
			if l.Kind == "IPv6" {
				fmt.Fprintf(&b, "    %s%s sequence %d\n", e.Entry, m, e.Seq)
			} else {
				fmt.Fprintf(&b, "    %d %s%s\n", e.Seq, e.Entry, m)
			}
		}
	}
	return b.String()
}
