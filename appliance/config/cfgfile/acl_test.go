package cfgfile

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// aclConfig holds every kind of list the table below applies: numbered
// standard and extended, named standard and extended with sequence
// numbers typed out of order.
const aclConfig = `access-list 11 deny any
access-list 12 deny host 192.0.2.7
access-list 12 permit 192.0.2.0 0.0.0.255
access-list 13 permit 192.0.2.7
access-list 1300 permit 10.1.2.3 0.0.255.255
access-list 14 permit 10.0.0.0 0.255.255.255
access-list 14 deny 10.1.0.0 0.0.255.255
access-list 101 permit udp 192.0.2.0 0.0.0.255 any eq snmp
access-list 101 deny ip any any
access-list 2000 permit tcp any host 198.51.100.1 range 22 23
access-list 2000 permit udp host 192.0.2.9 gt 1023 any lt 200
access-list 2000 permit udp host 192.0.2.10 neq 53 any
ip access-list standard MGMT
 20 deny 203.0.113.0 0.0.0.255
 10 permit host 203.0.113.5
 30 permit any
ip access-list extended SNMP-IN
 10 deny udp host 192.0.2.66 any
 20 permit 17 192.0.2.0 0.0.0.255 host 198.51.100.1 eq 161
`

func TestAccessListsDecide(t *testing.T) {
	c, err := ios.Parse("acl", []byte(aclConfig))
	if err != nil {
		t.Fatal(err)
	}
	udp := func(src string, sport uint16, dst string, dport uint16) config.Packet {
		return config.Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Protocol: 17, SrcPort: sport, DstPort: dport}
	}
	tcp := func(src, dst string, dport uint16) config.Packet {
		return config.Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Protocol: 6, SrcPort: 40000, DstPort: dport}
	}
	snmp := func(src string) config.Packet { return udp(src, 40000, "198.51.100.1", 161) }
	cases := []struct {
		list   string
		what   string
		p      config.Packet
		permit bool
		entry  int // index of the deciding entry; -1 the implicit deny
	}{
		{"11", "deny any", snmp("192.0.2.1"), false, 0},
		{"11", "deny any, IPv4-mapped source", snmp("::ffff:192.0.2.1"), false, 0},
		{"12", "deny host", snmp("192.0.2.7"), false, 0},
		{"12", "wildcard permit after the host deny", snmp("192.0.2.8"), true, 1},
		{"12", "implicit deny", snmp("192.0.3.8"), false, -1},
		{"12", "IPv6 matches no IPv4 entry", snmp("2001:db8::1"), false, -1},
		{"13", "bare address is a host", snmp("192.0.2.7"), true, 0},
		{"13", "bare address is only that host", snmp("192.0.2.6"), false, -1},
		{"1300", "expanded range, address masked by its wildcard", snmp("10.1.200.9"), true, 0},
		{"1300", "expanded range, outside", snmp("10.2.0.1"), false, -1},
		{"14", "order: the broader permit comes first", snmp("10.1.0.1"), true, 0},
		{"101", "extended: udp to snmp", snmp("192.0.2.4"), true, 0},
		{"101", "extended: udp to another port", udp("192.0.2.4", 40000, "198.51.100.1", 162), false, 1},
		{"101", "extended: tcp to 161", tcp("192.0.2.4", "198.51.100.1", 161), false, 1},
		{"2000", "range, low end", tcp("203.0.113.1", "198.51.100.1", 22), true, 0},
		{"2000", "range, high end", tcp("203.0.113.1", "198.51.100.1", 23), true, 0},
		{"2000", "range, above", tcp("203.0.113.1", "198.51.100.1", 24), false, -1},
		{"2000", "range, wrong destination host", tcp("203.0.113.1", "198.51.100.2", 22), false, -1},
		{"2000", "gt and lt", udp("192.0.2.9", 1024, "198.51.100.1", 161), true, 1},
		{"2000", "gt is strict", udp("192.0.2.9", 1023, "198.51.100.1", 161), false, -1},
		{"2000", "lt is strict", udp("192.0.2.9", 1024, "198.51.100.1", 200), false, -1},
		{"2000", "neq", udp("192.0.2.10", 1024, "198.51.100.1", 161), true, 2},
		{"2000", "neq, equal", udp("192.0.2.10", 53, "198.51.100.1", 161), false, -1},
		{"MGMT", "named: sequence 10 before 20", snmp("203.0.113.5"), true, 0},
		{"MGMT", "named: deny at 20", snmp("203.0.113.6"), false, 1},
		{"MGMT", "named: permit any at 30", snmp("192.0.2.1"), true, 2},
		{"SNMP-IN", "named extended: host deny", snmp("192.0.2.66"), false, 0},
		{"SNMP-IN", "named extended: protocol by number", snmp("192.0.2.65"), true, 1},
		{"SNMP-IN", "named extended: other destination", udp("192.0.2.65", 40000, "198.51.100.9", 161), false, -1},
	}
	for _, tc := range cases {
		l, ok := c.FindAccessList(tc.list)
		if !ok {
			t.Fatalf("list %s not configured", tc.list)
		}
		permit, i := l.Decide(tc.p)
		if permit != tc.permit || i != tc.entry {
			t.Errorf("list %s, %s: permit %v by entry %d, want %v by entry %d", tc.list, tc.what, permit, i, tc.permit, tc.entry)
		}
	}
	// What a community or access-class referencing no list does, and a
	// reference to a list that is not there: IOS lets everyone in.
	if !c.ManagementPermits("", snmp("192.0.2.1")) || !c.ManagementPermits("99", snmp("192.0.2.1")) {
		t.Error("no list, or a missing list, must permit")
	}
	if c.ManagementPermits("11", snmp("192.0.2.1")) {
		t.Error("ManagementPermits let a packet through access-list 11 deny any")
	}
}

