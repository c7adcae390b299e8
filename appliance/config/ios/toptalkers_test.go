package ios

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestTopTalkersEveryMatch: every `ip flow-top-talkers` match criterion
// IOS has that flowtap's records carry parses into the model, shows in
// running-config as typed, reads back the same, and `no match X` clears
// it alone; the ones flowtap cannot apply are refused with the reason.
func TestTopTalkersEveryMatch(t *testing.T) {
	lines := []string{
		"ip flow-top-talkers",
		" top 10",
		" sort-by packets",
		" match protocol udp",
		" match source address 10.1.0.0 mask 255.255.0.0",
		" match source as 64500",
		" match source port min 1024",
		" match destination address 192.0.2.0 mask 255.255.255.0",
		" match destination as 4200000000",
		" match destination port 53",
		" match byte-range 100 5000",
		" match packet-range max 20",
		" match tos dscp 46",
		" match input-interface eth1.190",
		" match output-interface eth2",
		" match nexthop-address 198.51.100.0 mask 255.255.255.128",
	}
	c, err := Parse("t", []byte(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := c.TopTalkers.Match
	want := config.TopTalkersMatch{ProtocolSet: true, Protocol: 17,
		Src: netip.MustParsePrefix("10.1.0.0/16"), Dst: netip.MustParsePrefix("192.0.2.0/24"),
		SrcPort: config.TopPorts{Set: true, Min: 1024, Max: 65535}, DstPort: config.TopPorts{Set: true, Min: 53, Max: 53},
		Bytes: config.TopCounts{Min: 100, Max: 5000}, Packets: config.TopCounts{Max: 20},
		ToS:     config.TopToS{Kind: config.TopToSDSCP, Value: 46},
		InputIf: "eth1.190", OutputIf: "eth2", NextHop: netip.MustParsePrefix("198.51.100.0/25"),
		SrcAS: 64500, DstAS: 4200000000}
	if m != want {
		t.Fatalf("match\n%+v, want\n%+v", m, want)
	}
	out := RunningConfig(c)
	for _, l := range lines {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("running-config lacks %q:\n%s", l, out)
		}
	}
	back, err := Parse("back", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if d := config.Diff(c, back); len(d) != 0 {
		t.Errorf("round trip: %v", d)
	}
	for _, tc := range []struct {
		line string
		kind config.TopToSKind
		v    uint8
	}{{" match tos 184", config.TopToSByte, 184}, {" match tos precedence 5", config.TopToSPrecedence, 5}} {
		c2, err := Apply(c, "t", []byte("ip flow-top-talkers\n"+tc.line+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := c2.TopTalkers.Match.ToS; got != (config.TopToS{Kind: tc.kind, Value: tc.v}) {
			t.Errorf("%s: %+v", tc.line, got)
		}
		if !strings.Contains(RunningConfig(c2), tc.line+"\n") {
			t.Errorf("%s not shown back", tc.line)
		}
	}
	c, err = Apply(c, "t", []byte("ip flow-top-talkers\n no match tos\n no match source as\n no match input-interface\n no match nexthop-address\n"))
	if err != nil {
		t.Fatal(err)
	}
	want.ToS, want.SrcAS, want.InputIf, want.NextHop = config.TopToS{}, 0, "", netip.Prefix{}
	if c.TopTalkers.Match != want {
		t.Errorf("after no forms\n%+v, want\n%+v", c.TopTalkers.Match, want)
	}
	for _, bad := range []string{" match tos dscp 64", " match tos precedence 8", " match source as 0",
		" match nexthop-address 198.51.100.0 mask 255.0.255.0", " match class-map WEB", " match input-interface a/b"} {
		if _, err := Apply(c, "t", []byte("ip flow-top-talkers\n"+bad+"\n")); err == nil {
			t.Errorf("%q taken", bad)
		}
	}
}
