package cfgfile

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config/ios"
)

// IOS's `ip flow-export template options refresh-rate N` (packets between
// two resends of the options templates and records) was refused with the
// caret, so a router's configuration lost the line; it is kept, saved and
// read back, 1-600 as the template's, and `no` returns it to following
// the template's refresh-rate.
func TestTemplateOptionsRefreshRate(t *testing.T) {
	text := "ip flow-export version 9\nip flow-export destination 192.0.2.9 2055\n" +
		"ip flow-export template refresh-rate 40\nip flow-export template options refresh-rate 5\n" +
		"ip flow-export template options timeout-rate 3\n"
	c, err := Parse("startup-config", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if c.Export.OptionsRefresh != 5 || c.Export.TemplateRefresh != 40 {
		t.Fatalf("options refresh %d, template refresh %d: want 5, 40", c.Export.OptionsRefresh, c.Export.TemplateRefresh)
	}
	saved := ios.Render(c)
	if !strings.Contains(saved, "ip flow-export template options refresh-rate 5\n") ||
		!strings.Contains(saved, "ip flow-export template options timeout-rate 3\n") {
		t.Errorf("saved configuration lacks the options lines:\n%s", saved)
	}
	back, err := Parse("saved", []byte(saved))
	if err != nil || back.Export.OptionsRefresh != 5 {
		t.Errorf("read back: %v, options refresh %d", err, back.Export.OptionsRefresh)
	}

	s := ios.NewSession(c, "console")
	if err := s.Exec("no ip flow-export template options refresh-rate"); err != nil {
		t.Fatal(err)
	}
	if got := s.Config().Export.OptionsRefresh; got != 0 {
		t.Errorf("after no: options refresh %d, want 0 (the template's)", got)
	}
	if strings.Contains(ios.Render(s.Config()), "options refresh-rate") {
		t.Errorf("after no, still rendered:\n%s", ios.Render(s.Config()))
	}

	_, err = Parse("startup-config", []byte(text+"ip flow-export template options refresh-rate 601\n"))
	if err == nil || !strings.Contains(err.Error(), "startup-config:6:") {
		t.Errorf("refresh-rate 601: %v, want refused on line 6", err)
	}
}
