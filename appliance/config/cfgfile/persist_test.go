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
