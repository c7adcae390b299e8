package daemon

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestLogBufferAndSyslog(t *testing.T) {
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 514})
	if err != nil {
		t.Fatalf("listen on the syslog port: %v", err)
	}
	defer sink.Close()
	b := NewLogBuffer(4096)
	b.Configure(config.Logging{Buffered: 120, Hosts: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, "tap1")
	log := slog.New(b.Handler(slog.DiscardHandler))
	log.Warn("first message", "port", "eth1")
	log.Info("second message")
	log.Info("third message, which pushes the first out of 120 bytes")
	shown := b.Show()
	if strings.Contains(shown, "first message") || !strings.Contains(shown, "third message") || !strings.Contains(shown, "3 messages logged") {
		t.Fatalf("show logging:\n%s", shown)
	}
	sink.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 512)
	n, err := sink.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	// local7.warning = 23*8+4 = 188.
	if got := string(buf[:n]); !strings.HasPrefix(got, "<188>tap1 ") || !strings.Contains(got, "%FLOWTAP-4-WARN: first message: port eth1") {
		t.Fatalf("syslog datagram %q", got)
	}
}

// TestShowLoggingCountsHosts: show logging says what went to each
// `logging host`, as IOS's Trap logging lines do, and what failed: a
// host that refuses (ICMP port unreachable, reported on the next send)
// was not visible anywhere. The counts survive a configuration change
// that keeps the host.
func TestShowLoggingCountsHosts(t *testing.T) {
	b := NewLogBuffer(4096)
	// Nothing listens on 127.0.0.2:514: every other send reports the
	// refusal the one before it drew.
	refusing := netip.MustParseAddr("127.0.0.2")
	b.Configure(config.Logging{Hosts: []netip.Addr{refusing}}, "tap1")
	log := slog.New(b.Handler(slog.DiscardHandler))
	for i := range 4 {
		log.Info("message", "n", i)
		time.Sleep(20 * time.Millisecond)
	}
	b.Configure(config.Logging{Hosts: []netip.Addr{refusing}}, "tap2")
	log.Info("after the change")
	shown := b.Show()
	if !strings.Contains(shown, "    Trap logging: level informational, 5 message lines logged\n") {
		t.Errorf("no Trap logging line for 5 messages:\n%s", shown)
	}
	var sent, failed int
	for _, l := range strings.Split(shown, "\n") {
		if strings.HasPrefix(l, "        Logging to 127.0.0.2  (udp port 514), ") {
			fmt.Sscanf(l, "        Logging to 127.0.0.2  (udp port 514), %d message lines logged, %d message lines failed", &sent, &failed)
		}
	}
	if sent < 1 || failed < 1 || sent+failed != 5 {
		t.Errorf("the host line counts %d sent and %d failed, want both and 5 in all:\n%s", sent, failed, shown)
	}
}

