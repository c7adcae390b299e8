package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestSecretsRestrictedAtStart: a startup-config (communities in clear,
// SNMP keys, password hashes) and a state directory (the SSH host key)
// that others could read, as a hand copy or a restore leaves them, are
// root's alone once flowtapd starts, and the log says so. Before, they
// stayed readable until the next write memory, the directory for ever.
func TestSecretsRestrictedAtStart(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\nsnmp-server community s3cret-community RO\n")
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
	startup, state := filepath.Join(d.dir, "startup-config"), filepath.Join(d.dir, "state")
	if err := os.Chmod(startup, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(state, 0o755); err != nil {
		t.Fatal(err)
	}
	d.start(t)
	for path, want := range map[string]os.FileMode{startup: 0o600, state: 0o700} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s after the start: %v %v, want %v", path, fi.Mode().Perm(), err, want)
		}
	}
	d.waitLog(t, "the state directory was readable by others")
	if !strings.Contains(d.log.String(), "the startup-config was readable by others") {
		t.Errorf("the startup-config's mode was not logged:\n%s", d.log)
	}
	if got := d.cli(t, "ios", "show running-config | include community\n"); got != "snmp-server community s3cret-community RO\n" {
		t.Errorf("the config after the restart: %q", got)
	}
}