// TestAccessListText: the running-config shows numbered lists as
// `access-list` lines and named ones as blocks in sequence order, with
// IOS's port names, and reads back to the same model.
func TestAccessListText(t *testing.T) {
	c, err := ios.Parse("acl", []byte(aclConfig))
	if err != nil {
		t.Fatal(err)
	}
	got := ios.RunningConfig(c)
	for _, want := range []string{
		"access-list 11 deny any\n",
		"access-list 12 deny 192.0.2.7\naccess-list 12 permit 192.0.2.0 0.0.0.255\n",
		"access-list 1300 permit 10.1.0.0 0.0.255.255\n",
		"access-list 101 permit udp 192.0.2.0 0.0.0.255 any eq snmp\naccess-list 101 deny ip any any\n",
		"access-list 2000 permit tcp any host 198.51.100.1 range 22 telnet\n",
		"ip access-list standard MGMT\n 10 permit 203.0.113.5\n 20 deny 203.0.113.0 0.0.0.255\n 30 permit any\n",
		"ip access-list extended SNMP-IN\n 10 deny udp host 192.0.2.66 any\n 20 permit udp 192.0.2.0 0.0.0.255 host 198.51.100.1 eq snmp\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("running-config lacks\n%s\nin:\n%s", want, got)
		}
	}
	reparse(t, "access lists", ios.Parse, got, c)

	// Editing a named list: insert by sequence number, remove by number
	// and by rule, refuse a number in use.
	s := ios.NewSession(c, "console")
	for _, line := range []string{"ip access-list standard MGMT", "15 deny host 203.0.113.9", "no 30", "no deny 203.0.113.0 0.0.0.255", "end"} {
		if err := s.Exec(line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	if got := ios.RunningConfig(s.Config()); !strings.Contains(got, "ip access-list standard MGMT\n 10 permit 203.0.113.5\n 15 deny 203.0.113.9\nip access-list extended") {
		t.Errorf("after editing MGMT:\n%s", got)
	}
	s = ios.NewSession(c, "console")
	s.Exec("ip access-list standard MGMT")
	if err := s.Exec("10 deny any"); err == nil || !strings.Contains(err.Error(), "Duplicate sequence number") {
		t.Errorf("a sequence number in use: %v", err)
	}
	for _, bad := range []string{"access-list 100 permit any", "access-list 11 permit tcp any any", "access-list 2700 permit any",
		"access-list 101 permit icmp any eq 5 any", "ip access-list standard 101"} {
		if _, err := ios.Parse("bad", []byte(bad+"\n")); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestShowAccessLists(t *testing.T) {
	c, err := ios.Parse("acl", []byte("access-list 12 deny host 192.0.2.7\naccess-list 12 permit 192.0.2.0 0.0.0.255\n"+
		"access-list 101 permit udp 192.0.2.0 0.0.0.255 any eq snmp\naccess-list 101 deny ip any any\n"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{"12/10": 1, "12/20": 5, "101/10": 12}
	got := ios.ShowAccessLists(c, "", func(ref string, e config.ACE) uint64 { return counts[fmt.Sprintf("%s/%d", ref, e.Seq)] })
	want := `Standard IP access list 12
    10 deny   192.0.2.7 (1 match)
    20 permit 192.0.2.0, wildcard bits 0.0.0.255 (5 matches)
Extended IP access list 101
    10 permit udp 192.0.2.0 0.0.0.255 any eq snmp (12 matches)
    20 deny ip any any
`
	if got != want {
		t.Errorf("show access-lists:\n%s\nwant:\n%s", got, want)
	}
	if got := ios.ShowAccessLists(c, "101", func(string, config.ACE) uint64 { return 0 }); !strings.HasPrefix(got, "Extended IP access list 101\n") || strings.Contains(got, "list 12") {
		t.Errorf("show access-lists 101:\n%s", got)
	}
}

// TestAccessListRemarks: remarks keep their place in the list and the
// running-config, match nothing, and `show access-lists` leaves them out.
func TestAccessListRemarks(t *testing.T) {
	src := "access-list 15 remark the NMS, nothing else\naccess-list 15 permit host 192.0.2.5\n" +
		"ip access-list extended VTY\n 5 remark jump hosts\n 10 permit tcp 192.0.2.0 0.0.0.255 any eq 22\n"
	c, err := ios.Parse("remarks", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	run := ios.RunningConfig(c)
	for _, want := range []string{"access-list 15 remark the NMS, nothing else\naccess-list 15 permit 192.0.2.5\n",
		"ip access-list extended VTY\n 5 remark jump hosts\n 10 permit tcp 192.0.2.0 0.0.0.255 any eq 22\n"} {
		if !strings.Contains(run, want) {
			t.Errorf("running-config lacks %q:\n%s", want, run)
		}
	}
	reparse(t, "remarks", ios.Parse, run, c)
	l, _ := c.FindAccessList("15")
	if ok, i := l.Decide(config.Packet{Src: netip.MustParseAddr("192.0.2.5")}); !ok || i != 1 {
		t.Errorf("list 15 for its host: %v by entry %d, want a permit by entry 1", ok, i)
	}
	if ok, i := l.Decide(config.Packet{Src: netip.MustParseAddr("192.0.2.6")}); ok || i != -1 {
		t.Errorf("list 15 for another host: %v by entry %d, want the implicit deny", ok, i)
	}
	if got := ios.ShowAccessLists(c, "", func(string, config.ACE) uint64 { return 0 }); strings.Contains(got, "remark") {
		t.Errorf("show access-lists shows a remark:\n%s", got)
	}
}