// TestIOSMessages: configuration changes, link changes and a session
// leaving configuration mode are logged as IOS shows them, with the values
// an operator had and has (not the model's zero values for defaults) and
// no Go key=value or struct dumps.
func TestIOSMessages(t *testing.T) {
	b := NewLogBuffer(1 << 16)
	log := slog.New(b.Handler(slog.DiscardHandler))
	msgs, stop := b.Subscribe()
	defer stop()

	c, err := ios.Parse("startup-config", []byte("hostname flowtap\ninterface eth1\n ip flow ingress\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := ios.NewSession(c.Clone(), "console")
	for _, line := range []string{
		"hostname r1", "ip flow-cache timeout active 5", "ip flow-cache timeout active 10",
		"interface eth1", "description span from core1", "no ip flow ingress", "exit",
		"interface eth2", "ip flow ingress", "exit",
		"ip flow-export destination 192.0.2.10 2055", "no ip flow-export destination 192.0.2.10 2055",
	} {
		before := s.Config()
		if err := s.Exec(line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		logConfigChanges(log, before, s.Config())
	}
	logIOS(log, "SYS-5-CONFIG_I", "Configured from console by %s", "console")
	down := link{name: "eth1", adminUp: true}
	up := link{name: "eth1", adminUp: true, carrier: true, protocolUp: true}
	logLinkChange(log, down, up)
	logLinkChange(log, up, link{name: "eth1"})
	log.Warn("%SYS-5-PRIV_AUTH_FAIL: Authentication to privilege level 3 failed by oper")
	log.Info("flowtapd running", "ports", map[string]string{"eth2": "native", "eth1": "generic"})

	var screen strings.Builder
	for {
		select {
		case m := <-msgs:
			// The timestamp is the time of the run: check its form, then
			// compare what follows.
			ts, rest, ok := strings.Cut(m, ": ")
			if _, err := time.Parse(time.StampMilli, ts); !ok || err != nil {
				t.Errorf("message %q lacks an IOS timestamp", m)
			}
			screen.WriteString(rest + "\n")
			continue
		default:
		}
		break
	}
	path := "testdata/ios-messages.golden"
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, []byte(screen.String()), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if screen.String() != string(want) {
		t.Errorf("messages differ; got:\n%s", screen.String())
	}
	if shown := b.Show(); !strings.Contains(shown, "%SYS-5-CONFIG_I: Configured from console by console\n") {
		t.Errorf("show logging lacks the CONFIG_I message:\n%s", shown)
	}
}

// TestConfigChangesHideKeys: a configuration change is logged as its
// running-config lines, which reach show logging and the syslog hosts:
// the secrets' hashes, SNMPv3 users' localized keys (which authenticate
// as the passphrase would) and Crypto-PAn keys are masked, as the model
// promises for every log.
func TestConfigChangesHideKeys(t *testing.T) {
	b := NewLogBuffer(1 << 16)
	log := slog.New(b.Handler(slog.DiscardHandler))
	s := ios.NewSession(config.Config{}, "console")
	for _, line := range []string{
		"enable secret cisco", "username bob privilege 3 secret letmein",
		"snmp-server group NMS v3 priv",
		"snmp-server user nms NMS v3 auth sha authpass123 priv aes 128 privpass123",
		"ip flow-export destination 192.0.2.10 2055 crypto-pan SeCrEtKeY version ipfix",
		"enable secret cisco2",
	} {
		before := s.Config()
		if err := s.Exec(line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		logConfigChanges(log, before, s.Config())
	}
	shown := b.Show()
	for _, leak := range []string{"$8$", "SeCrEtKeY", "encrypted auth sha", " priv aes 128 "} {
		if strings.Contains(shown, leak) {
			t.Errorf("the log holds %q:\n%s", leak, shown)
		}
	}
	for _, want := range []string{"+enable secret *****", "+username bob privilege 3 secret *****", "crypto-pan *****", "encrypted auth *****",
		"enable secret ***** -> enable secret *****"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the log lacks %q:\n%s", want, shown)
		}
	}
}

// TestLoggingTrapFacilityPort: `logging host A transport udp port N`
// sends to N, `logging trap warnings` keeps informational messages from
// the host (the buffer still has them), `logging facility local5` is the
// PRI's facility and `logging source-interface lo` the datagram's
// source; show logging says each. A source interface that does not
// exist does not stop logging and says why.
func TestLoggingTrapFacilityPort(t *testing.T) {
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	host := netip.MustParseAddr("127.0.0.1")
	port := sink.LocalAddr().(*net.UDPAddr).Port
	b := NewLogBuffer(4096)
	b.Configure(config.Logging{Hosts: []netip.Addr{host}, Ports: []config.LogPort{{Addr: host, Port: port}},
		Trap: "warnings", Facility: "local5", SourceInterface: "lo"}, "tap1")
	log := slog.New(b.Handler(slog.DiscardHandler))
	log.Info("not for the host")
	log.Warn("for the host")
	sink.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 512)
	n, from, err := sink.ReadFromUDP(buf)
	if err != nil {
		t.Fatal(err)
	}
	// local5.warning = 21*8+4 = 172.
	if got := string(buf[:n]); !strings.HasPrefix(got, "<172>tap1 ") || !strings.Contains(got, "for the host") || strings.Contains(got, "not for") {
		t.Errorf("syslog datagram %q", got)
	}
	if !from.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("sent from %v", from)
	}
	sink.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := sink.Read(buf); err == nil {
		t.Errorf("a second datagram %q", buf[:n])
	}
	shown := b.Show()
	for _, want := range []string{
		"    Buffer logging:  level debugging, 2 messages logged\n",
		"    Trap logging: level warnings, 1 message lines logged\n",
		"        Logging facility: local5\n",
		"        Logging Source-Interface: lo (127.0.0.1)\n",
		fmt.Sprintf("        Logging to 127.0.0.1  (udp port %d), 1 message lines logged\n", port),
		"%FLOWTAP-6-INFO: not for the host",
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("show logging lacks %q:\n%s", want, shown)
		}
	}
	b.Configure(config.Logging{Hosts: []netip.Addr{host}, BufferedLevel: "errors", SourceInterface: "nosuch0"}, "tap1")
	log.Warn("not for the buffer")
	shown = b.Show()
	if strings.Contains(shown, "not for the buffer") || !strings.Contains(shown, "level errors, 2 messages logged") ||
		!strings.Contains(shown, "Logging Source-Interface: nosuch0 (not usable: the interface does not exist; messages leave from the routed address)") {
		t.Errorf("buffered errors, missing source:\n%s", shown)
	}
}

