package daemon

import (
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
)

// TestExamplesRun: every example in configs/, and the image's default,
// loads and derives runtime
// settings as it is, with no file the repository does not ship (host
// mode starts from a copy of one).
func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("../../configs/*")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	files = append(files, "../../image/startup-config.default") // the appliance's own
	for _, f := range files {
		c, err := cfgfile.Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if _, err := SettingsFrom(c); err != nil {
			t.Errorf("%s does not run as it is: %v", f, err)
		}
	}
}
