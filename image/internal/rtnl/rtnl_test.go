package rtnl

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/internal/testproc"
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

func TestAddrLifetimeDelAddrRoute(t *testing.T) {
	inNewNetns(t, func() {
		c, err := Dial()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		lo, _ := net.InterfaceByName("lo")
		if err := c.SetUp(lo.Index); err != nil {
			t.Error(err)
		}
		p := netip.MustParsePrefix("192.0.2.15/24")
		if err := c.AddAddrLifetime(lo.Index, p, 90*time.Second); err != nil {
			t.Error(err)
		}
		// The kernel counts the lifetime down: `ip addr` shows it.
		out, _ := testproc.CombinedOutput(exec.Command("ip", "-o", "-4", "addr", "show", "dev", "lo"))
		if !regexp.MustCompile(`192\.0\.2\.15/24 .*valid_lft (89|90)sec preferred_lft (89|90)sec`).Match(out) {
			t.Errorf("lo after adding 192.0.2.15/24 for 90 s:\n%s", out)
		}
		// A renewed lease: the same address again, its lifetime replaced.
		if err := c.AddAddrLifetime(lo.Index, p, 300*time.Second); err != nil {
			t.Error(err)
		}
		out, _ = testproc.CombinedOutput(exec.Command("ip", "-o", "-4", "addr", "show", "dev", "lo"))
		if !regexp.MustCompile(`192\.0\.2\.15/24 .*valid_lft (299|300)sec preferred_lft (299|300)sec`).Match(out) {
			t.Errorf("lo after adding 192.0.2.15/24 again for 300 s:\n%s", out)
		}
		if err := c.AddDefaultRoute(lo.Index, netip.MustParseAddr("192.0.2.2")); err != nil {
			t.Error(err)
		}
		if err := c.DelDefaultRoute(lo.Index, netip.MustParseAddr("192.0.2.2")); err != nil {
			t.Error(err)
		}
		if err := c.DelDefaultRoute(lo.Index, netip.MustParseAddr("192.0.2.2")); !errors.Is(err, unix.ESRCH) {
			t.Errorf("removing the default route again: %v, want ESRCH", err)
		}
		if err := c.DelAddr(lo.Index, p); err != nil {
			t.Error(err)
		}
		if err := c.DelAddr(lo.Index, p); !errors.Is(err, unix.EADDRNOTAVAIL) {
			t.Errorf("removing the address again: %v, want EADDRNOTAVAIL", err)
		}
		out, _ = testproc.CombinedOutput(exec.Command("ip", "-4", "addr", "show", "dev", "lo"))
		if strings.Contains(string(out), "192.0.2.15") {
			t.Errorf("lo after removing 192.0.2.15/24:\n%s", out)
		}
		out, _ = testproc.CombinedOutput(exec.Command("ip", "-4", "route", "show"))
		if strings.Contains(string(out), "default") {
			t.Errorf("routes after removing the default:\n%s", out)
		}
	})
}
