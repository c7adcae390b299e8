package daemon

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

func ipRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
		t.Fatalf("ip %v: %v: %s", args, err, out)
	}
}

// listenIn opens a UDP socket on a in network namespace ns.
func listenIn(t *testing.T, ns string, a netip.AddrPort) *net.UDPConn {
	t.Helper()
	conn, err := testnet.ListenUDPIn(ns, a)
	if err != nil {
		t.Fatalf("listen on %s in %s: %v", a, ns, err)
	}
	return conn
}

// TestSyslogHostFollowsTheAddress: the box boots before its management
// address is there (DHCP's lease comes later), then the lease moves it to
// another address. The `logging host` socket was opened once per
// configuration: one that could not be opened at the boot stayed closed,
// and one connected from the old address failed every message, both
// until the configuration changed. The host must get the messages from
// the address the box has when they are logged, and show logging count
// each message sent or failed.
func TestSyslogHostFollowsTheAddress(t *testing.T) {
	// The test's own namespace: no default route takes the messages
	// before the address is there.
	testnet.Enter(t)
	ns, near, far := fmt.Sprintf("qalgsa-%d", os.Getpid()), "qalgsa0", "qalgsa1"
	testproc.Run(exec.Command("ip", "netns", "del", ns))
	ipRun(t, "netns", "add", ns)
	t.Cleanup(func() { testproc.Run(exec.Command("ip", "netns", "del", ns)) })
	ipRun(t, "link", "add", near, "type", "veth", "peer", "name", far, "netns", ns)
	ipRun(t, "link", "set", near, "up")
	ipRun(t, "-n", ns, "link", "set", far, "up")
	ipRun(t, "-n", ns, "addr", "add", "10.201.10.2/24", "dev", far)
	host := netip.MustParseAddrPort("10.201.10.2:514")
	conn := listenIn(t, ns, host)
	var mu sync.Mutex
	from := map[netip.Addr][]string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, a, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			mu.Lock()
			from[a.Addr().Unmap()] = append(from[a.Addr().Unmap()], string(buf[:n]))
			mu.Unlock()
		}
	}()
	got := func(a netip.Addr) int {
		mu.Lock()
		defer mu.Unlock()
		return len(from[a])
	}

	b := NewLogBuffer(4096)
	b.Configure(config.Logging{Hosts: []netip.Addr{host.Addr()}}, "tap1")
	log := slog.New(b.Handler(slog.DiscardHandler))
	if shown := b.Show(); !strings.Contains(shown, "not opened: network is unreachable") {
		t.Errorf("with no address yet the host is not said to be unopened:\n%s", shown)
	}
	log.Info("before the lease") // no route: not sent

	first, second := netip.MustParseAddr("10.201.10.1"), netip.MustParseAddr("10.201.10.3")
	ipRun(t, "addr", "add", first.String()+"/24", "dev", near)
	logged := 1
	until := func(a netip.Addr, what string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); got(a) == 0; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: nothing from %s in 10 s; show logging:\n%s", what, a, b.Show())
			}
			log.Info(what, "n", logged)
			logged++
		}
	}
	until(first, "leased")
	log.Info("leased, once more")
	logged++

	ipRun(t, "addr", "del", first.String()+"/24", "dev", near)
	ipRun(t, "addr", "add", second.String()+"/24", "dev", near)
	log.Info("renumbered")
	logged++
	until(second, "renumbered again")
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	<-done

	shown := b.Show()
	var sent, failed int
	for _, l := range strings.Split(shown, "\n") {
		if strings.HasPrefix(l, "        Logging to 10.201.10.2  (udp port 514), ") {
			fmt.Sscanf(l, "        Logging to 10.201.10.2  (udp port 514), %d message lines logged, %d message lines failed", &sent, &failed)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	received := len(from[first]) + len(from[second])
	// Each message is sent or counted failed: the one before the lease,
	// and those logged before the socket was opened again (at most one
	// try a second).
	if len(from) != 2 || received != sent || sent+failed != logged || failed < 1 {
		t.Errorf("%d messages logged; received by source %d from %s, %d from %s (%d sources); show logging counts %d sent, %d failed:\n%s",
			logged, len(from[first]), first, len(from[second]), second, len(from), sent, failed, shown)
	}
	if !slices.ContainsFunc(from[second], func(m string) bool { return strings.Contains(m, "renumbered") }) {
		t.Errorf("the first message after the address moved did not arrive from %s: %q", second, from[second])
	}
}
