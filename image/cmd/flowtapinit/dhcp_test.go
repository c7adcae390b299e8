package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/flowtap/flowtap/internal/testproc"
	"github.com/flowtap/flowtap/mgmt/dhcplease"
)

// childLinkEnv, when set, makes the test binary a management-link client:
// flowtapinit's network start-up on that link, then its DHCP client for
// as long as the process lives, logging to stdout. The tests start it in
// a network namespace of its own (a goroutine cannot keep one: the
// client's goroutines run on any thread).
const childLinkEnv = "FLOWTAPINIT_TEST_MGMT_LINK"

// childBootWaitEnv, when set, is the client's wait for a first lease at
// boot instead of dhcpBootWait.
const childBootWaitEnv = "FLOWTAPINIT_TEST_DHCP_BOOT_WAIT"

func TestMain(m *testing.M) {
	if link := os.Getenv(childLinkEnv); link != "" {
		log := newLogger(os.Stdout)
		s := settings{Mgmt: os.Getenv("FLOWTAPINIT_TEST_MGMT"), MgmtLink: link, RunDir: os.Getenv("FLOWTAPINIT_TEST_RUN")}
		if d, err := time.ParseDuration(os.Getenv(childBootWaitEnv)); err == nil {
			s.DHCPBootWait = d
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		m, err := setUpLinks(context.Background(), log, s)
		if err != nil {
			log.Printf("network: %v", err)
			os.Exit(1)
		}
		<-sig // an orderly stop, as flowtapinit's
		if m != nil {
			m.release()
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestLeaseFromACKTimes(t *testing.T) {
	// Covered end to end by TestDHCPLifecycle against dnsmasq; here the
	// clamping of a server's out-of-order T1/T2, which dnsmasq refuses
	// to send.
	for _, tc := range []struct {
		lease, t1, t2  time.Duration
		wantT1, wantT2 time.Duration
	}{
		{120 * time.Second, 0, 0, 60 * time.Second, 105 * time.Second},
		{120 * time.Second, 4 * time.Second, 8 * time.Second, 4 * time.Second, 8 * time.Second},
		{120 * time.Second, 200 * time.Second, 300 * time.Second, 120 * time.Second, 120 * time.Second},
		{120 * time.Second, 50 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second},
	} {
		ack := testACK(t, tc.lease, tc.t1, tc.t2)
		l, err := leaseFromACK(ack, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if l.T1 != tc.wantT1 || l.T2 != tc.wantT2 || l.Lease != tc.lease {
			t.Errorf("lease %s T1 %s T2 %s: got lease %s T1 %s T2 %s, want T1 %s T2 %s",
				tc.lease, tc.t1, tc.t2, l.Lease, l.T1, l.T2, tc.wantT1, tc.wantT2)
		}
		if l.Addr.String() != "192.0.2.50/24" || l.Router.String() != "192.0.2.1" || l.Server.String() != "192.0.2.1" {
			t.Errorf("lease %v: want 192.0.2.50/24 gateway 192.0.2.1 from 192.0.2.1", l)
		}
	}
}

// TestDHCPLifecycle runs flowtapinit's management-link DHCP against a
// real server, dnsmasq, across a veth between two network namespaces,
// through what a box left up for months meets: booted with the server
// down, the server coming up, renewals, the server's range changed, the
// server gone past the lease's end. dnsmasq's shortest lease is 2
// minutes; T1 and T2 are 4 and 8 s (options 58 and 59), and the two
// scenarios run side by side, so the test takes about as long as one
// lease.
func TestDHCPLifecycle(t *testing.T) {
	dnsmasq, err := exec.LookPath("dnsmasq")
	if err != nil {
		t.Skip("dnsmasq not found: install Debian's dnsmasq-base (.ci/deps does) to run the DHCP client against a real server")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test makes network namespaces: run it as root (make test does)")
	}
	t.Run("BootServerDownRenewRangeChange", func(t *testing.T) {
		t.Parallel()
		n := newDHCPNet(t, "a")
		leases := filepath.Join(t.TempDir(), "leases")

		// Boot with the server down: no address, and no 10.0.2.15 either.
		cl := n.startClient(t, "dhcp")
		cl.wait(t, 15*time.Second, `DHCP: no lease in 8s: eth0 stays unaddressed, DHCP goes on trying`)
		if a := n.clientAddrs(t); a != "" {
			t.Fatalf("eth0 with no DHCP server: addresses %q, want none", a)
		}

		// The server comes up: the client, still trying, gets a lease
		// with the server's router and T1/T2.
		srv := n.startServer(t, dnsmasq, leases, "10.77.0.50,10.77.0.59", "10.77.0.1")
		line := cl.wait(t, 90*time.Second, `network: eth0 (10\.77\.0\.5\d/24) gateway 10\.77\.0\.1 by DHCP from server 10\.77\.0\.1, lease 2m0s \(renew in 4s, rebind in 8s\)`)
		addr := regexp.MustCompile(`10\.77\.0\.5\d/24`).FindString(line)
		ip := regexp.QuoteMeta(strings.TrimSuffix(addr, "/24"))
		if a := n.clientAddrs(t); a != addr {
			t.Fatalf("after the lease: eth0 has %q, want %s", a, addr)
		}
		if r := n.clientRoute(t); !strings.Contains(r, "default via 10.77.0.1 dev eth0") {
			t.Fatalf("after the lease: routes %q, want default via 10.77.0.1 dev eth0", r)
		}
		exp0 := leaseExpiry(t, leases, strings.TrimSuffix(addr, "/24"))

		// Renewal at T1 (4 s): the server's lease moves on.
		cl.wait(t, 15*time.Second, `DHCP: renewing `+ip+` with server 10\.77\.0\.1 \(T1, unicast\)`)
		cl.wait(t, 10*time.Second, ip+` renewed by server 10\.77\.0\.1: lease 2m0s`)
		if exp1 := leaseExpiry(t, leases, strings.TrimSuffix(addr, "/24")); exp1 <= exp0 {
			t.Errorf("after a renewal the server's lease ends at %d, as before (%d)", exp1, exp0)
		}

		// The server's range changes: the next renewal is refused, the
		// address goes, and the new range's address comes.
		srv.stop(t)
		srv2 := n.startServer(t, dnsmasq, leases, "10.77.0.100,10.77.0.109", "10.77.0.1")
		cl.wait(t, 30*time.Second, ip+`: server 10\.77\.0\.1 refused it \(NAK: address not available\): address and default route removed, discovering again`)
		line = cl.wait(t, 30*time.Second, `network: eth0 (10\.77\.0\.10\d/24) gateway 10\.77\.0\.1 by DHCP`)
		addr2 := regexp.MustCompile(`10\.77\.0\.10\d/24`).FindString(line)
		if a := n.clientAddrs(t); a != addr2 {
			t.Fatalf("after the range changed: eth0 has %q, want only %s", a, addr2)
		}
		if r := n.clientRoute(t); !strings.Contains(r, "default via 10.77.0.1 dev eth0") {
			t.Fatalf("after the range changed: routes %q, want default via 10.77.0.1 dev eth0", r)
		}
		ip2 := regexp.QuoteMeta(strings.TrimSuffix(addr2, "/24"))
		cl.wait(t, 15*time.Second, ip2+` renewed by server 10\.77\.0\.1`)

		// The server moves to 10.77.0.2 and names itself the router: the
		// renewal sent to 10.77.0.1 goes unanswered, the rebind at T2
		// (broadcast) reaches it, and the default route follows.
		srv2.stop(t)
		n.ip(t, "-n", n.srvNS, "addr", "del", "10.77.0.1/24", "dev", "dhcps")
		n.ip(t, "-n", n.srvNS, "addr", "add", "10.77.0.2/24", "dev", "dhcps")
		n.startServer(t, dnsmasq, leases, "10.77.0.100,10.77.0.109", "10.77.0.2")
		cl.wait(t, 15*time.Second, `no answer from server 10\.77\.0\.1 by T2: rebinding `+ip2+` with any server \(broadcast\)`)
		cl.wait(t, 15*time.Second, ip2+` rebound by server 10\.77\.0\.2: lease 2m0s`)
		cl.wait(t, 5*time.Second, `DHCP: gateway changed from 10\.77\.0\.1 to 10\.77\.0\.2`)
		if a := n.clientAddrs(t); a != addr2 {
			t.Errorf("after the rebind: eth0 has %q, want %s", a, addr2)
		}
		if r := n.clientRoute(t); !strings.Contains(r, "default via 10.77.0.2 dev eth0") || strings.Contains(r, "10.77.0.1 ") {
			t.Errorf("after the rebind: routes %q, want only default via 10.77.0.2 dev eth0", r)
		}
		// Renewals go to the new server.
		cl.wait(t, 15*time.Second, `DHCP: renewing `+ip2+` with server 10\.77\.0\.2 \(T1, unicast\)`)
		cl.wait(t, 10*time.Second, ip2+` renewed by server 10\.77\.0\.2`)
	})
	t.Run("BootWaitEndsDuringTheProbe", func(t *testing.T) {
		t.Parallel()
		// The boot waits 1 s for a lease and the probe of an offered
		// address takes 1.6 s (three probes 300 ms apart, then a
		// second's listening), so the boot's wait ends during it. The
		// address must not then be used unprobed: the boot goes on
		// without a lease, and the discovery after it probes the address
		// whole before using it. (Before, a probe cut short was taken
		// for one that could not run, and the address was used.)
		n := newDHCPNet(t, "p")
		srv := n.startServer(t, dnsmasq, filepath.Join(t.TempDir(), "leases"), "10.77.0.60,10.77.0.69", "10.77.0.1", "--no-ping")
		// The server listening before the client asks, so that the
		// boot's one second holds the exchange and the probe's start.
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(srv.out.String(), "sockets bound"); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("dnsmasq did not start:\n%s", srv.out.String())
			}
		}
		cl := n.startClientEnv(t, "dhcp", []string{childBootWaitEnv + "=1s"}, t.TempDir())
		cl.wait(t, 15*time.Second, `DHCP: no lease in 1s: eth0 stays unaddressed, DHCP goes on trying`)
		cl.wait(t, 15*time.Second, `eth0 10\.77\.0\.6[0-9]/24 .*by DHCP from server 10\.77\.0\.1`)
		if l := cl.find(`unprobed`); l != "" {
			t.Errorf("the address was used unprobed: %s", l)
		}
	})
	t.Run("ProbeDeclineRoutesNameServersRelease", func(t *testing.T) {
		t.Parallel()
		n := newDHCPNet(t, "d")
		// The server reserves 10.77.0.50 for the client, but a host
		// configured by hand has it: a third namespace on the server's
		// side of the link (a macvlan of its end). dnsmasq's own ping
		// check is off, as a server that does none.
		const mac = "02:77:00:00:00:01"
		n.ip(t, "-n", n.cliNS, "link", "set", "eth0", "address", mac)
		occ := n.srvNS + "-o"
		n.ip(t, "netns", "add", occ)
		t.Cleanup(func() { testproc.Run(exec.Command("ip", "netns", "del", occ)) })
		n.ip(t, "-n", n.srvNS, "link", "add", "occ", "link", "dhcps", "type", "macvlan", "mode", "bridge")
		n.ip(t, "-n", n.srvNS, "link", "set", "occ", "netns", occ)
		n.ip(t, "-n", occ, "addr", "add", "10.77.0.50/24", "dev", "occ")
		n.ip(t, "-n", occ, "link", "set", "occ", "up")
		leases := filepath.Join(t.TempDir(), "leases")
		srv := n.startServer(t, dnsmasq, leases, "10.77.0.50,10.77.0.59", "10.77.0.9",
			"--no-ping", "--dhcp-host="+mac+",10.77.0.50",
			// Option 121: with it, option 3 (10.77.0.9) is ignored (RFC 3442).
			"--dhcp-option=121,192.0.2.0/24,10.77.0.254,0.0.0.0/0,10.77.0.1",
			"--dhcp-option=6,10.77.0.53,10.77.0.54", "--dhcp-option=15,mgmt.example.net")
		run := t.TempDir()
		cl := n.startClient(t, "dhcp", run)

		// The ARP probe is answered: the address is declined, not used.
		cl.wait(t, 15*time.Second, `DHCP: 10\.77\.0\.50 is in use by [0-9a-f:]{17} \(it answered an ARP probe\): declined to server 10\.77\.0\.1; next try in 10s`)
		if a := n.clientAddrs(t); a != "" {
			t.Errorf("after the DECLINE eth0 has %q, want no address", a)
		}
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(srv.out.String(), "DHCPDECLINE(dhcps) 10.77.0.50 "+mac); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("dnsmasq heard no DECLINE of 10.77.0.50:\n%s", srv.out.String())
			}
		}
		// The server offers another address, free: that one is used,
		// with option 121's routes and not option 3's router.
		line := cl.wait(t, 40*time.Second, `network: eth0 (10\.77\.0\.5[1-9]/24) routes 192\.0\.2\.0/24 via 10\.77\.0\.254, 0\.0\.0\.0/0 via 10\.77\.0\.1 \(option 121\) by DHCP from server 10\.77\.0\.1`)
		addr := regexp.MustCompile(`10\.77\.0\.5[1-9]/24`).FindString(line)
		ip := strings.TrimSuffix(addr, "/24")
		cl.wait(t, 5*time.Second, `DHCP: name servers 10\.77\.0\.53 10\.77\.0\.54, domain "mgmt\.example\.net"`)
		if a := n.clientAddrs(t); a != addr {
			t.Errorf("eth0 has %q, want %s", a, addr)
		}
		r := n.clientRoute(t)
		for _, want := range []string{"default via 10.77.0.1 dev eth0", "192.0.2.0/24 via 10.77.0.254 dev eth0"} {
			if !strings.Contains(r, want) {
				t.Errorf("routes %q: no %q", r, want)
			}
		}
		if strings.Contains(r, "10.77.0.9") {
			t.Errorf("routes %q: option 3's router 10.77.0.9 is used beside option 121", r)
		}
		lf := dhcplease.Path(run, "eth0")
		data, err := os.ReadFile(lf)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"interface eth0\n", "address " + addr + "\n", "server 10.77.0.1\n", "route 192.0.2.0/24 10.77.0.254\n",
			"route 0.0.0.0/0 10.77.0.1\n", "name-server 10.77.0.53\nname-server 10.77.0.54\n", "domain mgmt.example.net\n"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("lease file lacks %q:\n%s", want, data)
			}
		}
		// The routes stay through a renewal.
		cl.wait(t, 15*time.Second, regexp.QuoteMeta(ip)+` renewed by server 10\.77\.0\.1`)
		if r := n.clientRoute(t); !strings.Contains(r, "192.0.2.0/24 via 10.77.0.254") || !strings.Contains(r, "default via 10.77.0.1") {
			t.Errorf("after a renewal routes %q", r)
		}

		// An orderly stop gives the lease back: the server forgets it.
		cl.cmd.Process.Signal(syscall.SIGTERM)
		cl.wait(t, 5*time.Second, `DHCP: released `+regexp.QuoteMeta(ip)+` to server 10\.77\.0\.1`)
		<-cl.exited
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(srv.out.String(), "DHCPRELEASE(dhcps) "+ip+" "+mac); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("dnsmasq heard no RELEASE of %s:\n%s", ip, srv.out.String())
			}
		}
		if data, _ := os.ReadFile(leases); strings.Contains(string(data), " "+ip+" ") {
			t.Errorf("dnsmasq still leases %s after the RELEASE:\n%s", ip, data)
		}
		if _, err := os.Stat(lf); !os.IsNotExist(err) {
			t.Errorf("the lease file is still there after the release: %v", err)
		}
	})
	t.Run("CablePluggedLater", func(t *testing.T) {
		t.Parallel()
		n := newDHCPNet(t, "c")
		// The cable is out: the server's end of the veth is down, so the
		// client's eth0 has no carrier.
		n.ip(t, "-n", n.srvNS, "link", "set", "dhcps", "down")
		n.startServer(t, dnsmasq, filepath.Join(t.TempDir(), "leases"), "10.77.0.50,10.77.0.59", "10.77.0.1")
		cl := n.startClient(t, "dhcp")
		cl.wait(t, 15*time.Second, `DHCP: no lease in 8s: eth0 stays unaddressed, DHCP goes on trying`)
		cl.wait(t, 15*time.Second, `DHCP: no offer \(try 2, `)
		// Plugged in: the client asks at once rather than at the end of
		// its backoff.
		n.ip(t, "-n", n.srvNS, "link", "set", "dhcps", "up")
		cl.wait(t, 5*time.Second, `DHCP: carrier up: discovering at once`)
		cl.wait(t, 10*time.Second, `network: eth0 10\.77\.0\.5\d/24 gateway 10\.77\.0\.1 by DHCP`)
	})
	t.Run("ServerGonePastLeaseFallback", func(t *testing.T) {
		t.Parallel()
		n := newDHCPNet(t, "b")
		leases := filepath.Join(t.TempDir(), "leases")
		srv := n.startServer(t, dnsmasq, leases, "10.77.0.50,10.77.0.59", "10.77.0.1")
		// The operator asked for a fallback address: held only while no
		// lease is.
		cl := n.startClient(t, "dhcp:192.0.2.15/24")
		line := cl.wait(t, 30*time.Second, `network: eth0 (10\.77\.0\.5\d/24) gateway 10\.77\.0\.1 by DHCP from server 10\.77\.0\.1`)
		addr := regexp.MustCompile(`10\.77\.0\.5\d/24`).FindString(line)
		ip := regexp.QuoteMeta(strings.TrimSuffix(addr, "/24"))
		srv.stop(t)

		// The server is gone: renewing, then rebinding (broadcast) after
		// T2, then at the lease's end the address and the default route
		// are given up and the fallback is put back.
		cl.wait(t, 10*time.Second, `DHCP: renewing `+ip)
		cl.wait(t, 10*time.Second, `no answer from server 10\.77\.0\.1 by T2: rebinding `+ip+` with any server \(broadcast\)`)
		cl.wait(t, 150*time.Second, `lease of `+regexp.QuoteMeta(addr)+` expired without renewal \(held 2m\d+s\): address and default route removed, discovering again; 192\.0\.2\.15/24 meanwhile`)
		if a := n.clientAddrs(t); a != "192.0.2.15/24" {
			t.Errorf("after the lease's end: eth0 has %q, want only the fallback 192.0.2.15/24", a)
		}
		if r := n.clientRoute(t); strings.Contains(r, "default") {
			t.Errorf("after the lease's end: routes %q, want no default", r)
		}

		// The server is back: its lease replaces the fallback.
		n.startServer(t, dnsmasq, leases, "10.77.0.50,10.77.0.59", "10.77.0.1")
		line = cl.wait(t, 30*time.Second, `network: eth0 (10\.77\.0\.5\d/24) gateway 10\.77\.0\.1 by DHCP`)
		addr = regexp.MustCompile(`10\.77\.0\.5\d/24`).FindString(line)
		if a := n.clientAddrs(t); a != addr {
			t.Errorf("with a lease again: eth0 has %q, want only %s", a, addr)
		}
	})
}

