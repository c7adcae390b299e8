package vm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowtap/flowtap/image/build"
)

// Environment variables that point the image at prebuilt programs (for a
// daemon or CLI built elsewhere).
const (
	EnvDaemonBin = "HWTEST_FLOWTAPD_BIN"
	EnvCLIBin    = "HWTEST_FLOWTAP_BIN"
)

// Image returns a Config for the repository's image in out/, building it
// first when out/ is missing or stale (its manifest's input digest differs
// from the sources'). The build fails the test, with mkimage's message,
// when the daemon or CLI does not exist yet.
func Image(t testing.TB) Config {
	t.Helper()
	repo, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	o := build.Defaults(repo)
	o.DaemonBin, o.CLIBin = os.Getenv(EnvDaemonBin), os.Getenv(EnvCLIBin)
	fresh, err := build.Fresh(o)
	if err != nil {
		t.Fatal(err)
	}
	if !fresh {
		t.Logf("building the image in %s (go run ./image/cmd/mkimage does the same)", o.Out)
		o.Log = testWriter{t}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		r, err := build.Build(ctx, o)
		if err != nil {
			t.Fatalf("build the image: %v", err)
		}
		t.Logf("image: vmlinuz %d bytes, initramfs %d bytes, %d modules, built in %s",
			r.KernelSize, r.InitramfsSize, r.Modules, r.BuildDuration.Round(time.Second))
	}
	return Config{Kernel: filepath.Join(o.Out, build.KernelFile), Initramfs: filepath.Join(o.Out, build.InitramfsFile)}
}

// RepoRoot finds the directory holding go.mod above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}
