package snmp

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/syncbuf"
)

// TestNoteStart: a start is warm only on the same kernel boot and with the
// same engine ID as the last one; a new boot, a new engine ID, an emptied
// state directory or an unreadable boot ID make it cold.
func TestNoteStart(t *testing.T) {
	dir := t.TempDir()
	rec, boot := filepath.Join(dir, "snmp-start"), filepath.Join(dir, "boot_id")
	setBoot := func(id string) {
		if err := os.WriteFile(boot, []byte(id+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	engA, engB := []byte{0x80, 0, 0x7e, 0xd9, 5, 1}, []byte{0x80, 0, 0x7e, 0xd9, 5, 2}
	setBoot("7c1e3d6a-0d2e-4c1b-9d0c-1a2b3c4d5e6f")
	steps := []struct {
		name   string
		before func()
		engine []byte
		want   Start
	}{
		{"first start", nil, engA, ColdStart},
		{"flowtapd restarted", nil, engA, WarmStart},
		{"and again", nil, engA, WarmStart},
		{"engine ID changed", nil, engB, ColdStart},
		{"same engine again", nil, engB, WarmStart},
		{"machine rebooted", func() { setBoot("0f0e0d0c-0b0a-4908-8706-050403020100") }, engB, ColdStart},
		{"state directory emptied", func() { os.Remove(rec) }, engB, ColdStart},
		{"after the wipe", nil, engB, WarmStart},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		got, err := noteStart(rec, boot, s.engine)
		if err != nil || got != s.want {
			t.Errorf("%s: %v start (%v), want %v", s.name, got, err, s.want)
		}
	}
	if got, err := noteStart(rec, filepath.Join(dir, "missing"), engB); err == nil || got != ColdStart {
		t.Errorf("no boot ID: %v start (%v), want a cold one and an error", got, err)
	}
	if _, err := os.Stat(kernelBootID); err == nil {
		if _, err := NoteStart(filepath.Join(dir, "real"), engA); err != nil {
			t.Errorf("the kernel's boot ID: %v", err)
		}
	}
}

// TestStartedNotifications: snmptrapd receives coldStart and warmStart as
// SNMPv2-MIB numbers them, and each start is logged in IOS's words.
func TestStartedNotifications(t *testing.T) {
	td := startTrapd(t, "")
	var log syncbuf.Buffer
	cfg := testConfig(newFakeBackend())
	cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	cfg.Receivers = []Receiver{{Addr: td.addr, Community: "public"}}
	a, _, _ := startAgent(t, cfg)
	ctx := context.Background()
	if err := a.Started(ctx, ColdStart, true); err != nil {
		t.Fatal(err)
	}
	td.next(t, ".1.3.6.1.6.3.1.1.5.1")
	if err := a.Started(ctx, WarmStart, true); err != nil {
		t.Fatal(err)
	}
	td.next(t, ".1.3.6.1.6.3.1.1.5.2")
	if err := a.Started(ctx, WarmStart, false); err != nil {
		t.Fatal(err)
	}
	if n := a.ctr.get(cOutTraps); n != 2 {
		t.Errorf("snmpOutTraps %d, want 2: traps not enabled must send none", n)
	}
	name := a.sysName()
	for _, want := range []string{
		"%SNMP-5-COLDSTART: SNMP agent on host " + name + " is undergoing a cold start",
		"%SNMP-5-WARMSTART: SNMP agent on host " + name + " is undergoing a warm start",
	} {
		if strings.Count(log.String(), want) == 0 {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}
