package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestVTYLinesLimitSessions: with IOS's default `line vty 0 4` five SSH
// sessions may be open at once (real OpenSSH clients): the sixth is told
// every vty is in use and closed; `line vty 0 5` lets it in. Before, the
// range was ignored and a user could open sessions without end.
func TestVTYLinesLimitSessions(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	host, port, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// One at a time: the front end takes 4 unauthenticated connections
	// per source at once.
	for i := range 5 {
		cmd := sshpassCmd(ctx, host, port, "admin", "adminpass", "-tt")
		stdin, _ := cmd.StdinPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		held = append(held, stdin)
		go cmd.Wait()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if strings.Count(d.cli(t, "ios", "show users\n"), " vty ") == i+1 {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("session %d is not open:\n%s", i+1, d.cli(t, "ios", "show users\n"))
			}
		}
	}
	out, _ := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n")
	if !strings.Contains(out, "% All 5 vty lines are in use (line vty 0 4); try again later") || strings.Contains(out, "Current privilege") {
		t.Fatalf("a sixth session on five lines:\n%s", out)
	}
	d.cli(t, "ios", "configure terminal\nline vty 0 5\nend\n")
	out, err := openSSH(t, d.sshAddr, "admin", "adminpass", false, "show privilege\n")
	if err != nil || !strings.Contains(out, "Current privilege level is 15") {
		t.Fatalf("a sixth session on six lines (%v):\n%s", err, out)
	}
	if rc := d.cli(t, "ios", "show running-config | include line vty\n"); rc != "line vty 0 5\n" {
		t.Errorf("running-config: %q", rc)
	}
}
