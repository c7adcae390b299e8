package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLastReloadReason: a boot after `reload` says Reload Command, the
// daemons the supervisor restarts in that boot say the same, and the boot
// after a power cut (nothing left by a reload) says power-on.
func TestLastReloadReason(t *testing.T) {
	state := t.TempDir()
	boot := func() string { return filepath.Join(t.TempDir(), "run") } // /run is new at every boot
	run := boot()
	if got := lastReloadReason(state, run); got != reasonPowerOn {
		t.Errorf("first boot: %q, want %q", got, reasonPowerOn)
	}
	if err := noteReload(state, reasonReload); err != nil {
		t.Fatal(err)
	}
	run = boot()
	if got := lastReloadReason(state, run); got != reasonReload {
		t.Errorf("boot after reload: %q, want %q", got, reasonReload)
	}
	if got := lastReloadReason(state, run); got != reasonReload {
		t.Errorf("daemon restarted in the boot after reload: %q, want %q", got, reasonReload)
	}
	if _, err := os.Stat(filepath.Join(state, reloadReasonFile)); !os.IsNotExist(err) {
		t.Errorf("the reload's note is still on the disk (%v): a power cut next would say Reload Command", err)
	}
	run = boot() // the power cut: no reload wrote a note
	if got := lastReloadReason(state, run); got != reasonPowerOn {
		t.Errorf("boot after a power cut: %q, want %q", got, reasonPowerOn)
	}
}
