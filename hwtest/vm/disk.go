package vm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// DiskLabel is the file system label flowtapinit looks for.
const DiskLabel = "FLOWTAP"

// ConfigDisk makes a 16 MiB ext4 image labelled FLOWTAP holding files
// (name -> content), for Config.Disk: the appliance's persistent disk.
// mke2fs -d fills it without mounting anything.
func ConfigDisk(t testing.TB, files map[string]string) string {
	t.Helper()
	img, err := MakeConfigDisk(t.TempDir(), files)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// MakeConfigDisk is ConfigDisk in a directory of the caller's: dir/disk.img.
func MakeConfigDisk(dir string, files map[string]string) (string, error) {
	mke2fs, err := exec.LookPath("mke2fs")
	if err != nil {
		return "", fmt.Errorf("mke2fs not found: install Debian's e2fsprogs")
	}
	src := filepath.Join(dir, "content")
	if err := os.Mkdir(src, 0o755); err != nil {
		return "", fmt.Errorf("config disk: %w", err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			return "", fmt.Errorf("config disk: %w", err)
		}
	}
	img := filepath.Join(dir, "disk.img")
	out, err := exec.Command(mke2fs, "-q", "-F", "-t", "ext4", "-L", DiskLabel, "-d", src, img, "16M").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("mke2fs: %v\n%s", err, out)
	}
	return img, nil
}

// ReadDiskFile reads a file from the root of an ext4 image with debugfs,
// without mounting it: what the appliance left on its persistent disk.
// The image must not be in use (QEMU stopped), or the guest's unwritten
// changes are missing.
func ReadDiskFile(img, name string) (string, error) {
	debugfs, err := exec.LookPath("debugfs")
	if err != nil {
		return "", fmt.Errorf("debugfs not found: install Debian's e2fsprogs")
	}
	cmd := exec.Command(debugfs, "-R", "cat /"+name, img)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("debugfs -R 'cat /%s' %s: %w", name, img, err)
	}
	return string(out), nil
}

// EmptyVfatDisk makes a 32 MiB FAT file system labelled FLOWTAP with
// nothing on it, in dir: the persistent disk as an operator may make one
// on a USB stick.
func EmptyVfatDisk(dir string) (string, error) {
	mkfs, err := exec.LookPath("mkfs.vfat")
	if err != nil {
		return "", fmt.Errorf("mkfs.vfat not found: install Debian's dosfstools (image/deps.sh does)")
	}
	img := filepath.Join(dir, "vfat.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, 32<<20); err != nil {
		return "", err
	}
	if out, err := exec.Command(mkfs, "-n", DiskLabel, img).CombinedOutput(); err != nil {
		return "", fmt.Errorf("mkfs.vfat: %v\n%s", err, out)
	}
	return img, nil
}
