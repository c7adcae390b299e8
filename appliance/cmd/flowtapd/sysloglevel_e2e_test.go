package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJunOSSyslogHostLevel: on the JunOS persona each syslog host gets
// what its own `any LEVEL` takes. A commit logs the change as
// %FLOWTAP-5-CONFIG_CHANGE (notice): the `any notice` host receives it,
// the `any error` host does not, and the levels survive write memory and
// a restart.
func TestJunOSSyslogHostLevel(t *testing.T) {
	testnet.Enter(t)
	var sinks [2]*net.UDPConn
	for i := range sinks {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, byte(i+1))})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sinks[i] = c
	}
	port := func(i int) int { return sinks[i].LocalAddr().(*net.UDPAddr).Port }
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret letmein\n")
	out := d.cli(t, "junos", "configure\n"+fmt.Sprintf(`set flowtap platform cflowd
set system syslog host 127.0.0.1 any notice
set system syslog host 127.0.0.1 port %d
set system syslog host 127.0.0.2 any error
set system syslog host 127.0.0.2 port %d
commit
`, port(0), port(1)))
	if !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	// A second commit, logged once the hosts are in place.
	if out := d.cli(t, "junos", "configure\nset system host-name e2e-levels\ncommit\n"); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	buf := make([]byte, 2048)
	sinks[0].SetReadDeadline(time.Now().Add(10 * time.Second))
	got := ""
	for !strings.Contains(got, "hostname e2e -> hostname e2e-levels") {
		n, err := sinks[0].Read(buf)
		if err != nil {
			t.Fatalf("the notice host got no CONFIG_CHANGE for the host name: %v", err)
		}
		got = string(buf[:n])
	}
	sinks[1].SetReadDeadline(time.Now().Add(time.Second))
	if n, err := sinks[1].Read(buf); err == nil {
		t.Errorf("the error host got a message below its level: %q", buf[:n])
	}
	shown := d.cli(t, "ios", "show logging\n")
	if !strings.Contains(shown, fmt.Sprintf("Logging to 127.0.0.2  (udp port %d, level errors), 0 message lines logged", port(1))) {
		t.Errorf("show logging:\n%s", shown)
	}
	if rc := d.cli(t, "ios", "show running-config | include logging\n"); !strings.Contains(rc, "logging trap notifications\n") ||
		!strings.Contains(rc, "flowtap logging host 127.0.0.2 level errors\n") {
		t.Errorf("IOS running-config:\n%s", rc)
	}
	if out := d.cli(t, "ios", "write memory\n"); strings.Contains(out, "%") {
		t.Fatalf("write memory: %s", out)
	}
	// A restart from the saved startup-config alone.
	d.cmd.Process.Signal(os.Interrupt)
	d.cmd.Wait()
	os.Remove(filepath.Join(d.dir, "running-config"))
	d.crash(t)
	if set := d.cli(t, "junos", "show configuration | display set | match syslog\n"); !strings.Contains(set, "set system syslog host 127.0.0.2 any error\n") || !strings.Contains(set, "set system syslog host 127.0.0.1 any notice\n") {
		t.Errorf("after a restart:\n%s", set)
	}
}
