package daemon

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestLinkLogForgetsGoneLinks: 1000 links come and go beside a port that
// stays (a container host); what the link log keeps is the links there
// are, and the port's changes are still logged. Before, every link ever
// announced was kept for the daemon's life.
func TestLinkLogForgetsGoneLinks(t *testing.T) {
	var out strings.Builder
	lw := &linkLog{log: slog.New(slog.NewTextHandler(&out, nil)), fibre: func(string) string { return "" }, known: map[string]link{}}
	lw.note(linkMsg("eth1", 2, true), false)
	churn(lw, 1000)
	if len(lw.known) != 1 {
		t.Errorf("the link log keeps %d links after 1000 came and went, want the 1 there is", len(lw.known))
	}
	lw.note(linkMsg("eth1", 2, false), false)
	if !strings.Contains(out.String(), "Interface eth1, changed state to administratively down") {
		t.Errorf("eth1 going down is not logged:\n%s", out.String())
	}
}

// linkMsg is an announcement of the link named name, up or down.
func linkMsg(name string, index uint32, up bool) rtnetlink.LinkMessage {
	m := rtnetlink.LinkMessage{Index: index, Attributes: &rtnetlink.LinkAttributes{Name: name, OperationalState: rtnetlink.OperStateDown}}
	if up {
		m.Flags = unix.IFF_UP | unix.IFF_LOWER_UP | unix.IFF_RUNNING
		m.Attributes.OperationalState = rtnetlink.OperStateUp
	}
	return m
}

// churn announces n links that each come, go up and go, as a container
// host's veths do.
func churn(lw *linkLog, n uint32) {
	for i := range n {
		name := fmt.Sprintf("veth%x", 0x1000+i)
		lw.note(linkMsg(name, 100+i, false), false)
		lw.note(linkMsg(name, 100+i, true), false)
		lw.note(linkMsg(name, 100+i, false), true)
	}
}

// TestLinkWatchForgetsGoneLinks: 1000 links come, flap and go beside a
// port that stays and flaps (a container host); the flap times the watch
// keeps (JunOS's Last flapped) are the port's alone. Before, an entry per
// link that ever flapped was kept for the daemon's life, by an ifindex
// the kernel never gives again.
func TestLinkWatchForgetsGoneLinks(t *testing.T) {
	var watch linkWatch
	lw := newLinkLog(slog.New(slog.DiscardHandler), func(string) string { return "" }, &watch)
	lw.note(linkMsg("eth1", 2, true), false)
	lw.note(linkMsg("eth1", 2, false), false)
	churn(lw, 1000)
	if len(watch.seen) != 1 || !watch.seen[2].known || watch.seen[2].carrier {
		t.Errorf("the link watch keeps %d links after 1000 came and went, want eth1's (down) alone: eth1 %+v", len(watch.seen), watch.seen[2])
	}
	// A listing of the links there are drops one that went unheard.
	watch.flapped(7, true, 1, time.Now())
	watch.keepOnly(map[uint32]bool{2: true})
	if len(watch.seen) != 1 {
		t.Errorf("after a listing without ifindex 7 the watch keeps %d links, want 1", len(watch.seen))
	}
}

// TestLeasedAddrs: an IPv4 address with a lifetime (what a DHCP client
// adds) is listed as leased on its link, a permanent one is not; show ip
// interface brief prints DHCP and manual for them.
func TestLeasedAddrs(t *testing.T) {
	v := testnet.Enter(t)
	for _, args := range [][]string{
		{"addr", "add", "198.51.100.7/24", "dev", v.Mon, "valid_lft", "600", "preferred_lft", "600"},
		{"addr", "add", "203.0.113.9/24", "dev", v.Src},
	} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", append([]string{"-n", v.NS}, args...)...)); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	mon, err := net.InterfaceByName(v.Mon)
	if err != nil {
		t.Fatal(err)
	}
	src, err := net.InterfaceByName(v.Src)
	if err != nil {
		t.Fatal(err)
	}
	leased := leasedAddrs()
	if got := leased[uint32(mon.Index)]; len(got) != 1 || got[0] != netip.MustParseAddr("198.51.100.7") {
		t.Errorf("leased on %s: %v, want 198.51.100.7", v.Mon, got)
	}
	if got := leased[uint32(src.Index)]; len(got) != 0 {
		t.Errorf("leased on %s: %v, want none (its address is permanent)", v.Src, got)
	}
}
