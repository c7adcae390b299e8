package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The appliance's last reload reason (show version's "Last reload
// reason:", as IOS's): `reload` writes why into the state directory (the
// persistent disk) before the machine restarts, and the first daemon of
// the next boot takes it from there. A boot that finds none came from a
// power-on: the power was cut or the machine reset, with no orderly
// reload before. The reason found is kept in the run directory (RAM) for
// the daemons the supervisor starts again during the same boot.
const (
	reloadReasonFile = "reload-reason"
	reasonReload     = "Reload Command"
	reasonPowerOn    = "power-on"
)

// noteReload records that the machine restarts for reason, synced: the
// reboot follows at once.
func noteReload(state, reason string) error {
	path := filepath.Join(state, reloadReasonFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("reload reason: %w", err)
	}
	if _, err := f.WriteString(reason + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("reload reason: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("reload reason: %w", err)
	}
	return f.Close()
}

// lastReloadReason returns why the machine last started: what this boot
// already decided (runDir), else the reason the reload before left in the
// state directory (taken, so that a power cut later says power-on), else
// power-on.
func lastReloadReason(state, runDir string) string {
	kept := filepath.Join(runDir, reloadReasonFile)
	if b, err := os.ReadFile(kept); err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b))
	}
	reason := reasonPowerOn
	left := filepath.Join(state, reloadReasonFile)
	if b, err := os.ReadFile(left); err == nil {
		if r := strings.TrimSpace(string(b)); r != "" {
			reason = r
		}
		if err := os.Remove(left); err == nil {
			if d, err := os.Open(state); err == nil {
				d.Sync()
				d.Close()
			}
		}
	}
	if err := os.MkdirAll(runDir, 0o755); err == nil {
		os.WriteFile(kept, []byte(reason+"\n"), 0o644)
	}
	return reason
}
