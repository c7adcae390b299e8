package config

import (
	"fmt"

	"github.com/flowtap/flowtap/internal/syncfile"
)

// WriteFile writes data to path atomically, as Save does.
func WriteFile(path string, data []byte) error {
	if err := syncfile.Write(path, data); err != nil {
		return fmt.Errorf("config: save %s: %w", path, err)
	}
	return nil
}

// RemoveTemps removes the temp files a save to path left when the process
// died before its rename. The caller makes sure no save to path runs.
func RemoveTemps(path string) error {
	if err := syncfile.RemoveTemps(path); err != nil {
		return fmt.Errorf("config: temp files of %s: %w", path, err)
	}
	return nil
}
