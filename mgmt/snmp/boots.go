package snmp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/internal/syncfile"
)

// NextEngineBoots reads snmpEngineBoots from path (in the state
// directory), adds one and writes it back before returning it: RFC 3414
// 2.2.2 requires boots to grow with every start, or managers would take
// replayed messages from the last run as timely.
//
// A missing file (a first start, or a state directory emptied) starts at
// the seconds since 2026-01-01 rather than 1: the engine ID survives an
// emptied state directory (it is the host's MAC address, or configured),
// and a receiver that cached a higher count for it would drop every v3
// trap as not in its time window until it restarted. A start takes more
// than a second, so the count never outruns the clock. A file that
// cannot be read gives the same, with the error; one that holds no count
// (emptied by a power cut) is written over with it, and an error says so.
func NextEngineBoots(path string) (uint32, error) {
	return nextEngineBoots(path, time.Now())
}

// bootsEpoch is where a missing count starts from (see NextEngineBoots);
// 2^31 seconds after it is in 2094.
var bootsEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// bootsFloor is a fresh count: the seconds since bootsEpoch, at least 1.
func bootsFloor(now time.Time) uint64 {
	s := now.Sub(bootsEpoch) / time.Second
	switch {
	case s < 1:
		return 1
	case s >= maxEngineBoots:
		return maxEngineBoots - 1
	}
	return uint64(s)
}

func nextEngineBoots(path string, now time.Time) (uint32, error) {
	var boots uint64
	// damaged says why a count that does not parse was replaced: it is
	// written over with the clock's count, which the next start goes on
	// from. (Left as it was, a file a power cut emptied gave a Go parse
	// error at every boot for good.)
	var damaged error
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		boots = bootsFloor(now) - 1 // made the floor below
	case err != nil:
		return uint32(bootsFloor(now)), fmt.Errorf("snmp: engine boots: %w", err)
	default:
		if boots, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err != nil {
			boots = bootsFloor(now) - 1
			damaged = fmt.Errorf("snmp: engine boots file %s held %q, not a count: started again from the clock's count, %d", path, tidy(b), boots+1)
		}
	}
	if boots < maxEngineBoots {
		boots++
	}
	// Synced (syncfile): on the appliance's vfat disk an unsynced rename
	// brought an empty file back after a power cut.
	if err := syncfile.Write(path, fmt.Appendf(nil, "%d\n", boots)); err != nil {
		return uint32(boots), fmt.Errorf("snmp: engine boots: %w", err)
	}
	return uint32(boots), damaged
}

// tidy is a damaged file's start, as a log can show it.
func tidy(b []byte) string {
	const max = 16
	if len(b) > max {
		b = b[:max]
	}
	return strings.TrimSpace(string(b))
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
