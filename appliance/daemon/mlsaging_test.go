package daemon

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowMLSNetflowAging: `show mls netflow aging`, the screen Cisco's
// guides give to check `mls aging`, shows a pasted Sup720 config's
// normal, fast and long timers and fast aging's threshold; `no mls aging
// fast` turns fast aging off and the screen says so, with the times the
// command alone would set. Before, the command was refused.
func TestShowMLSNetflowAging(t *testing.T) {
	testnet.Enter(t)
	cfg, err := iosconf.Parse("startup-config", []byte(`hostname sup720
platform pfc3bxl
mls flow ip interface-full
mls nde sender version 5
mls nde interface
mls aging fast time 20 threshold 64
mls aging normal 32
mls aging long 64
ip flow-export destination 192.0.2.10 9996
`))
	if err != nil {
		t.Fatal(err)
	}
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-mlsaging-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	m, err := NewManager(ManagerOptions{Daemon: Options{PinDir: pins, Logger: slog.New(slog.DiscardHandler)},
		StartupPath: filepath.Join(t.TempDir(), "startup-config")}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(false)
	s := ios.NewSession(m.CLI(), true)
	const head = "                enable timeout  packet threshold\n" +
		"                ------ -------  ----------------\n"
	want := head +
		"normal aging    true   32       N/A\n" +
		"fast aging      true   20       64\n" +
		"long aging      true   64       N/A\n"
	if got := s.Exec("show mls netflow aging"); got != want {
		t.Errorf("show mls netflow aging:\n%s\nwant\n%s", got, want)
	}
	for _, l := range []string{"configure terminal", "no mls aging fast", "no mls aging long", "end"} {
		if out := s.Exec(l); strings.Contains(out, "%") {
			t.Fatalf("%s: %q", l, out)
		}
	}
	want = head +
		"normal aging    true   32       N/A\n" +
		"fast aging      false  32       100\n" +
		"long aging      true   1920     N/A\n"
	if got := s.Exec("show mls netflow aging"); got != want {
		t.Errorf("after no mls aging fast and long:\n%s\nwant\n%s", got, want)
	}
}
