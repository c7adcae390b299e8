package daemon

import (
	"fmt"
	"testing"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/flowtap/flowtap/appliance/tap"
)

func fibreLink(name string, index uint32, rx uint64) link {
	return link{name: name, adminUp: true, carrier: true, msg: rtnetlink.LinkMessage{Index: index,
		Attributes: &rtnetlink.LinkAttributes{Name: name, Stats64: &rtnetlink.LinkStats64{RXPackets: rx}}}}
}

// TestSilentFibreIsNotAQuietLink: a lit fibre that receives nothing for
// silentAfter while the other receives is silent (logged once, and once
// when it receives again); both fibres quiet is a quiet link, not a
// fault; a port added again is watched from its new device's counter.
func TestSilentFibreIsNotAQuietLink(t *testing.T) {
	taps := []tap.Link{{Name: "uplink", IfIndex: 64001, FibreA: tap.Port{Name: "eth1"}, FibreB: tap.Port{Name: "eth2"}}}
	var fi fibreInput
	var logged []string
	log := func(tag, fibre, port, partner string) { logged = append(logged, tag+" "+fibre+" "+port+" "+partner) }
	t0 := time.Unix(1000, 0)
	step := func(at time.Duration, rxA, rxB uint64, idxB uint32) map[string]fibreNow {
		links := map[string]link{"eth1": fibreLink("eth1", 3, rxA), "eth2": fibreLink("eth2", idxB, rxB)}
		return fi.sample(taps, links, t0.Add(at), log)
	}
	state := func(n fibreNow) string {
		return fmt.Sprintf("silent=%v received=%v last=%v idle=%v", n.silent, n.received, n.lastFrame, n.idle)
	}
	step(0, 10, 5, 4)
	// Both quiet for a minute: a quiet link.
	if s := step(time.Minute, 10, 5, 4); s["eth1"].silent || s["eth2"].silent || s["eth2"].received {
		t.Errorf("quiet link: A %s, B %s", state(s["eth1"]), state(s["eth2"]))
	}
	// A receives, B not: B silent once silentAfter has passed since it was watched.
	s := step(time.Minute+5*time.Second, 20, 5, 4)
	if !s["eth2"].silent || s["eth2"].partnerArm != "A" || s["eth1"].silent {
		t.Errorf("A receiving, B quiet since it was watched: B %s (%q), A %s", state(s["eth2"]), s["eth2"].partnerArm, state(s["eth1"]))
	}
	step(time.Minute+10*time.Second, 30, 5, 4)
	// B receives: no longer silent.
	s = step(time.Minute+15*time.Second, 40, 9, 4)
	if s["eth2"].silent || !s["eth2"].received || s["eth2"].lastFrame != 0 {
		t.Errorf("B receiving again: %s", state(s["eth2"]))
	}
	// B's port added again (new ifindex, counter from zero): watched anew,
	// not silent before silentAfter.
	s = step(time.Minute+20*time.Second, 50, 0, 8)
	if s["eth2"].silent || s["eth2"].received {
		t.Errorf("B's new device: %s", state(s["eth2"]))
	}
	want := []string{"FLOWTAP-4-FIBRE_SILENT Tap uplink fibre B eth2 fibre A", "FLOWTAP-5-FIBRE_RECEIVES Tap uplink fibre B eth2 "}
	if fmt.Sprint(logged) != fmt.Sprint(want) {
		t.Errorf("logged\n%q\nwant\n%q", logged, want)
	}
}
