package mgmtplane

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testproc"
	"github.com/flowtap/flowtap/mgmt/snmp"
)

// TestSNMPViewsAndGroups: `snmp-server view` limits what a community and
// a v3 group read, as net-snmp sees it; a community or group naming a
// view that is not configured reads nothing; a user whose group is not
// configured, or whose group asks for more security than the user has,
// is refused with authorizationError. Before views were applied, every
// one of these read sysName.
func TestSNMPViewsAndGroups(t *testing.T) {
	const pass = "authpass123"
	src := "snmp-server engineID local 80007ED905000102030405060708\n" +
		"snmp-server view NOSYS iso included\n" +
		"snmp-server view NOSYS system excluded\n" +
		"snmp-server view NOSYS 1.3.6.1.2.1.1.3 included\n" + // sysUpTime back in
		"snmp-server view ONLYOUT 1.3.6.1.2.1.1 excluded\n" +
		"snmp-server community all RO\n" +
		"snmp-server community limited view NOSYS RO\n" +
		"snmp-server community typo view NOSUCH RO\n" +
		"snmp-server community excl view ONLYOUT RO\n" +
		"snmp-server group FULL v3 priv\n" +
		"snmp-server group LIM v3 priv read NOSYS\n" +
		"snmp-server group STRICT v3 priv\n" +
		"snmp-server user full FULL v3 auth sha " + pass + " priv aes 128 " + pass + "\n" +
		"snmp-server user lim LIM v3 auth sha " + pass + " priv aes 128 " + pass + "\n" +
		"snmp-server user orphan NOGROUP v3 auth sha " + pass + " priv aes 128 " + pass + "\n" +
		"snmp-server user weak STRICT v3 auth sha " + pass + "\n"
	c, err := ios.Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	comms, users, _ := snmpAccess(c, &daemon.ACLCounts{})
	a, err := snmp.New(snmp.Config{Listen: []string{"127.0.0.1:0"}, EngineID: snmpEngineID(c),
		System:      func() snmp.SystemInfo { return snmp.SystemInfo{Name: "probe1", Descr: "flowtap"} },
		Communities: comms, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	addr := a.LocalAddrs()[0].String()

	const sysName, sysUpTime, sysDescr = ".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.1.1.0"
	v2 := func(comm string) []string { return []string{"-v2c", "-c", comm} }
	v3 := func(user, level string) []string {
		args := []string{"-v3", "-u", user, "-l", level, "-a", "SHA", "-A", pass}
		if level == "authPriv" {
			args = append(args, "-x", "AES", "-X", pass)
		}
		return args
	}
	for _, tc := range []struct {
		name string
		args []string
		oid  string
		want string // a line of stdout, or of stderr for a refusal
	}{
		{"community without a view", v2("all"), sysName, sysName + ` = STRING: "probe1"`},
		{"community's view excludes system", v2("limited"), sysName, sysName + " = No Such Object available on this agent at this OID"},
		{"community's view includes sysUpTime again", v2("limited"), sysUpTime, sysUpTime + " = Timeticks:"},
		{"community naming no configured view", v2("typo"), sysDescr, sysDescr + " = No Such Object available on this agent at this OID"},
		{"view of exclusions only", v2("excl"), ".1.3.6.1.2.1.2.1.0", ".1.3.6.1.2.1.2.1.0 = No Such Object available on this agent at this OID"},
		{"group without a read view", v3("full", "authPriv"), sysName, sysName + ` = STRING: "probe1"`},
		{"group's read view excludes system", v3("lim", "authPriv"), sysName, sysName + " = No Such Object available on this agent at this OID"},
		{"user in no configured group", v3("orphan", "authPriv"), sysName, "authorizationError"},
		{"auth user in a priv group", v3("weak", "authNoPriv"), sysName, "authorizationError"},
	} {
		out, stderr := netsnmp(t, "snmpget", append(tc.args, "-t", "1", "-r", "0", addr, tc.oid)...)
		if !strings.Contains(out+stderr, tc.want) {
			t.Errorf("%s: got %q %q, want %q", tc.name, out, stderr, tc.want)
		}
	}
	// A walk in a view that holds nothing ends at once; the limited one
	// skips the excluded subtree but for the included leaf.
	out, _ := netsnmp(t, "snmpwalk", append(v2("typo"), "-t", "1", "-r", "0", addr, ".1.3.6.1.2.1.1")...)
	if !strings.Contains(out, "No more variables left in this MIB View") {
		t.Errorf("walk with an unconfigured view: %q", out)
	}
	out, _ = netsnmp(t, "snmpwalk", append(v2("limited"), "-t", "1", "-r", "0", addr, ".1.3.6.1.2.1.1")...)
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, sysUpTime+" = Timeticks:") {
		t.Errorf("walk of system through NOSYS: %q, want sysUpTime alone", out)
	}
}

// netsnmp runs a net-snmp tool without MIB files, OIDs numeric.
func netsnmp(t *testing.T, tool string, args ...string) (string, string) {
	t.Helper()
	path := collector.RequireTool(t, tool, "snmp")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-m", "", "-On"}, args...)...)
	cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=/nonexistent", "SNMPCONFPATH=/nonexistent", "SNMP_PERSISTENT_DIR="+t.TempDir())
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	_ = testproc.Run(cmd) // a refusal exits non-zero; the output says which
	t.Logf("$ %s %s\n%s%s", tool, strings.Join(args, " "), o.String(), e.String())
	return o.String(), e.String()
}
