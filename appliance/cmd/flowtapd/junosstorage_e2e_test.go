package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestJunOSShowSystemStorage: `show system storage`, which flowtap
// refused as a syntax error, lists the mounted file systems as Junos's df
// does. A 1 MiB tmpfs the test mounts, holding a 100 KiB file, is one
// row with exactly its size, use, room and capacity (100 of 1024 KiB
// rounds up to 10%); the root file system is another.
func TestJunOSShowSystemStorage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("flowtap-e2e-store", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	if err := os.WriteFile(filepath.Join(dir, "data"), make([]byte, 100<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	d := junosDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	got := d.cli(t, "junos", "show system storage\n")
	lines := strings.Split(got, "\n")
	if want := "Filesystem              Size       Used      Avail  Capacity  Mounted on"; lines[0] != want {
		t.Errorf("header %q, want %q", lines[0], want)
	}
	row := fmt.Sprintf("flowtap-e2e-store       1.0M       100K       924K       10%%  %s", dir)
	var root bool
	found := 0
	for _, l := range lines[1:] {
		if l == row {
			found++
		}
		root = root || strings.HasSuffix(l, "%  /")
	}
	if found != 1 || !root {
		t.Errorf("show system storage:\n%s\nwant the row\n%s\nonce, and a row for /", got, row)
	}
}
