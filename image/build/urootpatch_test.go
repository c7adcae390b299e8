package build

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testproc"
)

// TestURootPatchesDropCgroupV1MemoryAndCpuset: applied to u-root's own
// libinit (the version the image pins, from the module cache), the
// patches leave no cgroup v1 memory or cpuset mount, the kernel's
// "Unknown subsys name" errors at every boot, and keep the others; and a
// patch whose text is missing fails rather than being skipped.
func TestURootPatchesDropCgroupV1MemoryAndCpuset(t *testing.T) {
	out, err := testproc.Output(exec.Command("go", "env", "GOMODCACHE"))
	if err != nil {
		t.Fatal(err)
	}
	orig := filepath.Join(strings.TrimSpace(string(out)), "github.com/u-root/u-root@"+URootVersion, "pkg/libinit/root_linux.go")
	src, err := os.ReadFile(orig)
	if err != nil {
		t.Skipf("u-root %s is not in the module cache (the image build fetches it): %v", URootVersion, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "pkg/libinit/root_linux.go")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := applyPatches(dir, urootPatches); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{`Opts: "memory"`, `Opts: "cpuset"`, `"/sys/fs/cgroup/memory"`, `"/sys/fs/cgroup/cpuset"`} {
		if strings.Contains(string(got), gone) {
			t.Errorf("patched libinit still has %s", gone)
		}
	}
	for _, kept := range []string{`Opts: "freezer"`, `Opts: "pids"`, `Target: "/sys/fs/cgroup", FSType: "tmpfs"`} {
		if !strings.Contains(string(got), kept) {
			t.Errorf("patched libinit lost %s", kept)
		}
	}
	// Applied again, the text is gone: the build must say so.
	if err := applyPatches(dir, urootPatches); err == nil || !strings.Contains(err.Error(), "occurs 0 times") {
		t.Errorf("a patch whose text is missing: %v, want an error saying so", err)
	}
}
