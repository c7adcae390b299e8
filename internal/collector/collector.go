// Package collector runs the flow tools nobody here wrote (nfpcapd, nfcapd,
// nfdump) for tests and sums what they report per one-way 5-tuple, the unit
// flowtap is compared on. Test support only: it takes a testing.TB.
package collector

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// Tuple is a one-way 5-tuple.
type Tuple struct {
	Proto            uint8
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
}

func (t Tuple) String() string {
	return fmt.Sprintf("%d %s:%d > %s:%d", t.Proto, t.Src, t.SrcPort, t.Dst, t.DstPort)
}

// Counts are packets and bytes summed over a tuple's records.
type Counts struct{ Packets, Bytes uint64 }

// Tuples maps each tuple to its summed counts.
type Tuples map[Tuple]Counts

// Add sums one record into the map.
func (m Tuples) Add(t Tuple, packets, bytes uint64) {
	c := m[t]
	c.Packets += packets
	c.Bytes += bytes
	m[t] = c
}

// Total sums every tuple.
func (m Tuples) Total() Counts {
	var c Counts
	for _, v := range m {
		c.Packets += v.Packets
		c.Bytes += v.Bytes
	}
	return c
}

// Diff is one tuple where two meters disagree.
type Diff struct {
	Tuple       Tuple
	Ours, Their Counts
}

// Compare lists the tuples where ours and theirs differ, sorted.
func Compare(ours, theirs Tuples) []Diff {
	var d []Diff
	for k, o := range ours {
		if th := theirs[k]; th != o {
			d = append(d, Diff{k, o, th})
		}
	}
	for k, th := range theirs {
		if _, ok := ours[k]; !ok {
			d = append(d, Diff{k, Counts{}, th})
		}
	}
	sort.Slice(d, func(i, j int) bool { return d[i].Tuple.String() < d[j].Tuple.String() })
	return d
}

// RequireTool fails, not skips: these tools are the project's evidence.
func RequireTool(t testing.TB, tool, debianPkg string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s not found: install Debian's %s (make deps)", tool, debianPkg)
	}
	return path
}

// Nfpcapd meters a capture with nfpcapd (nfdump 1.7) at its longest
// timeouts and returns its flows per tuple.
func Nfpcapd(t testing.TB, pcap string) Tuples {
	t.Helper()
	bin := RequireTool(t, "nfpcapd", "nfdump")
	dir := t.TempDir()
	if out, err := testproc.CombinedOutput(exec.Command(bin, "-r", pcap, "-w", dir, "-e", "3600,3600")); err != nil {
		t.Fatalf("nfpcapd -r %s: %v\n%s", pcap, err, out)
	}
	return Nfdump(t, "-R", dir)
}

// Nfdump reads flows with nfdump (args name the files: "-r F" or "-R D")
// and sums them per tuple.
func Nfdump(t testing.TB, args ...string) Tuples {
	t.Helper()
	bin := RequireTool(t, "nfdump", "nfdump")
	args = append(args, "-q", "-N", "-6", "-o", "fmt:%pr|%sa|%da|%sp|%dp|%pkt|%byt")
	out, err := testproc.Output(exec.Command(bin, args...))
	if err != nil {
		t.Fatalf("nfdump %v: %v", args, err)
	}
	got := Tuples{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "No matching") {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 7 {
			t.Fatalf("nfdump line %q: want 7 fields", line)
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		k := Tuple{Proto: uint8(num(t, f[0])), Src: netip.MustParseAddr(f[1]), Dst: netip.MustParseAddr(f[2])}
		k.SrcPort = uint16(num(t, f[3]))
		k.DstPort = port(t, f[4])
		got.Add(k, uint64(num(t, f[5])), uint64(num(t, f[6])))
	}
	return got
}

func num(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("nfdump number %q: %v", s, err)
	}
	return n
}

// port reads nfdump's dst port, which it prints as type.code for ICMP.
func port(t testing.TB, s string) uint16 {
	if a, b, ok := strings.Cut(s, "."); ok {
		return uint16(num(t, a)<<8 | num(t, b))
	}
	return uint16(num(t, s))
}

// Nfcapd is a running collector on a loopback UDP port.
type Nfcapd struct {
	Addr   netip.AddrPort
	dir    string
	cmd    *exec.Cmd
	exited chan struct{}
	logs   *bytes.Buffer
}

// Pid is nfcapd's process id: its /proc entry shows the network
// namespace it listens in.
func (n *Nfcapd) Pid() int { return n.cmd.Process.Pid }

