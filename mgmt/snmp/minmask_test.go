package snmp

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testproc"
)

func (b *fakeBackend) SetAggregationMinMask(s platform.Scheme, source bool, bits uint8) error {
	return b.record("SetAggregationMinMask", fmt.Sprint(s, source, bits), func() {
		for i := range b.cache.Aggregations {
			if a := &b.cache.Aggregations[i]; a.Type == uint32(s) {
				if source {
					a.SourceMinMask = bits
				} else {
					a.DestinationMinMask = bits
				}
			}
		}
	})
}

// TestNetSNMPSetMinMasks: cnfCIMinSourceMask and cnfCIMinDestinationMask
// are the aggregation caches' `mask ... minimum`, set by name as an NMS
// does; what the line does not take is refused with the error the MIB's
// rules give, and changes nothing.
func TestNetSNMPSetMinMasks(t *testing.T) {
	b := newFakeBackend()
	b.cache.Aggregations = append(b.cache.Aggregations, AggregationCacheStats{Type: uint32(platform.SchemeDestinationPrefix), Enabled: true, Entries: 2048})
	_, v4, _ := startAgent(t, testConfig(b))
	set := func(args ...string) (string, error) {
		return mibfiles.Run(t, netflowModule, "snmpset", append([]string{"-v2c", "-c", rwCommunity, "-t", "2", "-r", "0", "-Os", v4}, args...)...)
	}
	if _, err := set("cnfCIMinSourceMask.prefix", "u", "20", "cnfCIMinDestinationMask.destinationPrefix", "u", "28"); err != nil {
		t.Fatal(err)
	}
	wantLines(t, strings.Join(b.Calls(), "\n"),
		"SetAggregationMinMask prefix true 20",
		"SetAggregationMinMask destination-prefix false 28")
	c, _ := b.CacheStats()
	if c.Aggregations[0].SourceMinMask != 20 || c.Aggregations[1].DestinationMinMask != 28 {
		t.Errorf("after the set: %+v", c.Aggregations)
	}
	before := len(b.Calls())
	// By number, so that net-snmp sends what the MIB file would stop.
	const srcMask, mainType, dstPrefix = "1.3.6.1.4.1.9.9.387.1.1.2.1.8", ".0", ".4"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{srcMask + ".5", "u", "33"}, "wrongValue"},
		{[]string{srcMask + mainType, "u", "16"}, "notWritable"},
		{[]string{srcMask + dstPrefix, "u", "16"}, "inconsistentValue"},
		{[]string{srcMask + ".5", "i", "16"}, "wrongType"},
		{[]string{srcMask + ".7", "u", "16"}, "noCreation"},
	} {
		out, err := testproc.CombinedOutput(exec.Command("snmpset", append([]string{"-v2c", "-c", rwCommunity, "-t", "2", "-r", "0", "-m", "", v4}, tc.args...)...))
		if err == nil || !strings.Contains(string(out), "Reason: "+tc.want) {
			t.Errorf("set %v: %v, want %s\n%s", tc.args, err, tc.want, out)
		}
	}
	// 0 is `no mask source minimum`.
	if _, err := set("cnfCIMinSourceMask.prefix", "u", "0"); err != nil {
		t.Fatal(err)
	}
	if calls := b.Calls()[before:]; len(calls) != 1 || calls[0] != "SetAggregationMinMask prefix true 0" {
		t.Errorf("calls after the refused sets: %q", calls)
	}
}
