package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
)

// TestBGPNextHopNeedsTheColumn: flowtap has no BGP peering, so
// bgp-nexthop is refused without a prefix-as-file, and with one whose
// routes give no next hop; a fourth column turns the field on.
func TestBGPNextHopNeedsTheColumn(t *testing.T) {
	if _, err := iosconf.Parse("t", []byte("ip flow-export version 9 bgp-nexthop\n")); err == nil ||
		!strings.Contains(err.Error(), "flowtap has no BGP peering: bgp-nexthop needs the next hops in a fourth column of flowtap prefix-as-file") {
		t.Errorf("without a prefix-as-file: %v", err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		routes  string
		wantErr string
	}{
		{"10.0.0.0/8 64500 64510\n", "gives no next hop (a fourth column: PREFIX ORIGIN-AS PEER-AS NEXT-HOP)"},
		{"10.0.0.0/8 64500 64510 192.0.2.1\n", ""},
	} {
		path := filepath.Join(dir, "routes.txt")
		if err := os.WriteFile(path, []byte(tc.routes), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := iosconf.Parse("t", []byte("ip flow-export version 9 origin-as bgp-nexthop\nip flow-export destination 192.0.2.10 2055\nflowtap prefix-as-file "+path+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := SettingsFrom(c)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: %v, want %q", tc.routes, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || len(s.Exports) != 1 || !s.Exports[0].Encoder.BGPNextHop):
			t.Errorf("%q: %v %+v", tc.routes, err, s.Exports)
		}
	}
}