// dhcpNet is two namespaces: the server's (dhcps, 10.77.0.1/24) and the
// client's (eth0), joined by a veth.
type dhcpNet struct{ srvNS, cliNS string }

func newDHCPNet(t *testing.T, name string) *dhcpNet {
	n := &dhcpNet{srvNS: fmt.Sprintf("dhcpm-s%s-%d", name, os.Getpid()), cliNS: fmt.Sprintf("dhcpm-c%s-%d", name, os.Getpid())}
	t.Cleanup(func() {
		testproc.Run(exec.Command("ip", "netns", "del", n.srvNS))
		testproc.Run(exec.Command("ip", "netns", "del", n.cliNS))
	})
	for _, args := range [][]string{
		{"netns", "add", n.srvNS},
		{"netns", "add", n.cliNS},
		{"-n", n.srvNS, "link", "add", "dhcps", "type", "veth", "peer", "name", "eth0", "netns", n.cliNS},
		{"-n", n.srvNS, "addr", "add", "10.77.0.1/24", "dev", "dhcps"},
		{"-n", n.srvNS, "link", "set", "dhcps", "up"},
		{"-n", n.srvNS, "link", "set", "lo", "up"},
	} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return n
}

func (n *dhcpNet) ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// clientAddrs is eth0's IPv4 addresses in the client's namespace.
func (n *dhcpNet) clientAddrs(t *testing.T) string {
	out, err := testproc.CombinedOutput(exec.Command("ip", "-n", n.cliNS, "-4", "-o", "addr", "show", "dev", "eth0"))
	if err != nil {
		t.Fatalf("ip addr: %v\n%s", err, out)
	}
	var addrs []string
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		for i := range f {
			if f[i] == "inet" && i+1 < len(f) {
				addrs = append(addrs, f[i+1])
			}
		}
	}
	return strings.Join(addrs, " ")
}

