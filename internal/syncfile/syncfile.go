// Package syncfile replaces a file so that a crash or a power cut leaves
// either the old file or the whole new one, on the ext4 and vfat disks
// the appliance keeps its state on.
package syncfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data (mode 0600): WriteTemp, then Commit.
func Write(path string, data []byte) error {
	tmp, err := WriteTemp(path, data)
	if err != nil {
		return err
	}
	return Commit(tmp, path)
}

// WriteTemp writes data to a new file beside path and syncs it. The file
// is not yet where readers look; a process that dies before Commit
// leaves it for RemoveTemps.
func WriteTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(dirOf(path), tempPrefix(filepath.Base(path))+"*")
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(f.Name())
		return "", err
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
		return "", err
	}
	return f.Name(), nil
}

// Commit renames the synced temp file over path and syncs the directory,
// so that the rename itself survives a crash. The renamed file is synced
// once more first: on vfat (a FLOWTAP disk may be one) the rename leaves
// the size and first cluster of the file's new directory entry in the
// in-memory inode, which only a sync of the file writes; without it a
// power cut after write memory's [OK] brought back the old
// startup-config, and an empty SSH host key and SNMP boots file.
func Commit(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := syncPath(path); err != nil {
		return err
	}
	if err := syncPath(dirOf(path)); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// Remove removes path (none there is no error) and syncs its directory,
// so that a power cut after it does not bring the file back.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := syncPath(dirOf(path)); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// RemoveTemps removes the temp files a Write to path left when the
// process died before its rename. The caller makes sure no Write to path
// runs.
func RemoveTemps(path string) error {
	left, err := filepath.Glob(filepath.Join(dirOf(path), tempPrefix(filepath.Base(path))+"*"))
	if err != nil {
		return err
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

func dirOf(path string) string {
	if dir := filepath.Dir(path); dir != "" {
		return dir
	}
	return "."
}

// syncPath fsyncs the file or directory at path.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
