// Package testnet gives tests a network namespace with a veth pair: a
// monitored end and a source end to send frames from. Test support only.
package testnet

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/internal/testproc"
)

// Veth is a namespace holding a veth pair: frames sent into Src arrive on
// Mon. Enter moves the test's thread into it, so sockets the test opens
// and processes it starts live there too.
type Veth struct {
	NS       string
	Mon, Src string
	MonIndex int
	SrcIndex int
}

// enters numbers the namespaces this process made.
var enters atomic.Int64

// Enter creates the namespace (IPv6 autoconfiguration off, so only the
// test's frames flow; loopback up) and moves the calling goroutine's
// thread into it until the test ends.
func Enter(t testing.TB) *Veth {
	t.Helper()
	return EnterQueues(t, 1)
}

// EnterQueues is Enter with a veth pair of queues RX and TX queues each:
// frames sent from different CPUs arrive on different queues, and XDP runs
// on each sender's CPU, as with a multi-queue NIC's RSS.
func EnterQueues(t testing.TB, queues int) *Veth {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root for network namespaces (make test runs as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("ip not found: install Debian's iproute2 (make deps)")
	}
	// A name of its own per call: a namespace deleted by the test before
	// goes away asynchronously, and one of the same name made at once
	// left tests of one process with a veth that delivered no frame.
	sweepOnce.Do(func() { sweepStale("/run/netns", "/sys/fs/bpf") })
	v := &Veth{NS: fmt.Sprintf("flowtap-test-%d-%d", os.Getpid(), enters.Add(1)), Mon: "vmon", Src: "vsrc"}
	run := func(args ...string) {
		t.Helper()
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	testproc.Run(exec.Command("ip", "netns", "del", v.NS))
	run("netns", "add", v.NS)
	t.Cleanup(func() { testproc.Run(exec.Command("ip", "netns", "del", v.NS)) })
	for _, k := range []string{"all", "default"} {
		run("netns", "exec", v.NS, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/"+k+"/disable_ipv6")
	}
	q := []string{}
	if queues > 1 {
		n := fmt.Sprint(queues)
		q = []string{"numtxqueues", n, "numrxqueues", n}
	}
	run(append(append([]string{"-n", v.NS, "link", "add", v.Mon}, q...), append([]string{"type", "veth", "peer", "name", v.Src}, q...)...)...)
	for _, l := range []string{v.Mon, v.Src, "lo"} {
		run("-n", v.NS, "link", "set", l, "up")
	}
	runtime.LockOSThread()
	orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
	if err != nil {
		t.Fatal(err)
	}
	target, err := os.Open(filepath.Join("/run/netns", v.NS))
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		t.Fatalf("enter netns %s: %v", v.NS, err)
	}
	t.Cleanup(func() {
		unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET)
		orig.Close()
		runtime.UnlockOSThread()
	})
	for _, x := range []struct {
		name string
		idx  *int
	}{{v.Mon, &v.MonIndex}, {v.Src, &v.SrcIndex}} {
		ifc, err := net.InterfaceByName(x.name)
		if err != nil {
			t.Fatal(err)
		}
		*x.idx = ifc.Index
	}
	return v
}

// Send writes raw frames into the source end with an AF_PACKET socket,
// from one CPU (the lowest the thread may use): a veth runs its peer's
// XDP on the sending CPU, and the meter keys each flow's entry by the CPU
// that metered it (datapath/README.md, "Single-writer entries"), so
// frames sent from one CPU are one NIC queue's and one flow stays one
// entry, as on a router with RSS.
func (v *Veth) Send(t testing.TB, frames [][]byte) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var was unix.CPUSet
	if err := unix.SchedGetaffinity(0, &was); err != nil {
		t.Fatalf("read CPU affinity: %v", err)
	}
	if was.Count() > 1 {
		var one unix.CPUSet
		cpu := 0
		for !was.IsSet(cpu) {
			cpu++
		}
		one.Set(cpu)
		if err := unix.SchedSetaffinity(0, &one); err != nil {
			t.Fatalf("pin the sender to CPU %d: %v", cpu, err)
		}
		defer unix.SchedSetaffinity(0, &was) //nolint:errcheck // restoring what it read
	}
	proto := binary.BigEndian.Uint16([]byte{0x00, 0x03}) // htons(ETH_P_ALL)
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(proto))
	if err != nil {
		t.Fatalf("packet socket: %v", err)
	}
	defer unix.Close(fd)
	sa := &unix.SockaddrLinklayer{Ifindex: v.SrcIndex, Protocol: proto}
	for _, f := range frames {
		if err := unix.Sendto(fd, f, 0, sa); err != nil {
			t.Fatalf("send %d-byte frame: %v", len(f), err)
		}
	}
}

// AddPair adds another veth pair to the namespace, both ends up: frames
// sent into src arrive on mon (a second fibre of a tap, say). It returns
// the ends' ifindexes.
func (v *Veth) AddPair(t testing.TB, mon, src string) (monIndex, srcIndex int) {
	t.Helper()
	for _, args := range [][]string{
		{"-n", v.NS, "link", "add", mon, "type", "veth", "peer", "name", src},
		{"-n", v.NS, "link", "set", mon, "up"},
		{"-n", v.NS, "link", "set", src, "up"},
	} {
		if out, err := testproc.CombinedOutput(exec.Command("ip", args...)); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	for _, x := range []struct {
		name string
		idx  *int
	}{{mon, &monIndex}, {src, &srcIndex}} {
		ifc, err := net.InterfaceByName(x.name)
		if err != nil {
			t.Fatal(err)
		}
		*x.idx = ifc.Index
	}
	return monIndex, srcIndex
}
