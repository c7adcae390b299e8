package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically, as Save does.
func WriteFile(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	return commitTemp(tmp, path)
}

// RemoveTemps removes the temp files a save to path left when the process
// died before its rename. The caller makes sure no save to path runs.
func RemoveTemps(path string) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	left, err := filepath.Glob(filepath.Join(dir, tempPrefix(base)+"*"))
	if err != nil {
		return fmt.Errorf("config: temp files of %s: %w", path, err)
	}
	var errs []error
	for _, f := range left {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func tempPrefix(base string) string { return "." + base + ".tmp-" }

// writeTemp writes data to a new file beside path and syncs it; the file
// is not yet where readers look.
func writeTemp(path string, data []byte) (string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return "", fmt.Errorf("config: save %s: %w", path, err)
	}
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("config: save %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	// The data must be on disk before the rename makes it the file, or a
	// crash could leave a renamed but empty file.
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("config: save %s: %w", path, err)
	}
	return f.Name(), nil
}

// commitTemp renames the synced temp file over path and syncs the
// directory, so that the rename itself survives a crash. The renamed file
// is synced once more first: on vfat (a FLOWTAP disk may be one) the
// rename leaves the size and first cluster of the file's new directory
// entry in the in-memory inode, which only a sync of the file writes; a
// power cut after write memory's [OK] brought back the old
// startup-config.
func commitTemp(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("config: save %s: %w", path, err)
	}
	if err := syncFile(path); err != nil {
		return fmt.Errorf("config: save %s: %w", path, err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("config: save %s: sync directory: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("config: save %s: sync directory: %w", path, err)
	}
	return nil
}

// syncFile fsyncs the file at path.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
