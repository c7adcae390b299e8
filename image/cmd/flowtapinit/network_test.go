package main

import (
	"net/netip"
	"testing"
)

func TestParseMgmt(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    mgmtPlan
		wantErr bool
	}{
		{"dhcp", mgmtPlan{DHCP: true}, false},
		{"dhcp:10.0.2.15/24,10.0.2.2", mgmtPlan{DHCP: true, Static: netip.MustParsePrefix("10.0.2.15/24"), GW: netip.MustParseAddr("10.0.2.2")}, false},
		{"dhcp:192.0.2.7/28", mgmtPlan{DHCP: true, Static: netip.MustParsePrefix("192.0.2.7/28")}, false},
		{"dhcp:2001:db8::5/64", mgmtPlan{}, true},
		{"dhcp:", mgmtPlan{}, true},
		{"none", mgmtPlan{}, false},
		{"static:10.0.2.15/24,10.0.2.2", mgmtPlan{Static: netip.MustParsePrefix("10.0.2.15/24"), GW: netip.MustParseAddr("10.0.2.2")}, false},
		{"static:192.0.2.7/28", mgmtPlan{Static: netip.MustParsePrefix("192.0.2.7/28")}, false},
		{"static:2001:db8::5/64,2001:db8::1", mgmtPlan{Static: netip.MustParsePrefix("2001:db8::5/64"), GW: netip.MustParseAddr("2001:db8::1")}, false},
		{"static:10.0.2.15", mgmtPlan{}, true},
		{"static:10.0.2.15/24,gateway", mgmtPlan{}, true},
		{"bootp", mgmtPlan{}, true},
	} {
		got, err := parseMgmt(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseMgmt(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}