// StartNfcapd starts nfcapd on 127.0.0.1 at a free port; Stop or Close
// ends it. Test packages run in parallel and may race for a port: when
// nfcapd cannot bind, it is started again on another one.
func StartNfcapd(t testing.TB) *Nfcapd {
	t.Helper()
	bin := RequireTool(t, "nfcapd", "nfdump")
	for try := 0; try < 5; try++ {
		if n, ok := startNfcapd(t, bin); ok {
			return n
		}
	}
	t.Fatal("nfcapd could not bind a loopback port in 5 tries")
	return nil
}

// NfcapdArgs are nfcapd's arguments for a test collector writing to dir
// and listening on addr:port.
//   - -t: one file for the collector's whole life. nfcapd rotates on
//     wall-clock multiples of -t, so with -t 3600 a test that ran across
//     an hour split its flows (and the per-file "Flows:" log line) over two
//     files, one possibly empty, whose "No matching flows" a test then read
//     as a record. The next multiple of 2e9 s is in 2033; the file is named
//     for 1970-01-01.
//   - -B: a collector host's usual tuning, so a burst of export packets
//     waits in the socket rather than being dropped while nfcapd writes
//     (the kernel caps it at net.core.rmem_max).
func NfcapdArgs(dir, addr string, port uint16) []string {
	return []string{"-w", dir, "-b", addr, "-p", fmt.Sprint(port), "-t", "2000000000", "-B", "4194304"}
}

func startNfcapd(t testing.TB, bin string) (*Nfcapd, bool) {
	port := freeUDPPort(t)
	n := &Nfcapd{Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port), dir: t.TempDir(),
		logs: &bytes.Buffer{}, exited: make(chan struct{})}
	n.cmd = exec.Command(bin, NfcapdArgs(n.dir, "127.0.0.1", port)...)
	n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
	if err := testproc.Start(n.cmd); err != nil {
		t.Fatalf("start nfcapd: %v", err)
	}
	go func() { n.cmd.Wait(); close(n.exited) }()
	t.Cleanup(func() {
		select {
		case <-n.exited:
		default:
			n.cmd.Process.Kill()
			<-n.exited
		}
	})
	// Bound once we cannot bind the port ourselves and nfcapd is still up
	// a moment later (another process may have taken the port instead).
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			if strings.Contains(n.logs.String(), "in use") {
				return nil, false
			}
			t.Fatalf("nfcapd exited at start-up; log:\n%s", n.logs)
		default:
		}
		if c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(n.Addr)); err == nil {
			c.Close()
			time.Sleep(20 * time.Millisecond)
			continue
		}
		select {
		case <-n.exited:
			continue
		case <-time.After(100 * time.Millisecond):
			return n, true
		}
	}
	t.Fatalf("nfcapd did not bind %s; log:\n%s", n.Addr, n.logs)
	return nil, false
}

// Close ends nfcapd (SIGTERM: it closes its file) and returns the files it
// wrote and its log.
func (n *Nfcapd) Close(t testing.TB) ([]string, string) {
	t.Helper()
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		t.Fatalf("nfcapd did not stop on SIGTERM; log:\n%s", n.logs)
	}
	files, _ := filepath.Glob(filepath.Join(n.dir, "nfcapd.[0-9]*"))
	if len(files) == 0 {
		entries, _ := os.ReadDir(n.dir)
		t.Fatalf("nfcapd stored no file (dir has %v); log:\n%s", entries, n.logs)
	}
	return files, n.logs.String()
}

// Stop ends nfcapd and returns the flows it stored, per tuple, and its log.
func (n *Nfcapd) Stop(t testing.TB) (Tuples, string) {
	t.Helper()
	_, log := n.Close(t)
	return Nfdump(t, "-R", n.dir), log
}

func freeUDPPort(t testing.TB) uint16 {
	t.Helper()
	return uint16(testnet.FreePort(t, "udp"))
}

// KnownDiffs reads, from a differences file such as the datapath tests'
// testdata/nfpcapd-differences.txt (sections "== FILE", then one tuple and
// its counts per line), the tuples where nfpcapd differs from an IOS
// router for one capture, as the tuples' String form.
func KnownDiffs(t testing.TB, path, capture string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "== ") {
			in = line == "== "+capture
			continue
		}
		if in && line != "" {
			tuple, _, _ := strings.Cut(line, "\t")
			out[tuple] = true
		}
	}
	return out
}