func (n *dhcpNet) clientRoute(t *testing.T) string {
	out, err := testproc.CombinedOutput(exec.Command("ip", "-n", n.cliNS, "-4", "route", "show"))
	if err != nil {
		t.Fatalf("ip route: %v\n%s", err, out)
	}
	return string(out)
}

// dhcpServer is a dnsmasq serving DHCP only, in the server's namespace.
type dhcpServer struct {
	cmd  *exec.Cmd
	done chan struct{}
	out  syncWriter // its log
}

// startServer runs dnsmasq with a 2-minute lease (its shortest) and T1 4 s,
// T2 8 s (options 58 and 59), so renewals and rebinds come in seconds.
// extra are more dnsmasq options.
func (n *dhcpNet) startServer(t *testing.T, dnsmasq, leases, rng, router string, extra ...string) *dhcpServer {
	args := append([]string{"netns", "exec", n.srvNS, dnsmasq,
		"--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--user=root",
		"--interface=dhcps", "--bind-interfaces", "--dhcp-authoritative",
		"--dhcp-range=" + rng + ",255.255.255.0,2m", "--dhcp-option=3," + router,
		"--dhcp-option=58,4", "--dhcp-option=59,8",
		"--dhcp-leasefile=" + leases, "--pid-file=" + leases + ".pid", "--log-dhcp", "--log-facility=-"}, extra...)
	cmd := exec.Command("ip", args...)
	s := &dhcpServer{cmd: cmd, done: make(chan struct{})}
	out := &s.out
	cmd.Stdout, cmd.Stderr = out, out
	if err := testproc.Start(cmd); err != nil {
		t.Fatalf("dnsmasq: %v", err)
	}
	go func() { cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("dnsmasq %s:\n%s", rng, out.String())
		}
	})
	return s
}

