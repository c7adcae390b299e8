package snmp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// NextEngineBoots reads snmpEngineBoots from path (in the state
// directory), adds one and writes it back before returning it: RFC 3414
// 2.2.2 requires boots to grow with every start, or managers would take
// replayed messages from the last run as timely. A missing file starts at 1.
func NextEngineBoots(path string) (uint32, error) {
	var boots uint64
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return 0, fmt.Errorf("snmp: engine boots: %w", err)
	default:
		if boots, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err != nil {
			return 0, fmt.Errorf("snmp: engine boots %s: %w", path, err)
		}
	}
	if boots < maxEngineBoots {
		boots++
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".engineboots-*")
	if err != nil {
		return 0, fmt.Errorf("snmp: engine boots: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := fmt.Fprintf(tmp, "%d\n", boots); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("snmp: engine boots: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("snmp: engine boots: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("snmp: engine boots: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("snmp: engine boots: %w", err)
	}
	return uint32(boots), nil
}

// Start is how the agent comes up, for the notification that says so.
type Start int

const (
	// ColdStart: the first start since the machine booted (or since the
	// state directory was emptied), as a router's after a reload.
	ColdStart Start = iota
	// WarmStart: the agent starts again on a machine that kept running
	// (flowtapd restarted, or snmp-server configured again), as IOS's
	// agent re-enabled on a running router.
	WarmStart
)

func (s Start) String() string {
	if s == WarmStart {
		return "warm"
	}
	return "cold"
}

// kernelBootID changes with every boot of the Linux kernel.
const kernelBootID = "/proc/sys/kernel/random/boot_id"

// NoteStart tells a cold start from a warm one. path (in the state
// directory) holds the kernel boot ID and the snmpEngineID of the agent's
// last start: a start under both again is warm; a new boot, a new engine
// ID (a new engine, RFC 3411) or no record (a first start, an emptied
// state directory) is cold. It records this start for the next one.
// Anything unreadable makes the start cold: a manager told of a cold
// start re-reads everything, which is never wrong.
func NoteStart(path string, engineID []byte) (Start, error) {
	return noteStart(path, kernelBootID, engineID)
}

func noteStart(path, bootIDFile string, engineID []byte) (Start, error) {
	b, err := os.ReadFile(bootIDFile)
	id := strings.TrimSpace(string(b))
	if err == nil && id == "" {
		err = errors.New("empty")
	}
	if err != nil {
		return ColdStart, fmt.Errorf("snmp: machine boot ID: %w", err)
	}
	rec := fmt.Sprintf("%s %x\n", id, engineID)
	kind := ColdStart
	if last, err := os.ReadFile(path); err == nil && string(last) == rec {
		kind = WarmStart
	}
	if err := os.WriteFile(path, []byte(rec), 0o600); err != nil {
		return kind, fmt.Errorf("snmp: start record: %w", err)
	}
	return kind, nil
}
