package daemon

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// payloadListener keeps every datagram a loopback collector gets.
type payloadListener struct {
	conn *net.UDPConn
	mu   sync.Mutex
	pkts [][]byte
}

func listenPayloads(t *testing.T) *payloadListener {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadBuffer(8 << 20); err != nil {
		t.Fatal(err)
	}
	l := &payloadListener{conn: c}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			l.mu.Lock()
			l.pkts = append(l.pkts, slices.Clone(buf[:n]))
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *payloadListener) payloads() [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.pkts)
}

// TestOverloadProtectionOnVeth: flowtap as an operator runs it, with
// `ip flow-cache overload-protection` and a v9 collector. A random-source
// flood from trafgen into a 1024-flow cache turns overload sampling on
// (logged, shown), it rises to its maximum, and the collector's sampler
// options, decoded by tshark, announce the overload sampler at that rate;
// when the flood ends it steps back to off (logged, shown). Every frame is
// exported, sampled out or refused by the cache, exactly.
func TestOverloadProtectionOnVeth(t *testing.T) {
	if _, err := exec.LookPath("trafgen"); err != nil {
		t.Fatal("trafgen not found: install Debian's netsniff-ng (make deps)")
	}
	v := testnet.Enter(t)
	col := listenPayloads(t)
	port := col.conn.LocalAddr().(*net.UDPAddr).Port
	text := fmt.Sprintf("hostname probe\ninterface %s\n ip flow ingress\nip flow-cache entries 1024\n"+
		"ip flow-cache overload-protection threshold 5 max-rate 8 interval 1\n"+
		"ip flow-export version 9\nip flow-export destination 127.0.0.1 %d\n", v.Mon, port)
	cfg, err := iosconf.Parse("startup-config", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	logs := NewLogBuffer(1 << 16)
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-overload-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	m, err := NewManager(ManagerOptions{Daemon: Options{PinDir: pins, Logger: slog.New(logs.Handler(slog.DiscardHandler))},
		StartupPath: filepath.Join(t.TempDir(), "startup-config"), Logs: logs}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			m.Close(false)
		}
	}()
	s := ios.NewSession(m.CLI(), true)
	if got := s.Exec("show ip flow datapath"); !strings.Contains(got, "  Overload protection: enabled, not active\n    threshold 5% refused, max rate 1 in 8, interval 1 s, budget none\n") {
		t.Fatalf("before the flood:\n%s", got)
	}

	floodCfg := filepath.Join(t.TempDir(), "flood.cfg")
	if err := os.WriteFile(floodCfg, []byte("{ eth(da=02:00:00:00:00:01, sa=02:00:00:00:00:02), ipv4(sa=10.0.0.0, da=198.51.100.7, sa=drnd()), udp(sp=40000, dp=53), fill(0, 18) }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	burst := func(n int) {
		// Through ip netns exec: a burst also runs from a goroutine,
		// whose thread is not the test's, in the namespace.
		out, err := testproc.CombinedOutput(exec.Command("ip", "netns", "exec", v.NS, "trafgen", "-i", floodCfg, "-o", v.Src, "--cpus", "1", "-n", fmt.Sprint(n), "-q", "--no-sock-mem"))
		if err != nil {
			t.Errorf("trafgen: %v\n%s", err, out)
		}
	}
	poll := func(what string, ok func(screen string) bool) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			screen := s.Exec("show ip flow datapath")
			if ok(screen) {
				return screen
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s:\n%s", what, screen)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Bursts until the rate is at its maximum.
	poll("overload sampling at 1 in 8", func(screen string) bool {
		if strings.Contains(screen, "Overload protection: active, sampling 1 in 8 packets") {
			return true
		}
		burst(20000)
		return false
	})
	// While the flood goes on, empty the cache: the flows created under
	// overload name its sampler, and the packets exported now announce
	// its rate.
	done := make(chan struct{})
	go func() { burst(60000); close(done) }()
	time.Sleep(200 * time.Millisecond)
	if err := m.d.Purge(); err != nil {
		t.Fatal(err)
	}
	<-done
	screen := poll("overload sampling off after the flood", func(screen string) bool {
		return strings.Contains(screen, "Overload protection: enabled, not active")
	})
	t.Logf("show ip flow datapath:\n%s", screen)
	if !strings.Contains(screen, "    overloaded 1 times, ") {
		t.Errorf("want one overload:\n%s", screen)
	}
	log := logs.Show()
	for _, want := range []string{"%FLOW-4-OVERLOAD: Flow cache overloaded (", "sampling 1 in 2 packets", "%FLOW-5-OVERLOAD_END: Flow cache overload ended: sampling off after "} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	st, err := m.d.Datapath().Stats()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(screen, fmt.Sprintf("        %d for overload\n", st.OverloadSampledOut)) || st.OverloadSampledOut == 0 {
		t.Errorf("screen does not show the %d packets sampled out for overload", st.OverloadSampledOut)
	}
	// An orderly stop exports every flow.
	if err := m.Close(false); err != nil {
		t.Fatal(err)
	}
	closed = true
	time.Sleep(500 * time.Millisecond) // the last datagrams on loopback
	res := collector.TsharkCflow(t, col.payloads(), uint16(port), "cflow.sampler_id", "cflow.sampler_random_interval", "cflow.packets")
	var exported uint64
	ids := map[string]int{}
	intervals := map[string]int{}
	for _, p := range res {
		for _, n := range p["cflow.packets"] {
			k, err := strconv.ParseUint(n, 10, 64)
			if err != nil {
				t.Fatalf("cflow.packets %q", n)
			}
			exported += k
		}
		for _, id := range p["cflow.sampler_id"] {
			ids[id]++
		}
		for _, iv := range p["cflow.sampler_random_interval"] {
			intervals[iv]++
		}
	}
	t.Logf("frames %d: exported %d, sampled out %d (overload %d), refused %d; sampler ids %v, announced intervals %v",
		st.Frames, exported, st.SampledOut, st.OverloadSampledOut, st.CreateFailPackets, ids, intervals)
	if exported+st.SampledOut+st.CreateFailPackets != st.Frames || st.UnparsedTotal() != 0 {
		t.Errorf("frames %d != exported %d + sampled out %d + refused %d", st.Frames, exported, st.SampledOut, st.CreateFailPackets)
	}
	if st.OverloadSampledOut != st.SampledOut {
		t.Errorf("sampled out %d, for overload %d: no other sampler is configured", st.SampledOut, st.OverloadSampledOut)
	}
	if intervals["8"] == 0 {
		t.Errorf("no sampler options row announced 1 in 8: %v", intervals)
	}
	for iv := range intervals {
		if iv != "2" && iv != "4" && iv != "8" {
			t.Errorf("sampler options announced 1 in %s", iv)
		}
	}
	// Every options row is sampler 64; the records beyond them are the
	// flows created under overload.
	rows := 0
	for _, n := range intervals {
		rows += n
	}
	if ids["64"] <= rows || ids["0"] == 0 {
		t.Errorf("sampler ids %v with %d options rows: want records of both sampler 0 and 64", ids, rows)
	}
}
