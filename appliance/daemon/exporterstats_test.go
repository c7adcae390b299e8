package daemon

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
)

// TestExporterStatsSettings: an FNF exporter's `option exporter-stats`
// gives its collector the exporter-statistics table, and `ip flow-export
// template options export-stats` every main-cache collector; without
// either, none.
func TestExporterStatsSettings(t *testing.T) {
	const fnf = "flow exporter A\n destination 127.0.0.1\n transport udp 2055\n option exporter-stats\n" +
		"flow exporter B\n destination 127.0.0.2\n transport udp 2055\n" +
		"flow monitor M\n record netflow ipv4 original-input\n exporter A\n exporter B\ninterface eth1\n ip flow monitor M input\n"
	const trad = "ip flow-export version 9\nip flow-export destination 127.0.0.1 2055\nip flow-export destination 127.0.0.2 2055\ninterface eth1\n ip flow ingress\n"
	for _, tc := range []struct {
		src  string
		want []bool
	}{
		{fnf, []bool{true, false}},
		{trad, []bool{false, false}},
		{trad + "ip flow-export template options export-stats\n", []bool{true, true}},
	} {
		c, err := cfgfile.Parse("t.cfg", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		s, err := SettingsFrom(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Exports) != len(tc.want) {
			t.Fatalf("%q: exports %+v", tc.src, s.Exports)
		}
		for i, w := range tc.want {
			if got := s.Exports[i].Encoder.ExporterStats; got != w {
				t.Errorf("%q: collector %s ExporterStats %v, want %v", tc.src, s.Exports[i].Collector, got, w)
			}
		}
	}
}