// TestSyslogHostOwnLevel: a host with a level of its own (JunOS `set
// system syslog host H any error`) gets only the messages at that level
// or above, while the other host keeps logging trap's, and show logging
// says which host has its own level.
func TestSyslogHostOwnLevel(t *testing.T) {
	var sinks [2]*net.UDPConn
	var hosts []netip.Addr
	var ports []config.LogPort
	for i := range sinks {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, byte(i+1))})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sinks[i] = c
		h := netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})
		hosts = append(hosts, h)
		ports = append(ports, config.LogPort{Addr: h, Port: c.LocalAddr().(*net.UDPAddr).Port})
	}
	b := NewLogBuffer(4096)
	b.Configure(config.Logging{Hosts: hosts, Ports: ports, Trap: "warnings", HostLevels: []config.LogLevel{{Addr: hosts[1], Level: "errors"}}}, "tap1")
	log := slog.New(b.Handler(slog.DiscardHandler))
	log.Info("for nobody")
	log.Warn("for the warnings host")
	log.Error("for both hosts")
	read := func(c *net.UDPConn) []string {
		var got []string
		buf := make([]byte, 512)
		for {
			c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			n, err := c.Read(buf)
			if err != nil {
				return got
			}
			got = append(got, string(buf[:n]))
		}
	}
	first, second := read(sinks[0]), read(sinks[1])
	if len(first) != 2 || !strings.Contains(first[0], "for the warnings host") || !strings.Contains(first[1], "for both hosts") {
		t.Errorf("the logging trap host got %q", first)
	}
	if len(second) != 1 || !strings.Contains(second[0], "for both hosts") || !strings.HasPrefix(second[0], "<187>tap1 ") {
		t.Errorf("the errors host got %q", second)
	}
	shown := b.Show()
	for _, want := range []string{
		fmt.Sprintf("        Logging to 127.0.0.1  (udp port %d), 2 message lines logged\n", ports[0].Port),
		fmt.Sprintf("        Logging to 127.0.0.2  (udp port %d, level errors), 1 message lines logged\n", ports[1].Port),
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("show logging lacks %q:\n%s", want, shown)
		}
	}
}

// TestSubscribeConsoleMarksTheHandOver: the console session's
// subscription is marked in the console stream (flowtapd --console-log's
// stdout) exactly where its messages begin and end: a message logged
// before the mark is in the stream before it and not the session's, one
// logged while subscribed is the session's and after the mark, and the
// mark that it ended comes once, however often stop is called.
func TestSubscribeConsoleMarksTheHandOver(t *testing.T) {
	b := NewLogBuffer(4096)
	var stream strings.Builder
	b.SetConsole(&stream)
	log := slog.New(b.Handler(slog.DiscardHandler))
	log.Info("before the session")
	msgs, stop := b.SubscribeConsole()
	log.Info("during the session")
	stop()
	stop()
	log.Info("after the session")
	var got []string
	for len(msgs) > 0 {
		got = append(got, <-msgs)
	}
	if len(got) != 1 || !strings.Contains(got[0], "during the session") {
		t.Errorf("the session got %q, want only the message logged while it was subscribed", got)
	}
	lines := strings.Split(strings.TrimSuffix(stream.String(), "\n"), "\n")
	want := []string{"before the session", ConsoleAttached, "during the session", ConsoleDetached, "after the session"}
	if len(lines) != len(want) {
		t.Fatalf("console stream:\n%s\nwant the lines %q", stream.String(), want)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("console stream line %d is %q, want %q", i+1, lines[i], w)
		}
	}
}

// TestInitLinesNotRepeatedOnTheConsole: the image's init writes its lines
// on the console itself, so an imported one goes to the buffer, the syslog
// hosts and terminal monitor sessions, but not to the console's session,
// which showed each twice (flowtapinit: [9.780] console ready after
// 9.780s, then %FLOWTAPINIT-6-INFO: console ready after 9.780s).
func TestInitLinesNotRepeatedOnTheConsole(t *testing.T) {
	b := NewLogBuffer(4096)
	b.SetConsole(io.Discard)
	console, stopConsole := b.SubscribeConsole()
	defer stopConsole()
	monitor, stopMonitor := b.Subscribe()
	defer stopMonitor()
	b.Import(time.Now(), InitLogTag(6), "console ready after 9.780s: /bin/flowtap", true)
	slog.New(b.Handler(slog.DiscardHandler)).Info("ssh listening")
	var got []string
	for len(console) > 0 {
		got = append(got, <-console)
	}
	if len(got) != 1 || !strings.Contains(got[0], "ssh listening") {
		t.Errorf("the console session got %q, want the daemon's message only", got)
	}
	if len(monitor) != 2 || !strings.Contains(<-monitor, "%FLOWTAPINIT-6-INFO: console ready") {
		t.Errorf("a terminal monitor session lacks the init's line")
	}
	if !strings.Contains(b.Show(), "%FLOWTAPINIT-6-INFO: console ready") {
		t.Errorf("show logging lacks the init's line")
	}
}

