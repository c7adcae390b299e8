package ios

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// Where reload cannot restart the box (flowtapd on a host), reload says
// so at once: it asked to save a modified configuration and to confirm,
// saved it if told to, and only then refused.
func TestReloadRefusedBeforeItsQuestions(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}, modified: true, noReload: true}
	s := NewSession(f, true)
	got := transcript(s, "reload\nyes")
	want := "tap1#reload\n% reload is not available in host mode\n" +
		"tap1#yes\n% Unknown command or computer name, or unable to find computer address\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if f.saved != 0 || f.reloads != 0 {
		t.Errorf("saved %d times, reloaded %d times: want neither", f.saved, f.reloads)
	}
}
