package rtnl

import (
	"net"
	"net/netip"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// inNewNetns runs f on a thread in a fresh network namespace (only lo,
// down), leaving the host's alone. The thread is dropped afterwards.
func inNewNetns(t *testing.T, f func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test makes a network namespace: run it as root (make test does)")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with its namespace
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			t.Errorf("unshare network namespace: %v", err)
			return
		}
		f()
	}()
	<-done
}

func TestSetUpAddAddrRoute(t *testing.T) {
	inNewNetns(t, func() {
		c, err := Dial()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		lo, err := net.InterfaceByName("lo")
		if err != nil {
			t.Error(err)
			return
		}
		if err := c.SetUp(lo.Index); err != nil {
			t.Error(err)
		}
		if err := c.AddAddr(lo.Index, netip.MustParsePrefix("192.0.2.15/24")); err != nil {
			t.Error(err)
		}
		if err := c.AddAddr(lo.Index, netip.MustParsePrefix("192.0.2.15/24")); err != nil {
			t.Errorf("adding the same address again: %v", err)
		}
		if err := c.AddDefaultRoute(lo.Index, netip.MustParseAddr("192.0.2.2")); err != nil {
			t.Error(err)
		}
		lo, _ = net.InterfaceByName("lo")
		if lo.Flags&net.FlagUp == 0 {
			t.Error("lo is not up")
		}
		addrs, _ := lo.Addrs()
		found := false
		for _, a := range addrs {
			found = found || a.String() == "192.0.2.15/24"
		}
		if !found {
			t.Errorf("lo addresses %v lack 192.0.2.15/24", addrs)
		}
		if err := c.SetUp(1 << 20); err == nil {
			t.Error("setting a link that does not exist up: no error")
		}
	})
}
