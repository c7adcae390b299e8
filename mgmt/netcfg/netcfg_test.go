package netcfg

import (
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

func TestMonitorSetsPromiscuous(t *testing.T) {
	v := testnet.Enter(t)
	for _, want := range []bool{true, false} {
		var err error
		if want {
			err = Monitor(v.Mon)
		} else {
			err = Release(v.Mon)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := Promiscuous(v.Mon)
		if err != nil || got != want {
			t.Fatalf("promiscuous %v (%v), want %v", got, err, want)
		}
	}
}

// TestLinksAndWatch: the dump lists the test's veth, and the watch sees
// the flag change Monitor makes.
func TestLinksAndWatch(t *testing.T) {
	v := testnet.Enter(t)
	w, err := WatchLinks()
	if err != nil {
		t.Fatal(err)
	}
	links, err := Links()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range links {
		names = append(names, l.Attributes.Name)
	}
	slices.Sort(names)
	if want := []string{"lo", v.Mon, v.Src}; !slices.Equal(names, slices.Sorted(slices.Values(want))) {
		t.Errorf("links %v, want %v", names, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	promisc := make(chan bool, 16)
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(l rtnetlink.LinkMessage, _ bool) {
			if l.Attributes != nil && l.Attributes.Name == v.Mon {
				select {
				case promisc <- l.Flags&unix.IFF_PROMISC != 0:
				default:
				}
			}
		})
	}()
	if err := Monitor(v.Mon); err != nil {
		t.Fatal(err)
	}
	select {
	case on := <-promisc:
		if !on {
			t.Error("the announcement after Monitor is not promiscuous")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no link announcement after Monitor")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	// /sys is the mount of the namespace the test started in: lo is in
	// every one.
	if got := Sysfs("lo", "address"); got != "00:00:00:00:00:00" {
		t.Errorf("sysfs address of lo %q", got)
	}
	if got := Sysfs("../x", "address"); got != "" {
		t.Errorf("a name with a slash read %q", got)
	}
	if got := SpeedMbps("lo"); got != 0 {
		t.Errorf("lo speed %d, want 0 (unknown)", got)
	}
}

// TestWatchSaysGone: a link added and deleted is announced as there,
// then as gone, so a watcher can forget it.
func TestWatchSaysGone(t *testing.T) {
	v := testnet.Enter(t)
	w, err := WatchLinks()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type event struct {
		name string
		gone bool
	}
	events := make(chan event, 64)
	go w.Run(ctx, func(l rtnetlink.LinkMessage, gone bool) {
		if l.Attributes != nil && l.Attributes.Name == "gone0" {
			events <- event{l.Attributes.Name, gone}
		}
	})
	v.AddPair(t, "gone0", "gone1")
	if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "link", "del", "gone0")); err != nil {
		t.Fatalf("ip link del: %v\n%s", err, out)
	}
	var seen []event
	for deadline := time.After(30 * time.Second); ; {
		select {
		case e := <-events:
			seen = append(seen, e)
			if e.gone {
				if seen[0].gone {
					t.Errorf("announcements %v: gone before it was there", seen)
				}
				return
			}
		case <-deadline:
			t.Fatalf("announcements of gone0 %v: none says it is gone", seen)
		}
	}
}
