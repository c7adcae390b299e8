package ios

import (
	"slices"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestFNFShowScreens: IOS-XE's `show flow` commands, each with and
// without a name, the statistics and the cache in both formats, and a
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
show flow monitor FNF-MON ?`)
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
