package ios

import (
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
