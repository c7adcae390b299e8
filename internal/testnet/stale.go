package testnet

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flowtap/flowtap/internal/testproc"
)

// Stale test state. A test binary killed by -timeout or SIGKILL runs no
// Cleanup, so its network namespaces and bpffs pins stay behind (its child
// processes do not: internal/testproc). Both are named after the binary's
// pid, so the next test binary to make a namespace removes the ones whose
// owner no longer runs, before it makes its own: a stale namespace's veth
// still carries an XDP program, and a stale pin keeps its maps' memory.
// Pins a test makes itself come from PinDir, which names them so. Nothing
// belonging to a binary that still runs is touched: other engineers'
// tests share the machine.
var (
	staleNetns = []*regexp.Regexp{
		regexp.MustCompile(`^flowtap-test-(\d+)-\d+(?:-lan)?$`), // Enter's; arp's LAN beside it
		regexp.MustCompile(`^qalgsa-(\d+)$`),                    // appliance/daemon's syslog host
		regexp.MustCompile(`^dhcpm-[sc].*-(\d+)(?:-o)?$`),       // flowtapinit's DHCP server and client
	}
	// flowtap-e2e-PID, flowtap-test-overload-PID, flowtap-test-v1default-PID-N ...
	stalePins = regexp.MustCompile(`^flowtap-(?:[a-z0-9]*[a-z][a-z0-9]*-)+(\d+)(?:-\d+)?$`)
)

var sweepOnce sync.Once

// sweepStale removes, once per process, the namespaces under runNetns and
// the pins under bpffs whose owning test binary is gone. Errors are
// ignored: a sweep that fails leaves what was there before it.
func sweepStale(runNetns, bpffs string) (removed []string) {
	if ents, err := os.ReadDir(runNetns); err == nil {
		for _, e := range ents {
			for _, re := range staleNetns {
				if m := re.FindStringSubmatch(e.Name()); m != nil && ownerGone(m[1]) {
					if _, err := testproc.CombinedOutput(exec.Command("ip", "netns", "del", e.Name())); err == nil {
						removed = append(removed, filepath.Join(runNetns, e.Name()))
					}
					break
				}
			}
		}
	}
	if ents, err := os.ReadDir(bpffs); err == nil {
		for _, e := range ents {
			if m := stalePins.FindStringSubmatch(e.Name()); m != nil && ownerGone(m[1]) {
				p := filepath.Join(bpffs, e.Name())
				if os.RemoveAll(p) == nil {
					removed = append(removed, p)
				}
			}
		}
	}
	return removed
}

// ownerGone says whether the test binary with this pid has ended: no such
// process, or a zombie. A pid reused since by another process keeps its
// namespace until that one ends too; telling the two apart by program name
// would sweep a live binary run under a name of its own (go test -c -o).
func ownerGone(pid string) bool {
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 1 || n == os.Getpid() {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", n))
	if err != nil {
		return os.IsNotExist(err)
	}
	// The state follows the command name, which may itself hold ") ".
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// PinDir makes a private bpffs directory for a test's pins, removed after
// the test, named (flowtap-KIND-PID-N) so that the sweep finds it when the
// test binary is killed before its Cleanup runs.
func PinDir(t testing.TB, kind string) string {
	t.Helper()
	kind = strings.TrimSuffix(strings.TrimPrefix(kind, "flowtap-"), "-")
	pin, err := os.MkdirTemp("/sys/fs/bpf", fmt.Sprintf("flowtap-%s-%d-", kind, os.Getpid()))
	if err != nil {
		t.Fatalf("need bpffs at /sys/fs/bpf (make test mounts it): %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(pin) })
	if !stalePins.MatchString(filepath.Base(pin)) {
		t.Fatalf("pin directory %s is not one the sweep would find", pin)
	}
	return pin
}
