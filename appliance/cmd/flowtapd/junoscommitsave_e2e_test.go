package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJunOSCommitSurvivesReboot: a JunOS commit is what the box boots
// with, as on Junos, whose CLI has no write memory: after a reboot (the
// running copy on tmpfs gone) the committed configuration is back. A
// commit confirmed is saved only once confirmed (here by commit check),
// so a reboot while it waits comes back without it.
func TestJunOSCommitSurvivesReboot(t *testing.T) {
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret letmein\n")
	reboot := func() {
		t.Helper()
		d.cmd.Process.Kill()
		d.cmd.Wait()
		if err := os.Remove(filepath.Join(d.dir, "running-config")); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		d.crash(t)
	}
	hostname := func() string {
		t.Helper()
		return strings.TrimSpace(d.cli(t, "junos", "show configuration system host-name\n"))
	}
	if out := d.cli(t, "junos", "configure\nset system host-name committed\ncommit and-quit\n"); !strings.Contains(out, "commit complete") || strings.Contains(out, "warning") {
		t.Fatalf("commit:\n%s", out)
	}
	reboot()
	if h := hostname(); h != "host-name committed;" {
		t.Fatalf("after a reboot the host-name is %q; the commit was not saved", h)
	}

	if out := d.cli(t, "junos", "configure\nset system host-name waiting\ncommit confirmed 5\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit confirmed:\n%s", out)
	}
	saved, _ := os.ReadFile(filepath.Join(d.dir, "startup-config"))
	if strings.Contains(string(saved), "waiting") {
		t.Fatalf("a commit confirmed not yet confirmed was saved:\n%s", saved)
	}
	if out := d.cli(t, "junos", "configure\ncommit check\n"); !strings.Contains(out, "configuration check succeeds") {
		t.Fatalf("commit check:\n%s", out)
	}
	reboot()
	if h := hostname(); h != "host-name waiting;" {
		t.Fatalf("after a reboot the host-name is %q; the confirmed commit was not saved", h)
	}
}
