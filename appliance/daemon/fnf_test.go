package daemon

import (
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/appliance/export"
)

// TestFNFSettings: an FNF-only configuration runs as the main cache it
// folds into: the monitor's timeout ages the cache, its exporter is the
// collector (v9 by default), and a port with only `ip flow monitor M
// input` meters IPv4 alone (IPv6 too once `ipv6 flow monitor` joins).
func TestFNFSettings(t *testing.T) {
	const fnf = "flow exporter E\n destination 127.0.0.1\n ttl 9\n transport udp 2055\n" +
		"flow monitor M4\n exporter E\n cache timeout active 60\n record netflow ipv4 original-input\n" +
		"flow monitor M6\n exporter E\n cache timeout active 60\n record netflow ipv6 original-input\n"
	for _, tc := range []struct {
		ports  string
		v4, v6 bool
	}{
		{"interface eth1\n ip flow monitor M4 input\n", true, false},
		{"interface eth1\n ipv6 flow monitor M6 input\n", false, true},
		{"interface eth1\n ip flow monitor M4 input\n ipv6 flow monitor M6 input\n", true, true},
	} {
		c, err := cfgfile.Parse("t.cfg", []byte(fnf+tc.ports))
		if err != nil {
			t.Fatal(err)
		}
		s, err := SettingsFrom(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Exports) != 1 || s.Exports[0].Collector.String() != "127.0.0.1:2055" || s.Exports[0].Encoder.Version != export.V9 || s.Exports[0].TTL != 9 {
			t.Errorf("%q: exports %+v, want v9 to 127.0.0.1:2055, TTL 9", tc.ports, s.Exports)
		}
		if s.Aging.Active != time.Minute {
			t.Errorf("%q: active timeout %v, want the monitor's 60 s", tc.ports, s.Aging.Active)
		}
		if len(s.Ports) != 1 || !s.Ports[0].Meter {
			t.Fatalf("%q: ports %+v, want eth1 metered", tc.ports, s.Ports)
		}
		p := s.Ports[0]
		// An empty filter of one family leaves that family unmetered.
		v4 := p.InputFilter == nil
		v6 := p.InputFilter6 == nil
		if v4 != tc.v4 || v6 != tc.v6 {
			t.Errorf("%q: meters IPv4 %v, IPv6 %v; want %v, %v (filters %+v %+v)", tc.ports, v4, v6, tc.v4, tc.v6, p.InputFilter, p.InputFilter6)
		}
	}
}

// TestFNFSamplerSettings: `ip flow monitor M sampler S input` samples the
// port through S, as flow-sampler S would.
func TestFNFSamplerSettings(t *testing.T) {
	c, err := cfgfile.Parse("t.cfg", []byte("sampler S\n mode deterministic 1 out-of 50\nflow monitor M\n record netflow ipv4 original-input\n"+
		"interface eth1\n ip flow monitor M sampler S input\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := SettingsFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Ports) != 1 || s.Ports[0].Sampler == 0 || s.Samplers[s.Ports[0].Sampler].Interval != 50 || s.SamplerNames[s.Ports[0].Sampler] != "S" {
		t.Errorf("ports %+v samplers %+v, want eth1 sampled 1 in 50 through S", s.Ports, s.Samplers)
	}
}
