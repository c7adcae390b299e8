package snmp

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/datapath/dpstats"
	"github.com/flowtap/flowtap/internal/mibfiles"
)

// flowtapModule is flowtap's own module, mibs/FLOWTAP-MIB.my: the file an
// operator loads into the NMS. These tests hold it to the agent.
const flowtapModule = "FLOWTAP-MIB"

// TestFlowtapMIBFileParses: net-snmp reads the module without an error or
// a warning about it, even at its most detailed warning level (-PW), where
// it only says, for each table, that an entry's SEQUENCE type has no
// display translation, as it says for every table of every module.
func TestFlowtapMIBFileParses(t *testing.T) {
	// At the default level any message but the known ones about
	// testdata/mibs fails Run.
	out, err := mibfiles.Run(t, flowtapModule, "snmptranslate", "-Tp", "FLOWTAP-MIB::flowtap")
	if err != nil || !strings.Contains(out, "flowtapCacheHighWater(1)") {
		t.Fatalf("snmptranslate -Tp: %v\n%s", err, out)
	}
	_, stderr, err := run(t, "snmptranslate", "-M", mibfiles.FlowtapDir()+":"+mibfiles.Dir()+":"+mibfiles.NetSNMPDir,
		"-m", flowtapModule, "-PW", "-Le", "-On", "FLOWTAP-MIB::flowtap")
	if err != nil {
		t.Fatalf("snmptranslate -PW: %v\n%s", err, stderr)
	}
	entryType := regexp.MustCompile(`^Warning: No known translation for type \(Flowtap\w+Entry\)`)
	for _, l := range lines(stderr) {
		if strings.Contains(l, "FLOWTAP-MIB") && !entryType.MatchString(l) {
			t.Errorf("snmptranslate -PW: %s", l)
		}
	}
}

// flowtapMIBOIDs is every name the module defines under flowtap's arc,
// by dotted OID (no leading dot), as snmptranslate -Tz lists them.
func flowtapMIBOIDs(t *testing.T) map[string]string {
	t.Helper()
	out, err := mibfiles.Run(t, flowtapModule, "snmptranslate", "-Tz")
	if err != nil {
		t.Fatalf("snmptranslate -Tz: %v", err)
	}
	re := regexp.MustCompile(`^"(\w+)"\s+"(1\.3\.6\.1\.4\.1\.32473\.1(\.[\d.]+)?)"$`)
	names := map[string]string{}
	for _, l := range lines(out) {
		if m := re.FindStringSubmatch(l); m != nil {
			names[m[2]] = m[1]
		}
	}
	if len(names) < 50 {
		t.Fatalf("snmptranslate -Tz lists %d names under 1.3.6.1.4.1.32473.1", len(names))
	}
	return names
}

