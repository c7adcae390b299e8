package daemon

import (
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestExamplesRun: every example in configs/ loads and derives runtime
// settings as it is, with no file the repository does not ship (host
// mode starts from a copy of one).
func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("../../configs/*")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		c, err := config.Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if _, err := SettingsFrom(c); err != nil {
			t.Errorf("%s does not run as it is: %v", f, err)
		}
	}
}
