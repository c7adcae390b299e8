package snmp

import (
	"context"
	"slices"
	"testing"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/mgmt/hostres"
)

// TestWholeTreeMatchesMIBFiles walks everything the agent serves, v2c
// and v3, as an NMS loaded with every MIB file flowtap relies on
// (testdata/mibs, mibs/FLOWTAP-MIB.my, net-snmp's UCD-SNMP-MIB) reads it:
// the walk ends at the end of the MIB view, in strictly increasing
// order; every instance is one of an accessible object some file
// defines, and carries that object's SYNTAX (type, range, enumeration,
// size); every object the agent registers has the name its file gives
// it at that OID, and every scalar is in the walk.
func TestWholeTreeMatchesMIBFiles(t *testing.T) {
	b := newFakeBackend()
	cfg := testConfig(b)
	cfg.Interfaces = staticInterfaces{
		{Index: 1, Name: "lo", ARPType: 772, MTU: 65536, Flags: 0x10049, Stats: InterfaceStats{RxBytes: 1 << 40, RxPackets: 5}},
		{Index: 2, Name: "eth1", ARPType: 1, MTU: 1500, Flags: 0x11143, SpeedMbps: 10000},
	}
	cpu := &hostres.CPUAverages{}
	cfg.CPU = cpu
	if err := cpu.Sample(); err != nil {
		t.Fatal(err)
	}
	a, v4, _ := startAgent(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cpu.Run(ctx)

	out, stderr, err := run(t, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Cc", "-Cr25", "-Ox", "-Ot", v4, ".1")
	if err != nil {
		t.Fatalf("snmpbulkwalk: %v\n%s", err, stderr)
	}
	insts, defs := mibfiles.CheckWalk(t, out)

	v3out, stderr, err := run(t, "snmpbulkwalk", "-v3", "-l", "authPriv", "-u", userSHA, "-a", "SHA", "-A", authPass, "-x", "AES", "-X", privPass,
		"-Cc", "-Cr60", "-Ox", "-Ot", v4, ".1")
	if err != nil {
		t.Fatalf("snmpbulkwalk v3: %v\n%s", err, stderr)
	}
	// The host's processes (hrSWRunTable) and addresses come and go
	// between the two walks: each instance both have must have one type,
	// and all but a few must be in both.
	v3, end := mibfiles.ParseWalk(t, v3out)
	if !end {
		t.Errorf("the v3 walk did not end at the end of the MIB view")
	}
	v2type := map[string]string{}
	for _, in := range insts {
		v2type[in.Name] = in.Type
	}
	common := 0
	for i, in := range v3 {
		if i > 0 && slices.Compare(v3[i-1].OID, in.OID) >= 0 {
			t.Errorf("v3 walk: %s after %s", in.Name, v3[i-1].Name)
		}
		if typ, ok := v2type[in.Name]; ok {
			common++
			if typ != in.Type {
				t.Errorf("%s: v3 walk %s, v2c %s", in.Name, in.Type, typ)
			}
		}
	}
	if common < len(insts)*9/10 {
		t.Errorf("the v3 walk shares %d of the v2c walk's %d instances", common, len(insts))
	}

	// The registry's names against the files': a column or scalar
	// numbered wrong would be read as another object.
	walked := map[string]mibfiles.Definition{}
	for _, in := range insts {
		walked[OID(in.OID).String()] = defs[in.Name]
	}
	seen := map[string]bool{}
	for _, in := range insts {
		d := defs[in.Name]
		seen[d.Object] = true
	}
	for _, n := range a.reg.current() {
		if n.scalar != nil {
			d, ok := walked[n.oid.Append(0).String()]
			if !ok {
				t.Errorf("scalar %s (%s) is not in the walk", n.scalar.Name, n.oid)
			} else if d.Object != n.scalar.Name {
				t.Errorf("scalar %s (%s) is %s::%s in the files", n.scalar.Name, n.oid, d.Module, d.Object)
			}
			continue
		}
		for _, c := range n.table.Columns {
			col := n.oid.Append(c.ID).String()
			for o, d := range walked {
				if len(o) > len(col) && o[:len(col)+1] == col+"." && d.Object != c.Name {
					t.Errorf("%s column %d (%s) is %s::%s in the files", n.table.Name, c.ID, c.Name, d.Module, d.Object)
					break
				}
			}
		}
	}
	if !seen["cempMemPoolHCUsed"] {
		t.Errorf("the walk has no cempMemPoolHCUsed, which LibreNMS reads first")
	}
}
