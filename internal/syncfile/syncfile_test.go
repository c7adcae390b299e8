package syncfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/internal/syncfile"
)

// TestWriteReplacesWhole: Write leaves the new data, mode 0600 and no
// temp file; a temp file left by a process that died before Commit is
// not the file, and RemoveTemps clears it and only it.
func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "startup-config")
	if err := syncfile.Write(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	if err := syncfile.Write(path, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new\n" {
		t.Fatalf("after Write: %q, %v", b, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	tmp, err := syncfile.WriteTemp(path, []byte("died before commit\n"))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new\n" {
		t.Errorf("an uncommitted temp changed the file: %q", b)
	}
	if err := syncfile.RemoveTemps(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temp %s left: %v", tmp, err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 2 {
		t.Errorf("files left: %v, want startup-config and other", left)
	}
}
