package appclass

import (
	"strings"
	"testing"
)

func TestInternet2FirstMatch(t *testing.T) {
	s := Internet2()
	for _, c := range []struct {
		proto      uint8
		sport, dpt uint16
		want       string
	}{
		{17, 53, 443, "udp"},     // protocol rules come first
		{6, 22, 80, "http"},      // http is before ssh
		{6, 50000, 8080, "http"}, // either port
		{6, 443, 50000, "https"},
		{6, 21, 50000, NotClassifiedName}, // ftp is port 20 only, as in the report
		{6, 20, 50000, "ftp"},
		{6, 20030, 1, "port_20000-20030"},
		{6, 20031, 1, NotClassifiedName},
		{1, 0, 8 << 8, "icmp"},
		{58, 0, 128 << 8, NotClassifiedName}, // ICMPv6 is not in the set
		{132, 80, 80, NotClassifiedName},     // SCTP to port 80 is not http
	} {
		if got := s.Name(s.Classify(c.proto, c.sport, c.dpt)); got != c.want {
			t.Errorf("proto %d %d>%d: %s, want %s", c.proto, c.sport, c.dpt, got, c.want)
		}
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	if got := ApplicationID(s.Classify(6, 1, 22)); got != 0x06000007 {
		t.Errorf("ssh applicationId %#x, want 0x06000007", got)
	}
	if got := ApplicationID(NotClassified); got != 0x06000000 {
		t.Errorf("unclassified applicationId %#x", got)
	}
}

func TestValidate(t *testing.T) {
	for _, s := range []Set{
		{Rules: []Rule{{Name: "a", Proto: 6}, {Name: "a", Proto: 17}}},
		{Rules: []Rule{{Name: "", Proto: 6}}},
		{Rules: []Rule{{Name: "x", Proto: 6, Ports: []PortRange{{10, 9}}}}},
	} {
		if s.Validate() == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}

func TestTallyWrite(t *testing.T) {
	s := Set{Rules: []Rule{{Name: "udp", Proto: 17}, {Name: "ssh", Proto: 6, Ports: []PortRange{{22, 22}}}}}
	tl := NewTally(&s)
	tl.Add(17, 1, 53, 300, 3)
	tl.Add(6, 22, 4000, 600, 4)
	tl.Add(6, 5, 4000, 100, 1)
	other := NewTally(&s)
	other.Add(17, 2, 53, 0, 0)
	tl.Merge(other)
	var b strings.Builder
	if err := tl.Write(&b, "T"); err != nil {
		t.Fatal(err)
	}
	want := "T\n" +
		"Class                         Octets      Packets     Flows   Share\n" +
		"udp                              300            3         2   30.0%\n" +
		"ssh                              600            4         1   60.0%\n" +
		"not classified                   100            1         1   10.0%\n" +
		"total                           1000            8         4  100.0%\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
