package daemon

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	iosconf "github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/cli/ios"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestConsoleOnVeth: on a real veth pair, `show interfaces` prints IOS's
// status line, the dotted MAC and the kernel's counters; a link that goes
// down and up is logged as %LINK-3-UPDOWN and %LINEPROTO-5-UPDOWN; leaving
// configuration mode logs %SYS-5-CONFIG_I; write memory saves and a
// volatile startup-config warns.
func TestConsoleOnVeth(t *testing.T) {
	v := testnet.Enter(t)
	dir := t.TempDir()
	cfg, err := iosconf.Parse("startup-config", []byte("hostname tap1\ninterface "+v.Mon+"\n ip flow ingress\n"))
	if err != nil {
		t.Fatal(err)
	}
	logs := NewLogBuffer(1 << 16)
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-console-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	m, err := NewManager(ManagerOptions{Daemon: Options{PinDir: pins, Logger: slog.New(logs.Handler(slog.DiscardHandler))},
		StartupPath: filepath.Join(dir, "startup-config"), Logs: logs}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(false)
	msgs, stop := logs.Subscribe()
	defer stop()

	// Frames into the tap port: metered, then dropped by the passive
	// verdict, which the kernel counts in rx_dropped.
	var frames [][]byte
	for i := range 5 {
		frames = append(frames, udpFrame(byte(i+1)))
	}
	v.Send(t, frames)
	s := ios.NewSession(m.CLI(), true)
	var screen string
	deadline := time.Now().Add(30 * time.Second)
	for {
		screen = s.Exec("show interfaces " + v.Mon)
		if strings.Contains(screen, "     5 packets input") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("show interfaces %s:\n%s", v.Mon, screen)
	ifc, err := net.InterfaceByName(v.Mon)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		v.Mon + " is up, line protocol is up\n",
		"  Hardware is veth, address is " + show.DottedMAC(ifc.HardwareAddr) + " (bia " + show.DottedMAC(ifc.HardwareAddr) + ")\n",
		"  NetFlow: ingress, passive, XDP native\n",
		"     5 packets input, ",
		"     5 XDP drops (tap: dropped after metering)\n",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("show interfaces lacks %q", want)
		}
	}
	if lo := s.Exec("show interfaces lo"); !strings.HasPrefix(lo, "lo is up, line protocol is up\n  Hardware is Loopback\n  Internet address is 127.0.0.1/8\n") {
		t.Errorf("show interfaces lo:\n%s", lo)
	}
	if brief := s.Exec("show ip interface brief"); !regexp.MustCompile(`(?m)^` + v.Src + ` +unassigned +YES unset  up +up$`).MatchString(brief) {
		t.Errorf("show ip interface brief:\n%s", brief)
	}

	ip := func(args ...string) {
		if out, err := testproc.CombinedOutput(exec.Command("ip", append([]string{"-n", v.NS}, args...)...)); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	expect := func(want string) {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case m := <-msgs:
				t.Logf("message: %s", m)
				if strings.HasSuffix(m, ": "+want) {
					return
				}
			case <-timeout:
				t.Fatalf("no message %q", want)
			}
		}
	}
	ip("link", "set", v.Src, "down")
	expect("%LINK-3-UPDOWN: Interface " + v.Mon + ", changed state to down")
	expect("%LINEPROTO-5-UPDOWN: Line protocol on Interface " + v.Mon + ", changed state to down")
	ip("link", "set", v.Src, "up")
	expect("%LINK-3-UPDOWN: Interface " + v.Mon + ", changed state to up")
	expect("%LINEPROTO-5-UPDOWN: Line protocol on Interface " + v.Mon + ", changed state to up")

	if got := s.Exec("configure terminal"); !strings.Contains(got, "End with CNTL/Z") {
		t.Fatalf("configure terminal: %q", got)
	}
	s.Exec("hostname tap2")
	expect("%FLOWTAP-5-CONFIG_CHANGE: hostname tap1 -> hostname tap2")
	s.Exec("end")
	expect("%SYS-5-CONFIG_I: Configured from console by console")
	if !m.Modified() {
		t.Error("running config differs from the (absent) startup-config, but Modified is false")
	}
	if got := s.Exec("write memory"); got != "Building configuration...\n[OK]\n" {
		t.Errorf("write memory: %q", got)
	}
	if m.Modified() {
		t.Error("Modified after write memory")
	}
	m.opts.VolatileStartup = true
	if got := s.Exec("write memory"); strings.Contains(got, "[OK]") || !strings.Contains(got, "% Warning: no persistent disk") {
		t.Errorf("write memory on a RAM disk: %q", got)
	}
	os.Remove(m.opts.StartupPath)
}
