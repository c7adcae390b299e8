package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestCrashMidWrite simulates a crash after the new text reached a temp
// file but before the rename: the old configuration must still load.
func TestCrashMidWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "startup-config")
	old, err := cfgfile.Load("../../configs/cat6500-sup720.conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfgfile.Save(path, old); err != nil {
		t.Fatal(err)
	}
	newer := old.Clone()
	newer.Hostname = "never-committed"
	tmp, err := config.WriteTemp(path, []byte(ios.Render(newer)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("the temp file is not there: %v", err)
	}
	// A half-written temp file is as harmless.
	if err := os.WriteFile(tmp, []byte("hostname trunc"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := cfgfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !config.Equal(got, old) {
		t.Fatalf("the crash changed the saved configuration: %v", config.Diff(old, got))
	}
	// The next save still works beside the stale temp file.
	if err := cfgfile.Save(path, newer); err != nil {
		t.Fatal(err)
	}
	if got, _ := cfgfile.Load(path); got.Hostname != "never-committed" {
		t.Fatalf("hostname %q after the next save", got.Hostname)
	}
}
