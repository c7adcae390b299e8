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

// TestShowSNMPAccess: `show snmp user`, `group` and `view` show the
// SNMPv3 configuration the agent applies (the views with the built-in
// v1default a community or group without a view reads), each user with
// its group and protocols, and a user whose every request is refused (no such group, or
// a group asking for priv it lacks) says so; a privilege-1 session may
// not see them. Before, the only way to check who could use SNMPv3 and
// through which view was reading the running-config.
func TestShowSNMPAccess(t *testing.T) {
	testnet.Enter(t)
	cfg, err := iosconf.Parse("startup-config", []byte("hostname tap1\n"+
		"snmp-server engineID local 80007ED905000102030405060708\n"+
		"snmp-server view NOSYS iso included\nsnmp-server view NOSYS system excluded\n"+
		"snmp-server group NMS v3 priv read NOSYS\n"+
		"snmp-server user nms NMS v3 auth sha authpass123 priv aes 128 privpass123\n"+
		"snmp-server user weak NMS v3 auth sha-256 authpass123\n"+
		"snmp-server user lost NOGROUP v3 auth md5 authpass123 priv des privpass123 access 10\n"))
	if err != nil {
		t.Fatal(err)
	}
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-snmpaccess-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	m, err := NewManager(ManagerOptions{Daemon: Options{PinDir: pins, Logger: slog.New(slog.DiscardHandler)},
		StartupPath: filepath.Join(t.TempDir(), "startup-config")}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(false)
	s := ios.NewSession(m.CLI(), true)
	want := map[string]string{
		"show snmp user": "User name: nms\nEngine ID: 80007ED905000102030405060708\nstorage-type: nonvolatile\t active\n" +
			"Authentication Protocol: SHA\nPrivacy Protocol: AES128\nGroup-name: NMS\n\n" +
			"User name: weak\nEngine ID: 80007ED905000102030405060708\nstorage-type: nonvolatile\t active\n" +
			"Authentication Protocol: SHA-256\nPrivacy Protocol: None\nGroup-name: NMS\n" +
			"% Every request refused: group NMS needs more security than the user has\n\n" +
			"User name: lost\nEngine ID: 80007ED905000102030405060708\nstorage-type: nonvolatile\t active\tAccess-list: 10\n" +
			"Authentication Protocol: MD5\nPrivacy Protocol: DES\nGroup-name: NOGROUP\n" +
			"% Every request refused: group NOGROUP is not configured\n\n",
		"show snmp group": "groupname: NMS                              security model:v3 priv\n" +
			"contextname: <no context specified>         storage-type: nonvolatile\n" +
			"readview : NOSYS                            writeview: <no writeview specified>\n" +
			"notifyview: <no notifyview specified>\nrow status: active\n\n",
		// The built-in v1default first, in IOS's names, then the
		// configured view.
		"show snmp view": "v1default iso - included permanent active\n" +
			"v1default internet.6.3.15 - excluded permanent active\n" +
			"v1default internet.6.3.16 - excluded permanent active\n" +
			"v1default internet.6.3.18 - excluded permanent active\n" +
			"NOSYS iso - included nonvolatile active\nNOSYS system - excluded nonvolatile active\n",
	}
	for cmd, w := range want {
		if got := s.Exec(cmd); got != w {
			t.Errorf("%s:\n%s\nwant\n%s", cmd, got, w)
		}
	}
	s.Exec("disable")
	for cmd := range want {
		if got := s.Exec(cmd); !strings.Contains(got, "% Invalid input detected at '^' marker.") {
			t.Errorf("%s at level 1:\n%s", cmd, got)
		}
	}
	if got := s.Exec("show snmp"); strings.Contains(got, "Invalid") {
		t.Errorf("show snmp at level 1:\n%s", got)
	}
}

// TestShowSNMPInputQueueDrops: `show snmp`'s "Input queue packet drops"
// counts the requests the rate limit dropped before reading them, as IOS
// counts what its SNMP input queue had no room for; snmpSilentDrops
// (answers too big to send) is a different count. Before, the line showed
// snmpSilentDrops and a flood the limiter held back showed 0 there.
func TestShowSNMPInputQueueDrops(t *testing.T) {
	testnet.Enter(t)
	cfg, err := iosconf.Parse("startup-config", []byte("hostname tap1\n"))
	if err != nil {
		t.Fatal(err)
	}
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-snmpqueue-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	m, err := NewManager(ManagerOptions{Daemon: Options{PinDir: pins, Logger: slog.New(slog.DiscardHandler)},
		StartupPath: filepath.Join(t.TempDir(), "startup-config")}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(false)
	m.SetSNMPCounters(func() map[string]uint64 {
		return map[string]uint64{"snmpInPkts": 40, "snmpSilentDrops": 2, "flowtapSnmpRateLimited": 17}
	})
	out := ios.NewSession(m.CLI(), true).Exec("show snmp")
	if !strings.Contains(out, "\n    17 Input queue packet drops\n") {
		t.Errorf("show snmp: want the rate limit's 17 drops as input queue drops:\n%s", out)
	}
}