// TestFlowtapMIBFileMatchesAgent walks everything the agent serves under
// 1.3.6.1.4.1.32473 with FLOWTAP-MIB loaded: each instance is an object the
// module defines (by name, and by the name the code gives it), with the
// module's syntax, and each object the module says can be read has an
// instance; sysObjectID and the notification are the module's too.
func TestFlowtapMIBFileMatchesAgent(t *testing.T) {
	b := newFakeBackend()
	b.export.Collectors[0].LostRecords, b.export.Collectors[0].Unreachable = 2600, true
	cfg := testConfig(b)
	cfg.Netflow = datapathBackend{b, DatapathStats{
		Frames: 100, IPv4: 90, MeteredPackets: 90,
		Overload: &dpstats.Overload{Configured: true, Active: true, Rate: 16, Entered: 3, Time: 125 * time.Second},
		Unparsed: []DatapathReason{{Name: "non-ip", Count: 10}, {Name: "truncated-l2", Count: 0}},
	}}
	a, v4, _ := startAgent(t, cfg)
	mib := flowtapMIBOIDs(t)

	// The code's names are the module's, at the same OIDs.
	code := map[string]string{
		oidProbe.String():          "flowtapProbe",
		oidCacheHighWater.String(): "flowtapCacheHighWater",
		oidFibreSilent.String():    "flowtapFibreSilent",
		oidFibreReceives.String():  "flowtapFibreReceives",
	}
	for _, n := range a.Registry().current() {
		if !n.oid.HasPrefix(oidFlowtap) {
			continue
		}
		if n.scalar != nil {
			code[n.oid.String()] = n.scalar.Name
			continue
		}
		code[n.table.Entry[:len(n.table.Entry)-1].String()] = n.table.Name
		for _, c := range n.table.Columns {
			code[n.table.Entry.Append(c.ID).String()] = c.Name
		}
	}
	if len(code) < 40 {
		t.Fatalf("the agent registers %d objects under flowtap's arc", len(code))
	}
	for _, o := range slices.Sorted(maps.Keys(code)) {
		if mib[o] != code[o] {
			t.Errorf("%s: the code says %s, FLOWTAP-MIB %q", o, code[o], mib[o])
		}
	}

	objects := mibfiles.Accessible(t, flowtapModule, "FLOWTAP-MIB::flowtap")
	out, err := mibfiles.Run(t, flowtapModule, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-OS", v4, "1.3.6.1.4.1.32473")
	if err != nil {
		t.Fatalf("snmpbulkwalk: %v", err)
	}
	// -OS names each instance MODULE::object.index; an OID the module
	// does not define prints as its nearest defined ancestor plus
	// numbers, whose name is not an accessible object.
	inst := regexp.MustCompile(`^FLOWTAP-MIB::(\w+)\.(\S+) = (.*)$`)
	got := map[string][]string{}
	n := 0
	for _, l := range lines(out) {
		n++
		m := inst.FindStringSubmatch(l)
		switch {
		case strings.Contains(l, "Wrong Type"):
			t.Errorf("the agent's syntax is not FLOWTAP-MIB's: %s", l)
		case m == nil || !slices.Contains(objects, m[1]):
			t.Errorf("not an object of FLOWTAP-MIB: %s", l)
		default:
			got[m[1]] = append(got[m[1]], l)
		}
	}
	for _, o := range objects {
		if len(got[o]) == 0 {
			t.Errorf("%s: no instance", o)
		}
	}
	if n < 50 {
		t.Errorf("the walk has %d lines", n)
	}
	// Instances and values as an NMS shows them: the collector index
	// read through CISCO-NETFLOW-MIB's index objects, TruthValue by name.
	wantLines(t, out,
		`FLOWTAP-MIB::flowtapDpFrames.0 = Counter64: 100`,
		`FLOWTAP-MIB::flowtapDpOverloadRate.0 = Gauge32: 16`,
		`FLOWTAP-MIB::flowtapDpOverloadSeconds.0 = Counter64: 125 seconds`,
		`FLOWTAP-MIB::flowtapUnparsedReason.1 = STRING: non-ip`,
		`FLOWTAP-MIB::flowtapUnparsedFrames.1 = Counter64: 10`,
		`FLOWTAP-MIB::flowtapExportLostFlows.main.ipv4."192.0.2.1".2055 = Counter64: 2600`,
		`FLOWTAP-MIB::flowtapExportUnreachable.main.ipv4."192.0.2.1".2055 = INTEGER: true(1)`,
		`FLOWTAP-MIB::flowtapUsmUserAccessListRefused.0 = Counter32: 0`,
	)
	// sysObjectID reads as the module's product.
	out, err = mibfiles.Run(t, "SNMPv2-MIB:"+flowtapModule, "snmpget", "-v2c", "-c", roCommunity, "-OS", v4, "SNMPv2-MIB::sysObjectID.0")
	if err != nil || !strings.Contains(out, "= OID: FLOWTAP-MIB::flowtapProbe") {
		t.Errorf("sysObjectID with FLOWTAP-MIB: %v\n%s", err, out)
	}
}
