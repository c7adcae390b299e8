package snmp

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
)

const ipfixModules = mibfiles.IPFIXModules

// IPFIX is the fake's RFC 6615 view: its v9 and IPFIX destinations with a
// data and an options template each, the main cache and a prefix
// aggregation cache, two ports, and three selection processes.
func (b *fakeBackend) IPFIX() (IPFIXState, error) {
	e, _ := b.ExportStats()
	st := sessionsFromExport(e)
	sent := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	for i := range st.Sessions {
		s := &st.Sessions[i]
		s.Templates, s.OptionsTemplates = 7, 3
		s.Templ = []IPFIXTemplate{
			{ID: 256, SetID: 2, LastSent: sent, Records: 1150, Fields: []IPFIXField{
				{IE: 8, Length: 4, Flow: true}, {IE: 12, Length: 4, Flow: true}, {IE: 2, Length: 8}, {IE: 1, Length: 8},
				{IE: 6, Length: 8, Enterprise: 29305}}},
			{ID: 258, SetID: 3, Records: 2, Fields: []IPFIXField{{IE: 48, Length: 1, Scope: true}, {IE: 49, Length: 1}, {IE: 50, Length: 4}}},
		}
	}
	st.Caches = []MeteringProcess{
		{CacheID: 1, ObservationGroup: 1, Active: 30 * time.Minute, Idle: 15 * time.Second, ActiveFlows: 33, Free: 4063, DataRecords: 1152, Since: time.Now()},
		{CacheID: 6, ObservationGroup: 1, Active: 30 * time.Minute, Idle: 15 * time.Second, ActiveFlows: 12, Free: 2036, DataRecords: 40},
	}
	st.ObservationPoints = []ObservationPoint{{Group: 1, Index: 1, IfIndex: 2, Direction: DirIngress}, {Group: 1, Index: 2, IfIndex: 64001, Direction: DirEgress}}
	st.Selections = []SelectionProcess{
		{Cache: 1, Index: 1, Name: "global", Kind: SelectAll, Interval: 1, Observed: 500},
		{Cache: 1, Index: 2, Name: "one-in-ten", Kind: SelectCountBased, Interval: 10, Observed: 1000, Dropped: 900},
		{Cache: 1, Index: 3, Name: "rand", Kind: SelectRandOutOfN, Interval: 100, Observed: 1000, Dropped: 990},
		{Cache: 1, Index: 1001, Name: "101 on eth1", Kind: SelectFilterMatch, Observed: 77, Dropped: 7},
	}
	return st, nil
}

// TestNetSNMPWalkIPFIXMIBFile walks IPFIX-MIB and the selector functions
// with the RFCs' own module files: every accessible object answers with
// its syntax, and the values read as the MIB names them.
func TestNetSNMPWalkIPFIXMIBFile(t *testing.T) {
	b := newFakeBackend()
	_, v4, _ := startAgent(t, testConfig(b))
	objects := append(mibfiles.Accessible(t, ipfixModules, "1.3.6.1.2.1.193"), mibfiles.Accessible(t, ipfixModules, "1.3.6.1.2.1.194")...)
	if len(objects) < 40 {
		t.Errorf("the MIB files list %d accessible objects: %q", len(objects), objects)
	}
	var all []string
	got := map[string]bool{}
	for _, root := range []string{"1.3.6.1.2.1.193", "1.3.6.1.2.1.194"} {
		out, err := mibfiles.Run(t, ipfixModules, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Os", v4, root)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines(out) {
			if strings.Contains(l, "Wrong Type") {
				t.Errorf("net-snmp says the agent's syntax is not the MIB's: %s", l)
			}
			if m := instanceRE.FindStringSubmatch(l); m != nil {
				got[m[1]] = true
				all = append(all, l)
			}
		}
	}
	for _, o := range objects {
		if !got[o] && !slices.Contains(mibfiles.PSAMPUnavailable, o) {
			t.Errorf("%s: no instance", o)
		}
	}
	wantLines(t, strings.Join(all, "\n"),
		`ipfixTransportSessionProtocol.1 = Gauge32: 17`,
		`ipfixTransportSessionIpfixVersion.2 = Gauge32: 10`,
		`ipfixTransportSessionStatus.1 = INTEGER: active(2)`,
		`ipfixTemplateSetId.1.0.256 = Gauge32: 2`,
		`ipfixTemplateSetId.2.0.258 = Gauge32: 3`,
		`ipfixTemplateAccessTime.1.0.256 = STRING: 2026-12-6,4:0:0.0,+0:0`,
		`ipfixTemplateDefinitionIeId.1.0.256.1 = Gauge32: 8`,
		`ipfixTemplateDefinitionFlags.1.0.256.1 = BITS: 40 flowKey(1) `,
		`ipfixTemplateDefinitionFlags.1.0.258.1 = BITS: 80 scope(0) `,
		`ipfixTemplateDefinitionFlags.1.0.256.3 = BITS: 00 `,
		`ipfixTemplateDefinitionEnterpriseNumber.1.0.256.5 = Gauge32: 29305`,
		`ipfixTemplateDefinitionIeLength.1.0.258.3 = Gauge32: 4`,
		`ipfixExportMemberType.1.1.1 = INTEGER: parallel(3)`,
		`ipfixMeteringProcessCacheActiveTimeout.1 = Gauge32: 1800 seconds`,
		`ipfixMeteringProcessCacheIdleTimeout.6 = Gauge32: 15 seconds`,
		`ipfixObservationPointPhysicalInterface.1.2 = INTEGER: 64001`,
		`ipfixObservationPointPhysicalEntityDirection.1.1 = INTEGER: ingress(1)`,
		`ipfixSelectionProcessSelectorFunction.1.1.1 = OID: ipfixFuncSelectAll`,
		`ipfixSelectionProcessSelectorFunction.1.2.1 = OID: psampSampCountBasedInterval.2`,
		`ipfixSelectionProcessSelectorFunction.1.3.1 = OID: psampSampRandOutOfNSize.3`,
		`ipfixSelectionProcessSelectorFunction.1.1001.1 = OID: psampFiltPropMatch`,
		`ipfixTransportSessionTemplates.1 = Counter64: 7`,
		`ipfixTemplateDataRecords.1.0.256 = Counter64: 1150`,
		`ipfixMeteringProcessCacheActiveFlows.1 = Gauge32: 33`,
		`ipfixMeteringProcessCacheUnusedCacheEntries.6 = Gauge32: 2036`,
		`ipfixMeteringProcessCacheDataRecords.1 = Counter64: 1152`,
		`ipfixSelectionProcessStatsPacketsObserved.1.2.1 = Counter64: 1000`,
		`ipfixSelectionProcessStatsPacketsDropped.1.2.1 = Counter64: 900`,
		`ipfixSelectionProcessStatsPacketsDropped.1.1001.1 = Counter64: 7`,
		`psampSampCountBasedInterval.2 = Gauge32: 1 packets`,
		`psampSampCountBasedSpace.2 = Gauge32: 9 packets`,
		`psampSampRandOutOfNSize.3 = Gauge32: 1 packets`,
		`psampSampRandOutOfNPopulation.3 = Gauge32: 100 packets`,
		`ipfixFuncSelectAllAvail.0 = INTEGER: true(1)`,
		`psampSampTimeBasedAvail.0 = INTEGER: false(2)`,
	)
}
