package cfgfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "startup-config")
	c := loadExample(t, "ios-router.conf")
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !config.Equal(c, got) {
		t.Fatalf("Load(Save(c)) differs: %v", config.Diff(c, got))
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: the file holds secrets", st.Mode().Perm())
	}
	// Saving again replaces the file and leaves no temp file behind.
	c.Hostname = "second"
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after two saves", len(entries))
	}
}

// TestCrashMidWrite simulates a crash after the new text reached a temp
// file but before the rename: the old configuration must still load.
func TestCrashMidWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "startup-config")
	old := loadExample(t, "cat6500-sup720.conf")
	if err := Save(path, old); err != nil {
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
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !config.Equal(got, old) {
		t.Fatalf("the crash changed the saved configuration: %v", config.Diff(old, got))
	}
	// The next save still works beside the stale temp file.
	if err := Save(path, newer); err != nil {
		t.Fatal(err)
	}
	if got, _ := Load(path); got.Hostname != "never-committed" {
		t.Fatalf("hostname %q after the next save", got.Hostname)
	}
}

func TestSaveIntoMissingDirectory(t *testing.T) {
	if err := Save(filepath.Join(t.TempDir(), "no", "such", "file"), config.Config{}); err == nil {
		t.Fatal("saved into a directory that does not exist")
	}
}

func TestLoadDetectsDialect(t *testing.T) {
	dir := t.TempDir()
	c := loadExample(t, "junos.set")
	for name, text := range map[string]string{"a.set": junos.RenderSet(c), "b.conf": junos.Render(c), "c.conf": ios.Render(c)} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := Load(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !config.Equal(got, c) {
			t.Errorf("%s: %v", name, config.Diff(c, got))
		}
	}
}
