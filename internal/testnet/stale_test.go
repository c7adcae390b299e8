package testnet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flowtap/flowtap/internal/testproc"
)

// TestSweepStale leaves a namespace and a pin directory as a test binary
// killed by -timeout would, named after a pid that has ended, beside ones
// of live pids, and checks the sweep takes only the dead one's.
func TestSweepStale(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root for network namespaces (make test runs as root)")
	}
	gone := exec.Command("true")
	if err := testproc.Run(gone); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "60")
	if err := testproc.Start(live); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Process.Kill(); live.Wait() })
	dead, alive := gone.Process.Pid, live.Process.Pid

	bpffs := "/sys/fs/bpf"
	deadNS := fmt.Sprintf("flowtap-test-%d-1", dead)
	liveNS := fmt.Sprintf("flowtap-test-%d-1", alive)
	deadPin := filepath.Join(bpffs, fmt.Sprintf("flowtap-test-v1default-%d-0", dead))
	livePin := filepath.Join(bpffs, fmt.Sprintf("flowtap-e2e-%d", alive))
	for _, ns := range []string{deadNS, liveNS} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", "netns", "add", ns)); err != nil {
			t.Fatalf("ip netns add %s: %v\n%s", ns, err, out)
		}
		t.Cleanup(func() { testproc.Run(exec.Command("ip", "netns", "del", ns)) })
	}
	for _, p := range []string{deadPin, livePin} {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatalf("need bpffs at %s: %v", bpffs, err)
		}
		t.Cleanup(func() { os.RemoveAll(p) })
	}

	removed := sweepStale("/run/netns", bpffs)

	for _, p := range []string{filepath.Join("/run/netns", deadNS), deadPin} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s of ended pid %d still there after the sweep (%v)", p, dead, err)
		}
		if !slices.Contains(removed, p) {
			t.Errorf("sweep did not report %s among %q", p, removed)
		}
	}
	for _, p := range []string{filepath.Join("/run/netns", liveNS), livePin} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s of running pid %d swept: %v", p, alive, err)
		}
	}
}

// TestPinDirIsSwept: a test's own pin directory carries its binary's pid
// where the sweep reads it, whatever the kind is spelt like.
func TestPinDirIsSwept(t *testing.T) {
	for _, kind := range []string{"grow", "batchpins", "flowtap-hash-test-", "daemon-test"} {
		p := PinDir(t, kind)
		m := stalePins.FindStringSubmatch(filepath.Base(p))
		if m == nil || m[1] != fmt.Sprint(os.Getpid()) {
			t.Errorf("PinDir(%q) = %s: the sweep reads owner %q, want %d", kind, p, m, os.Getpid())
		}
	}
}
