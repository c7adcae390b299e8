package hwtest

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testproc"
)

const (
	oidSystem  = ".1.3.6.1.2.1.1"
	oidSysName = ".1.3.6.1.2.1.1.5.0"
	// oidNetflowMIB is CISCO-NETFLOW-MIB; cnfCIActiveFlows is column 4 of
	// its cnfCICacheTable.
	oidNetflowMIB       = ".1.3.6.1.4.1.9.9.387"
	oidCnfCIActiveFlows = ".1.3.6.1.4.1.9.9.387.1.1.2.1.4."
	snmpWait            = 20 * time.Second
)

// snmpVar is one line of snmpwalk -On: a numeric OID, its type and value.
type snmpVar struct{ OID, Type, Value string }

var snmpLine = regexp.MustCompile(`^(\.[0-9.]+) = (?:([\w-]+): )?(.*)$`)

// snmpwalk walks a subtree of the appliance's agent through the host's
// forwarded port with net-snmp's snmpwalk (v2c, community public).
func (p *probe) snmpwalk(t *testing.T, oid string) []snmpVar {
	t.Helper()
	bin := collector.RequireTool(t, "snmpwalk", "snmp")
	args := []string{"-v2c", "-c", "public", "-On", "-t", "3", "-r", "2", "udp:" + p.snmpAddr, oid}
	out, err := testproc.CombinedOutput(exec.Command(bin, args...))
	t.Logf("snmpwalk %s:\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("snmpwalk %s: %v", strings.Join(args, " "), err)
	}
	var vars []snmpVar
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m := snmpLine.FindStringSubmatch(l)
		if m == nil {
			if len(vars) > 0 { // a string value that runs over lines
				vars[len(vars)-1].Value += "\n" + l
				continue
			}
			t.Fatalf("snmpwalk line %q: want OID = TYPE: VALUE", l)
		}
		vars = append(vars, snmpVar{OID: m[1], Type: m[2], Value: strings.Trim(m[3], `"`)})
	}
	if len(vars) == 0 {
		t.Fatalf("snmpwalk %s: no variables", oid)
	}
	return vars
}

// TestSNMPFromHost walks the appliance's agent from the host, through
// QEMU's forwarded port, with net-snmp: sysName is the configured
// hostname and CISCO-NETFLOW-MIB's cnfCIActiveFlows is what `show ip
// cache flow` counts.
func TestSNMPFromHost(t *testing.T) {
	p := appliance(t)
	system := p.snmpwalk(t, oidSystem)
	name := ""
	for _, v := range system {
		if v.OID == oidSysName {
			name = v.Value
		}
	}
	if name != probeHostname {
		t.Errorf("sysName is %q, want the configured hostname %q", name, probeHostname)
	}

	// Flows that stay in the cache, so that there is something to count.
	p.cli(t, "configure terminal\nip flow-cache timeout inactive 600\nend\n")
	t.Cleanup(func() { p.cli(t, "clear mls netflow\nconfigure terminal\nip flow-cache timeout inactive 10\nend\n") })
	c := loadCapture(t, "zeek-icmp_dot1q.pcap")
	before := p.cache(t)
	p.feed(t, "eth1", c)
	cli := p.waitMetered(t, before.Packets+c.Want.Total().Packets)

	// The agent reads the count at the ager's passes: poll until it agrees.
	deadline := time.Now().Add(snmpWait)
	for {
		active, ok := -1, false
		for _, v := range p.snmpwalk(t, oidNetflowMIB) {
			if strings.HasPrefix(v.OID, oidCnfCIActiveFlows) {
				n, err := strconv.Atoi(v.Value)
				if err != nil {
					t.Fatalf("cnfCIActiveFlows %s = %s: %q is not a number", v.OID, v.Type, v.Value)
				}
				active, ok = n, true
			}
		}
		if !ok {
			t.Fatalf("the walk of %s has no cnfCIActiveFlows (%s*)", oidNetflowMIB, oidCnfCIActiveFlows)
		}
		if uint64(active) == cli.Active && active > 0 {
			t.Logf("cnfCIActiveFlows = %d = show ip cache flow's active flows", active)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cnfCIActiveFlows = %d, show ip cache flow says %d active (after feeding %s)", active, cli.Active, c.Name)
		}
		time.Sleep(time.Second)
		cli = p.cache(t)
	}
}
