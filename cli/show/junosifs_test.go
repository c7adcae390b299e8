package show

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestJunosInterfaces fixes show interfaces terse, NAME and NAME
// extensive on the links IOS's show interfaces golden prints, so the
// counters on the two screens are the same numbers.
func TestJunosInterfaces(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	ifs := sampleInterfaces()
	for n := range ifs {
		ifs[n].Index = uint32(n + 2)
	}
	ifs = append([]Interface{{Name: "lo", Index: 1, AdminUp: true, Carrier: true, ProtocolUp: true, Hardware: "Loopback", MTU: 65536,
		Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8"), netip.MustParsePrefix("::1/128")}}}, ifs...)
	ifs[1].LastFlapped = now.Add(-(9*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second))
	ifs[2].LastFlapped = now.Add(-(26*time.Hour + 7*time.Minute))
	ifs[3].LastFlapped = now.Add(-(2*time.Hour + 3*time.Minute + 4*time.Second))
	ifs[2].InBps, ifs[2].InPps, ifs[2].CarrierTransitions = 812000, 1000, 17
	var b bytes.Buffer
	JunosInterfacesTerse(&b, ifs)
	golden(t, "junos-show-interfaces-terse", b.Bytes())
	b.Reset()
	for _, i := range ifs {
		JunosInterface(&b, i, JunosIfNormal, now)
	}
	golden(t, "junos-show-interfaces", b.Bytes())
	b.Reset()
	for _, i := range ifs {
		JunosInterface(&b, i, JunosIfExtensive, now)
	}
	golden(t, "junos-show-interfaces-extensive", b.Bytes())
	b.Reset()
	JunosInterfacesDescriptions(&b, ifs[:2]) // none has one: no header either
	if b.Len() != 0 {
		t.Errorf("show interfaces descriptions without any: %q", b.String())
	}
	ifs[4].Description = "spare"
	JunosInterfacesDescriptions(&b, ifs)
	if want := "Interface       Admin Link Description\neth1            up    up   span from core1\neth3            down  down spare\n"; b.String() != want {
		t.Errorf("show interfaces descriptions:\n%s\nwant\n%s", b.String(), want)
	}
}

// TestInterfacesJSONFlapped: IOS's show interfaces | json carries the
// flap time when the daemon saw one and leaves it out when it has not,
// rather than Go's zero time.
func TestInterfacesJSONFlapped(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	if err := WriteJSON(&b, InterfacesJSON([]Interface{{Name: "eth0", Index: 2, CarrierTransitions: 3, LastFlapped: at}, {Name: "eth1", Index: 3}})); err != nil {
		t.Fatal(err)
	}
	js := b.String()
	if strings.Count(js, "last_flapped") != 1 || !strings.Contains(js, `"last_flapped": "2026-12-06T12:00:00Z"`) || !strings.Contains(js, `"carrier_transitions": 3`) {
		t.Errorf("show interfaces | json:\n%s", js)
	}
}

// TestJunosTerseFamilies: a link's addresses go out family by family,
// inet first, each family named once on its first address, however the
// kernel listed them.
func TestJunosTerseFamilies(t *testing.T) {
	var b bytes.Buffer
	JunosInterfacesTerse(&b, []Interface{{Name: "eth0", AdminUp: true, Carrier: true, Addrs: []netip.Prefix{
		netip.MustParsePrefix("2001:db8::1/64"), netip.MustParsePrefix("10.0.0.1/24"),
		netip.MustParsePrefix("fe80::1/64"), netip.MustParsePrefix("10.0.1.1/24")}}})
	want := "Interface               Admin Link Proto    Local                 Remote\n" +
		"eth0                    up    up   inet     10.0.0.1/24\n" +
		"                                            10.0.1.1/24\n" +
		"                                   inet6    2001:db8::1/64\n" +
		"                                            fe80::1/64\n"
	if b.String() != want {
		t.Errorf("terse:\n%s\nwant:\n%s", b.String(), want)
	}
}
