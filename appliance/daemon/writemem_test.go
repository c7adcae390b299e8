package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/cli/ios"
)

// TestWriteMemoryOnFullAndReadOnlyDisk: write memory onto a disk that is
// full, then read-only (a small tmpfs, as the appliance's FLOWTAP disk
// can be), says `%` and why in the system's words, never a Go error
// chain, and leaves the saved startup-config as it was, with no temp file
// beside it; once there is room again it saves.
func TestWriteMemoryOnFullAndReadOnlyDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts a tmpfs: needs root")
	}
	disk := t.TempDir()
	if err := unix.Mount("tmpfs", disk, "tmpfs", 0, "size=64k"); err != nil {
		t.Fatalf("mount a small tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(disk, unix.MNT_DETACH) })
	startup := filepath.Join(disk, "startup-config")
	cfg, err := iosconf.Parse("startup-config", []byte("hostname tap1\n"))
	if err != nil {
		t.Fatal(err)
	}
	logs := NewLogBuffer(1 << 16)
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-writemem-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	m, err := NewManager(ManagerOptions{Daemon: Options{PinDir: pins, Logger: slog.New(logs.Handler(slog.DiscardHandler))},
		StartupPath: startup, Logs: logs}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(false)
	s := ios.NewSession(m.CLI(), true)
	if out := s.Exec("write memory"); !strings.Contains(out, "[OK]") {
		t.Fatalf("write memory on an empty disk:\n%s", out)
	}
	saved, err := os.ReadFile(startup)
	if err != nil {
		t.Fatal(err)
	}
	// A change worth saving, longer than what is on the disk.
	s.Exec("configure terminal")
	s.Exec("snmp-server location " + strings.Repeat("x", 200))
	s.Exec("end")

	// Fill the disk.
	filler, err := os.Create(filepath.Join(disk, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := filler.Write(make([]byte, 4096)); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v", err)
			}
			break
		}
	}
	filler.Close()
	check := func(state, want string) {
		t.Helper()
		out := s.Exec("write memory")
		if !strings.Contains(out, want) || strings.Contains(out, "[OK]") || strings.Contains(out, "config: save") || strings.Contains(out, disk) {
			t.Errorf("write memory on a %s disk:\n%s\nwant %q and no Go error", state, out, want)
		}
		if now, err := os.ReadFile(startup); err != nil || !bytes.Equal(now, saved) {
			t.Errorf("the startup-config changed on a %s disk (%v):\n%s", state, err, now)
		}
		if left, _ := filepath.Glob(filepath.Join(disk, ".startup-config*")); len(left) > 0 {
			t.Errorf("temp files left on a %s disk: %q", state, left)
		}
	}
	check("full", "% Error writing startup-config (no space left on device)")

	if err := os.Remove(filepath.Join(disk, "filler")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("", disk, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount read-only: %v", err)
	}
	check("read-only", "% Error writing startup-config (read-only file system)")

	if err := unix.Mount("", disk, "", unix.MS_REMOUNT, ""); err != nil {
		t.Fatalf("remount read-write: %v", err)
	}
	if out := s.Exec("write memory"); !strings.Contains(out, "[OK]") {
		t.Errorf("write memory once the disk has room again:\n%s", out)
	}
	if now, _ := os.ReadFile(startup); !strings.Contains(string(now), "snmp-server location xxx") {
		t.Errorf("the change was not saved once the disk had room:\n%s", now)
	}
}
