package mgmtplane

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/mgmt/snmp"
)

// TestShowSNMPViewIsAgentsV1Default: `show snmp view` lists the built-in
// v1default, and its lines are the view the agent gives a community that
// names none: the same included and excluded subtrees, no more, no less.
// A view configured under the name replaces it in both. Before, the screen
// listed configured views only, and a reader could not see what a
// community without `view` reads.
func TestShowSNMPViewIsAgentsV1Default(t *testing.T) {
	testnet.Enter(t)
	for i, tc := range []struct{ extra, storage string }{
		{"", "permanent"},
		{"snmp-server view v1default iso included\nsnmp-server view v1default system excluded\n", "nonvolatile"},
	} {
		c, err := iosconf.Parse("startup-config", []byte("hostname tap1\nsnmp-server community public RO\n"+
			"snmp-server view NOSYS iso included\n"+tc.extra))
		if err != nil {
			t.Fatal(err)
		}
		comms, _, _ := snmpAccess(c, &daemon.ACLCounts{})
		agent := comms[0].View

		pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-v1default-%d-%d", os.Getpid(), i))
		t.Cleanup(func() { os.RemoveAll(pins) })
		m, err := daemon.NewManager(daemon.ManagerOptions{Daemon: daemon.Options{PinDir: pins, Logger: slog.New(slog.DiscardHandler)},
			StartupPath: filepath.Join(t.TempDir(), "startup-config")}, c)
		if err != nil {
			t.Fatal(err)
		}
		out := ios.NewSession(m.CLI(), true).Exec("show snmp view")
		m.Close(false)

		var shown snmp.View
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			f := strings.Fields(line)
			if len(f) != 6 || f[2] != "-" || f[5] != "active" {
				t.Fatalf("case %d: line %q is not IOS's NAME SUBTREE - included|excluded STORAGE active:\n%s", i, line, out)
			}
			if f[0] != config.V1Default {
				if f[4] != "nonvolatile" {
					t.Errorf("case %d: configured view's line %q", i, line)
				}
				continue
			}
			if f[4] != tc.storage {
				t.Errorf("case %d: v1default's line %q: want storage %s", i, line, tc.storage)
			}
			o, err := config.ViewOID(f[1])
			if err != nil {
				t.Fatalf("case %d: %q: %v", i, line, err)
			}
			switch f[3] {
			case "included":
				shown.Include = append(shown.Include, snmp.OID(o))
			case "excluded":
				shown.Exclude = append(shown.Exclude, snmp.OID(o))
			default:
				t.Fatalf("case %d: %q", i, line)
			}
		}
		eq := func(a, b []snmp.OID) bool {
			return slices.EqualFunc(a, b, func(x, y snmp.OID) bool { return slices.Equal(x, y) })
		}
		if len(shown.Include) == 0 || !eq(shown.Include, agent.Include) || !eq(shown.Exclude, agent.Exclude) || agent.Empty {
			t.Errorf("case %d: show snmp view's v1default\n%s\nis %+v, the agent's %+v", i, out, shown, agent)
		}
	}
}