func (s *dhcpServer) stop(t *testing.T) {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// leaseExpiry is the end (Unix seconds) dnsmasq's lease file gives ip.
func leaseExpiry(t *testing.T, file, ip string) int64 {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("dnsmasq's lease file: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && f[2] == ip {
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				t.Fatalf("lease file line %q: %v", l, err)
			}
			return n
		}
	}
	t.Fatalf("dnsmasq's lease file has no lease of %s:\n%s", ip, data)
	return 0
}

// dhcpClient is the test binary as flowtapinit's network start-up, in
// the client's namespace.
type dhcpClient struct {
	mu     sync.Mutex
	lines  []string
	next   int
	more   chan struct{}
	cmd    *exec.Cmd
	exited chan struct{}
}

// runDir, when set, is the client's runtime directory (its lease file).
func (n *dhcpNet) startClient(t *testing.T, mgmt string, runDir ...string) *dhcpClient {
	return n.startClientEnv(t, mgmt, nil, runDir...)
}

// startClientEnv is startClient with more of the client's environment.
func (n *dhcpNet) startClientEnv(t *testing.T, mgmt string, env []string, runDir ...string) *dhcpClient {
	cmd := exec.Command("ip", "netns", "exec", n.cliNS, os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childLinkEnv+"=eth0", "FLOWTAPINIT_TEST_MGMT="+mgmt), env...)
	if len(runDir) > 0 {
		cmd.Env = append(cmd.Env, "FLOWTAPINIT_TEST_RUN="+runDir[0])
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := testproc.Start(cmd); err != nil {
		t.Fatalf("client: %v", err)
	}
	c := &dhcpClient{more: make(chan struct{}, 1), cmd: cmd, exited: make(chan struct{})}
	go func() {
		defer close(c.exited)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
			select {
			case c.more <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-c.exited
		cmd.Wait()
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.Failed() || testing.Verbose() {
			t.Logf("client's log:\n%s", strings.Join(c.lines, "\n"))
		}
	})
	return c
}

