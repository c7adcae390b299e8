package vm

import (
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
	mke2fs, err := exec.LookPath("mke2fs")
	if err != nil {
		t.Fatalf("mke2fs not found: install Debian's e2fsprogs")
	}
	root := t.TempDir()
	src := filepath.Join(root, "content")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(root, "disk.img")
	out, err := exec.Command(mke2fs, "-q", "-F", "-t", "ext4", "-L", DiskLabel, "-d", src, img, "16M").CombinedOutput()
	if err != nil {
		t.Fatalf("mke2fs: %v\n%s", err, out)
	}
	return img
}
