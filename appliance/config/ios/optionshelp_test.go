package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// Under `ip flow-export template options` the rates are the options',
// not the data templates' as the help said.
func TestTemplateOptionsHelp(t *testing.T) {
	s := NewSession(config.Config{}, "console")
	got := strings.Join(s.Help("ip flow-export template options "), "\n")
	for _, want := range []string{"refresh-rate  Option's refresh rate (in packets)", "timeout-rate  Option's timeout rate (in minutes)"} {
		if !strings.Contains(got, want) {
			t.Errorf("ip flow-export template options ?:\n%s\nwant a line %q", got, want)
		}
	}
	if got := strings.Join(s.Help("ip flow-export template "), "\n"); !strings.Contains(got, "refresh-rate  Template refresh rate (in packets)") {
		t.Errorf("ip flow-export template ?:\n%s", got)
	}
}

// `ip flow-export template options export-stats` is kept, shown back and
// taken away by its `no`; its help names it.
func TestTemplateOptionsExportStats(t *testing.T) {
	c, err := Parse("t", []byte("ip flow-export template options export-stats\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Export.ExporterStats {
		t.Fatal("export-stats not kept")
	}
	out := Render(c)
	if !strings.Contains(out, "ip flow-export template options export-stats\n") {
		t.Errorf("running-config lacks it:\n%s", out)
	}
	s := NewSession(c, "console")
	if got := strings.Join(s.Help("ip flow-export template options "), "\n"); !strings.Contains(got, "export-stats  Export statistics") {
		t.Errorf("ip flow-export template options ?:\n%s", got)
	}
	s.Exec("configure terminal")
	s.Exec("no ip flow-export template options export-stats")
	if s.Config().Export.ExporterStats {
		t.Error("no ip flow-export template options export-stats left it on")
	}
}
