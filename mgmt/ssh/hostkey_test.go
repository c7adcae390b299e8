package ssh

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostKeyKeptAcrossLoads: the key generated on first use is the key
// every later load returns, and no temp file is left beside it.
func TestHostKeyKeptAcrossLoads(t *testing.T) {
	dir := t.TempDir()
	first, err := HostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := HostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.PublicKey().Marshal(), again.PublicKey().Marshal()) {
		t.Errorf("the host key changed between two loads")
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if got := append(names, hidden...); len(got) != 1 || filepath.Base(got[0]) != hostKeyFile {
		t.Errorf("state directory holds %q, want only %s", got, hostKeyFile)
	}
}

// TestHostKeyReplacesTornFile: a key file a power cut left empty, or one
// that does not parse, no longer keeps SSH down: a new key is made and
// used from then on, the old file is kept as .bad and the replacement is
// logged.
func TestHostKeyReplacesTornFile(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "torn": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNz"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, hostKeyFile)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			var logged bytes.Buffer
			key, err := hostKey(dir, slog.New(slog.NewTextHandler(&logged, nil)))
			if err != nil {
				t.Fatalf("host key over a %s file: %v", name, err)
			}
			if bad, err := os.ReadFile(path + ".bad"); err != nil || string(bad) != content {
				t.Errorf("the unusable key file was not kept as .bad (%q, %v)", bad, err)
			}
			again, err := HostKey(dir)
			if err != nil {
				t.Fatalf("reload the new key: %v", err)
			}
			if !bytes.Equal(key.PublicKey().Marshal(), again.PublicKey().Marshal()) {
				t.Errorf("the new key was not saved: the next load returned another")
			}
			if !strings.Contains(logged.String(), "ssh host key unusable, generated a new one") {
				t.Errorf("the replacement was not logged: %q", logged.String())
			}
		})
	}
}

// TestHostKeyModeTightened: a host key file others may read (a restore
// from a backup that lost the mode) is made 0600 at load, and the
// operator is told; the key stays the same. Before, it stayed 0644.
func TestHostKeyModeTightened(t *testing.T) {
	dir := t.TempDir()
	first, err := HostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, hostKeyFile)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	again, err := hostKey(dir, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.PublicKey().Marshal(), again.PublicKey().Marshal()) {
		t.Error("the host key changed")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file mode after load: %v %v, want 0600", fi.Mode().Perm(), err)
	}
	if !strings.Contains(logged.String(), "ssh host key was readable by others") || !strings.Contains(logged.String(), "was=-rw-r--r--") {
		t.Errorf("not logged: %q", logged.String())
	}
}