// find returns the first line of the whole log so far that matches
// pattern, or "".
func (c *dhcpClient) find(pattern string) string {
	re := regexp.MustCompile(pattern)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if re.MatchString(l) {
			return l
		}
	}
	return ""
}

// wait returns the first line after the last one waited for that matches
// pattern.
func (c *dhcpClient) wait(t *testing.T, d time.Duration, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(d)
	for {
		c.mu.Lock()
		for ; c.next < len(c.lines); c.next++ {
			if re.MatchString(c.lines[c.next]) {
				l := c.lines[c.next]
				c.next++
				c.mu.Unlock()
				return l
			}
		}
		c.mu.Unlock()
		select {
		case <-c.more:
		case <-deadline:
			t.Fatalf("client logged no line matching %q in %s", pattern, d)
		}
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// testACK is an ACK of 192.0.2.50/24 from 192.0.2.1 (also the router)
// with the given lease time and T1/T2 (0: not sent).
func testACK(t *testing.T, lease, t1, t2 time.Duration) *dhcpv4.DHCPv4 {
	t.Helper()
	mods := []dhcpv4.Modifier{
		dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithYourIP(net.IPv4(192, 0, 2, 50)),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)),
		dhcpv4.WithRouter(net.IPv4(192, 0, 2, 1)),
		dhcpv4.WithServerIP(net.IPv4(192, 0, 2, 1)),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(192, 0, 2, 1))),
		dhcpv4.WithLeaseTime(uint32(lease / time.Second)),
	}
	if t1 != 0 {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.OptionRenewTimeValue, secs(t1))))
	}
	if t2 != 0 {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.OptionRebindingTimeValue, secs(t2))))
	}
	ack, err := dhcpv4.New(mods...)
	if err != nil {
		t.Fatal(err)
	}
	return ack
}

func secs(d time.Duration) []byte { return binary.BigEndian.AppendUint32(nil, uint32(d/time.Second)) }
