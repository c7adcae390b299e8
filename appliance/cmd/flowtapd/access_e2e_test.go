package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// argValue is the value of a flag in the daemon's arguments.
func (d *runningDaemon) argValue(t *testing.T, name string) string {
	t.Helper()
	for i, a := range d.args {
		if a == name && i+1 < len(d.args) {
			return d.args[i+1]
		}
	}
	t.Fatalf("flowtapd started without %s", name)
	return ""
}

// TestSecondDaemonRefuses: a second flowtapd on the first one's pin
// directory, or on its state directory, exits at once naming the first
// one's PID, and the first one keeps its config and answers.
func TestSecondDaemonRefuses(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname first\nusername admin secret letmein\n")
	first := d.cmd.Process.Pid
	other := t.TempDir()
	private := func(name string) string { return filepath.Join(other, name) }
	cases := []struct{ what, pin, state string }{
		{"pin directory", d.argValue(t, "--pin-dir"), private("state")},
		{"state directory", d.argValue(t, "--pin-dir") + "-other", d.argValue(t, "--state")},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, d.bin, "--config", private("startup-config"), "--running", private("running-config"),
			"--state", c.state, "--pin-dir", c.pin, "--control", private("control.sock"),
			"--ssh-listen", freeTCP(t), "--snmp-listen", freeUDP(t))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		t.Logf("second daemon on the same %s: %v\n%s", c.what, err, out.String())
		if err == nil || timedOut {
			t.Fatalf("a second daemon on the same %s did not refuse to start (err %v)", c.what, err)
		}
		want := c.what + " " + map[bool]string{true: c.pin, false: c.state}[c.what == "pin directory"] +
			" is in use by another flowtapd (PID " + strconv.Itoa(first) + ")"
		if !strings.Contains(out.String(), want) {
			t.Errorf("second daemon said %q, want it to contain %q", out.String(), want)
		}
	}
	if got := d.cli(t, "ios", "show running-config | include hostname\n"); got != "hostname first\n" {
		t.Fatalf("the first daemon's config after the refused starts: %q", got)
	}
	if _, err := sshRun(t, d.sshAddr, "admin", "letmein", "show version\n"); err != nil {
		t.Fatalf("the first daemon no longer serves SSH: %v", err)
	}
}

// TestEngineBootsGrow: snmpEngineBoots is 1 at the first start in a fresh
// state directory and one more at each start after (RFC 3414 2.2.2). It
// used to stay at 1: the state directory did not exist yet when the agent
// counted its boots there (SSH creates it later), so the first start could
// not save its count and the second one started at 1 again.
func TestEngineBootsGrow(t *testing.T) {
	testnet.Enter(t)
	d := startDaemon(t, "hostname boots\nusername admin secret letmein\nsnmp-server community public RO\n")
	agent := "udp:" + d.snmpAddr
	boots := func() string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			out, err := exec.Command("snmpget", "-v2c", "-cpublic", "-t1", "-r0", "-Oqv", agent, "1.3.6.1.6.3.10.2.1.2.0").Output()
			if err == nil {
				return strings.TrimSpace(string(out))
			}
			if time.Now().After(deadline) {
				t.Fatalf("snmpEngineBoots: %v %s\nlog:\n%s", err, out, d.log)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	var got []string
	for i := 0; i < 3; i++ {
		if i > 0 {
			d.crash(t)
		}
		got = append(got, boots())
	}
	if strings.Join(got, ",") != "1,2,3" {
		t.Fatalf("snmpEngineBoots over three starts: %v, want 1,2,3", got)
	}
}
