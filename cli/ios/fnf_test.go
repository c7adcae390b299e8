package ios

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/flow"
	"github.com/flowtap/flowtap/cli/show"
)

// TestFNFShowScreens: IOS-XE's `show flow` commands, each with and
// without a name (typed alone and after IOS-XE's `name`), the statistics and the cache in both formats, and a
// name not configured (testdata/fnf-show.golden).
func TestFNFShowScreens(t *testing.T) {
	s := NewSession(&fakeBackend{cfg: config.Config{Hostname: "tap1"}}, true)
	s.priv = 15
	got := transcript(s, `show flow record
show flow record FNF-REC
show flow record NONE
show flow exporter
show flow exporter FNF-EXP statistics
show flow exporter statistics
show flow monitor
show flow monitor FNF-MON
show flow monitor FNF-MON statistics
show flow monitor SPARE statistics
show flow monitor FNF-MON cache
show flow monitor FNF-MON cache format record
show flow monitor SPARE cache
show flow interface
show flow interface eth1
show flow ?
show flow monitor FNF-MON ?
show flow monitor ?
show flow monitor name FNF-MON cache format table
show flow monitor name FNF-MON statistics
show flow monitor name FNF-MON
show flow monitor name NONE cache
show flow exporter name FNF-EXP statistics
show flow exporter name FNF-EXP`)
	goldenScreen(t, "fnf-show", got)
}

// TestFNFConfigureTranscript: an operator types a Flexible NetFlow
// section at the CLI: the sub-mode prompts, `?` in each, every refusal as
// IOS's `% reason` with the good lines applied, and the running-config
// showing the blocks (testdata/fnf-configure.golden).
func TestFNFConfigureTranscript(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, true)
	s.priv = 15
	got := transcript(s, `configure terminal
flow record REC
 ?
 match ?
 match ipv4 ?
 match ipv4 source address
 match ipv4 destination address
 match ipv6 source address
 match datalink mac source address input
 collect counter bytes long
 collect ipv4 ttl minimum
 match ipv4 dscp
 collect ipv4 dscp
 exit
flow exporter EXP
 ?
 destination 192.0.2.10
 transport udp 2055
 export-protocol ipfix
 dscp 46
 option exporter-stats
 exit
flow monitor MON
 ?
 record REC
 record netflow ipv4 original-input
 exporter EXP
 exporter NONE
 cache timeout active 60
 cache type permanent
 exit
flow monitor OTHER
 record netflow-original
 exit
interface eth1
 ip flow monitor MON input
 ip flow monitor OTHER input
 ipv6 flow monitor MON input
 ip flow monitor NONE output
 end
show running-config | section flow|interface`)
	goldenScreen(t, "fnf-configure", got)
}

// TestFNFClearForms: each `clear flow monitor|exporter` form, with and
// without IOS-XE's `name` keyword, takes its clear path (force-export and
// cache purge the cache, exporting; statistics clears the cache's or the
// exporter's counters), and a name not configured or a monitor without a
// cache is refused with IOS's `%` line, clearing nothing
// (testdata/fnf-clear.golden).
func TestFNFClearForms(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, true)
	s.priv = 15
	type step struct {
		line string
		path []string
	}
	steps := []step{
		{"clear flow monitor name FNF-MON force-export", []string{"purge"}},
		{"clear flow monitor name FNF-MON cache", []string{"purge"}},
		{"clear flow monitor name FNF-MON cache force-export", []string{"purge"}},
		{"clear flow monitor FNF-MON force-export", []string{"purge"}},
		{"clear flow monitor name FNF-MON statistics", []string{"cache statistics"}},
		{"clear flow monitor FNF-MON statistics", []string{"cache statistics"}},
		{"clear flow monitor name SPARE statistics", nil},
		{"clear flow monitor name SPARE force-export", nil},
		{"clear flow monitor name NONE cache", nil},
		{"clear flow monitor name FNF-MON", nil},
		{"clear flow monitor name FNF-MON bogus", nil},
		{"clear flow exporter name FNF-EXP statistics", []string{"exporter statistics 192.0.2.10:2055"}},
		{"clear flow exporter FNF-EXP statistics", []string{"exporter statistics 192.0.2.10:2055"}},
		{"clear flow exporter statistics", []string{"exporter statistics 192.0.2.10:2055"}},
		{"clear flow exporter name NONE statistics", nil},
		{"clear flow exporter FNF-EXP", nil},
	}
	var script []string
	for _, st := range steps {
		f.fnfClears = nil
		transcript(s, st.line)
		if !slices.Equal(f.fnfClears, st.path) {
			t.Errorf("%s: took %q, want %q", st.line, f.fnfClears, st.path)
		}
		script = append(script, st.line)
	}
	script = append(script, "clear flow ?", "clear flow monitor name FNF-MON ?", "clear flow monitor name FNF-MON cache ?", "clear flow exporter ?")
	goldenScreen(t, "fnf-clear", transcript(s, strings.Join(script, "\n")))
}