// TestShowLoggingInTimeOrder: the init's lines arrive a poll late (the
// follower reads once a second) and go back to the times they were made,
// among the daemon's lines: "console ready" showed after daemon lines
// logged after it. Lines of one time keep their arrival order, each line
// is there once, the count is every message taken, and a full buffer
// drops the oldest by time.
func TestShowLoggingInTimeOrder(t *testing.T) {
	b := NewLogBuffer(4096)
	b.SetTimestamps(config.LogTimestamps{}, config.LogTimestamps{}, config.Clock{})
	h := b.Handler(slog.DiscardHandler)
	t0 := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	daemon := func(at time.Duration, msg string) {
		if err := h.Handle(context.Background(), slog.NewRecord(t0.Add(at), slog.LevelInfo, msg, 0)); err != nil {
			t.Fatal(err)
		}
	}
	daemon(100*time.Millisecond, "flowtapd running")
	daemon(900*time.Millisecond, "ssh listening")
	daemon(900*time.Millisecond, "snmp listening")
	// A second later the follower reads the init's lines.
	b.Import(t0, "FLOWTAPINIT-6-INFO", "disk mounted", true)
	b.Import(t0.Add(500*time.Millisecond), "FLOWTAPINIT-6-INFO", "console ready", true)
	b.Import(t0.Add(900*time.Millisecond), "FLOWTAPINIT-6-INFO", "same time as ssh", true)
	daemon(1200*time.Millisecond, "after the read")
	want := []string{
		"Dec  7 04:00:00.000: %FLOWTAPINIT-6-INFO: disk mounted",
		"Dec  7 04:00:00.100: %FLOWTAP-6-INFO: flowtapd running",
		"Dec  7 04:00:00.500: %FLOWTAPINIT-6-INFO: console ready",
		"Dec  7 04:00:00.900: %FLOWTAP-6-INFO: ssh listening",
		"Dec  7 04:00:00.900: %FLOWTAP-6-INFO: snmp listening",
		"Dec  7 04:00:00.900: %FLOWTAPINIT-6-INFO: same time as ssh",
		"Dec  7 04:00:01.200: %FLOWTAP-6-INFO: after the read",
	}
	shown := b.Show()
	var got []string
	for _, l := range strings.Split(shown, "\n") {
		if strings.Contains(l, ": %FLOWTAP") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || !strings.Contains(shown, "7 messages logged") {
		t.Fatalf("show logging:\n%s\nwant the lines:\n%s", shown, strings.Join(want, "\n"))
	}

	// Full: the oldest by time goes, whichever came in first.
	used := 0
	for _, l := range want[1:] {
		used += len(l)
	}
	small := NewLogBuffer(used)
	small.SetTimestamps(config.LogTimestamps{}, config.LogTimestamps{}, config.Clock{})
	sh := small.Handler(slog.DiscardHandler)
	for _, r := range []struct {
		at  time.Duration
		msg string
	}{{100 * time.Millisecond, "flowtapd running"}, {900 * time.Millisecond, "ssh listening"}, {900 * time.Millisecond, "snmp listening"}} {
		sh.Handle(context.Background(), slog.NewRecord(t0.Add(r.at), slog.LevelInfo, r.msg, 0))
	}
	small.Import(t0.Add(500*time.Millisecond), "FLOWTAPINIT-6-INFO", "console ready", true)
	small.Import(t0.Add(900*time.Millisecond), "FLOWTAPINIT-6-INFO", "same time as ssh", true)
	small.Import(t0, "FLOWTAPINIT-6-INFO", "disk mounted", true)
	sh.Handle(context.Background(), slog.NewRecord(t0.Add(1200*time.Millisecond), slog.LevelInfo, "after the read", 0))
	shown = small.Show()
	got = got[:0]
	for _, l := range strings.Split(shown, "\n") {
		if strings.Contains(l, ": %FLOWTAP") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want[1:], "\n") || !strings.Contains(shown, "7 messages logged") {
		t.Fatalf("a full buffer:\n%s\nwant the lines:\n%s", shown, strings.Join(want[1:], "\n"))
	}
}
