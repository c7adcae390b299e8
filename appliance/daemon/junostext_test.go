package daemon

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// TestJunOSGroupsReachTheEngines: the pasted Junos configuration of
// appliance/config/junos/testdata (groups with an <eth*> wildcard,
// apply-groups-except, an inactive interface and an inactive
// flow-server, inline IPFIX) gives the datapath and the exporters exactly its active
// statements with what the groups give: eth1 and eth2 sampled at 1 in
// 1000 (the local rate over group lab's 10), lo and the inactive eth3
// not, the local collector and group collectors' one, not the inactive
// one. The same after a save and a load, as at the next boot.
func TestJunOSGroupsReachTheEngines(t *testing.T) {
	src, err := os.ReadFile("../config/junos/testdata/pasted.conf")
	if err != nil {
		t.Fatal(err)
	}
	c, err := junos.Parse("pasted.conf", src)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := cfgfile.Parse("startup-config", []byte(cfgfile.SaveText(c)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    Settings
	}{{"committed", settingsOf(t, c)}, {"saved and loaded", settingsOf(t, saved)}} {
		var ports []string
		for _, p := range tc.s.Ports {
			sc := tc.s.Samplers[p.Sampler]
			ports = append(ports, fmt.Sprintf("%s:%v:%d", p.Name, p.Meter || p.Sampler != 0, sc.Interval))
		}
		if got := strings.Join(ports, " "); got != "eth1:true:1000 eth2:true:1000" {
			t.Errorf("%s: ports %s; want eth1 and eth2 sampled 1 in 1000, lo (excepted) and eth3 (inactive) not metered", tc.name, got)
		}
		var dests []string
		for _, d := range tc.s.Exports {
			dests = append(dests, fmt.Sprintf("%s %s", d.Collector, d.Encoder.Version))
		}
		if got := strings.Join(dests, " "); got != "192.0.2.10:4739 ipfix 192.0.2.20:4739 ipfix" {
			t.Errorf("%s: exports %s; want the local IPFIX collector and group ipfix-collectors', not the inactive 192.0.2.30", tc.name, got)
		}
	}
}

func settingsOf(t *testing.T, c config.Config) Settings {
	t.Helper()
	s, err := SettingsFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