// fnfFlowsBackend is fakeBackend with several flows in the monitor's
// cache, for the cache's filter, sort and top.
type fnfFlowsBackend struct {
	*fakeBackend
	flows []flow.Record
}

func (b fnfFlowsBackend) FNF() show.FNFView {
	v := b.fakeBackend.FNF()
	v.Cache.Flows = b.flows
	v.Cache.Stats.AllocFailures = 3
	return v
}

// TestFNFCacheOptions: `show flow monitor NAME cache` with each format
// (csv: the table's columns, one line a flow, no counters), a filter on
// each kind of field, sort highest and lowest on counters and addresses,
// top with and without a number, the three together, a bad value with
// its caret, and `| json` keeping the query's flows
// (testdata/fnf-cache-options.golden).
func TestFNFCacheOptions(t *testing.T) {
	flows := []flow.Record{}
	for i, f := range []struct {
		src, dst   string
		sp, dp     uint16
		proto, tos uint8
		pkts, byts uint64
	}{
		{"10.0.0.1", "10.0.0.2", 1024, 80, 6, 0, 7, 900},
		{"10.0.0.3", "192.0.2.9", 53, 53, 17, 0xb8, 2, 140},
		{"10.0.0.2", "10.0.0.1", 80, 1024, 6, 0, 9, 12000},
		{"198.51.100.7", "10.0.0.1", 0, 2048, 1, 0, 4, 336},
	} {
		flows = append(flows, flow.Record{Key: flow.Key{SrcAddr: netip.MustParseAddr(f.src), DstAddr: netip.MustParseAddr(f.dst),
			SrcPort: f.sp, DstPort: f.dp, Proto: f.proto, ToS: f.tos, InputIf: 3}, OutputIf: uint32(i), Packets: f.pkts, Bytes: f.byts})
	}
	s := NewSession(fnfFlowsBackend{&fakeBackend{cfg: config.Config{Hostname: "tap1"}}, flows}, true)
	s.priv = 15
	got := transcript(s, `show flow monitor FNF-MON cache format csv
show flow monitor FNF-MON cache filter ipv4 destination address 10.0.0.1 format csv
show flow monitor FNF-MON cache filter ipv4 protocol 6 format csv
show flow monitor FNF-MON cache filter ipv4 tos 184 format csv
show flow monitor FNF-MON cache filter transport destination-port 53 format csv
show flow monitor FNF-MON cache filter interface input eth1 format csv
show flow monitor FNF-MON cache filter interface input eth2 format csv
show flow monitor FNF-MON cache filter ipv6 source address 2001:db8::1 format csv
show flow monitor FNF-MON cache sort highest counter bytes long format csv
show flow monitor FNF-MON cache sort lowest counter packets format csv
show flow monitor FNF-MON cache sort lowest ipv4 source address top 2 format csv
show flow monitor FNF-MON cache sort highest counter bytes top format csv
show flow monitor FNF-MON cache filter ipv4 protocol 6 sort highest counter packets long top 1
show flow monitor FNF-MON cache filter ipv4 protocol 6 sort lowest transport source-port format record
show flow monitor FNF-MON cache filter ipv4 source address 10.0.0.300
show flow monitor FNF-MON cache filter transport source-port 70000
show flow monitor FNF-MON cache sort highest counter bytes top 0
show flow monitor FNF-MON cache ?
show flow monitor FNF-MON cache filter ?
show flow monitor FNF-MON cache sort highest ?
show flow monitor FNF-MON cache sort highest counter bytes ?
show flow monitor FNF-MON cache format ?
show flow monitor FNF-MON cache filter ipv4 protocol 6 sort highest counter bytes top 1 | json`)
	goldenScreen(t, "fnf-cache-options", got)
}
