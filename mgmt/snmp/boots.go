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
