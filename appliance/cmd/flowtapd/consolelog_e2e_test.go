package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestConsoleLogForms: with --console-log flowtapd writes its messages
// from the first one (a bad startup-config line, before the CLI is up)
// on stdout as IOS lines, `*Dec  6 04:27:26.123: %FAC-SEV-MNEMONIC: text`
// (`*`: no NTP server has set the clock), the same form `show logging`
// has, while stderr keeps slog's
// structured key=value records of the same messages.
func TestConsoleLogForms(t *testing.T) {
	testnet.Enter(t)
	bin := buildDaemon(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "startup-config")
	if err := os.WriteFile(cfg, []byte("hostname e2e\nip flow-cache timeout sideways 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pin := fmt.Sprintf("/sys/fs/bpf/flowtap-e2e-clog-%d", os.Getpid())
	defer os.RemoveAll(pin)
	cmd := exec.Command(bin, "--config", cfg, "--running", filepath.Join(dir, "running-config"), "--state", filepath.Join(dir, "state"),
		"--pin-dir", pin, "--control", filepath.Join(dir, "control.sock"), "--ssh-listen", freeTCP(t), "--snmp-listen", freeUDP(t),
		"--console-log")
	var stdout, stderr syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stdout.String(), "flowtapd running"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no start message on stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	t.Logf("stdout:\n%s", stdout.String())
	ios := regexp.MustCompile(`^\*[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: %[A-Z0-9_]+-\d-[A-Z0-9_]+: \S`)
	out := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	for _, l := range out {
		if !ios.MatchString(l) || strings.Contains(l, "=") && strings.Contains(l, "msg=") {
			t.Errorf("stdout line not in IOS form: %q", l)
		}
	}
	if !strings.Contains(out[0], "sideways") {
		t.Errorf("the bad startup-config line is not the first console message: %q", out[0])
	}
	if !regexp.MustCompile(`: %FLOWTAP-6-INFO: flowtapd running: version dev, persona ios`).MatchString(stdout.String()) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), `level=INFO msg="flowtapd running" version=dev persona=ios`) {
		t.Errorf("stderr lost the structured record:\n%s", stderr.String())
	}
	if len(out) < 2 || strings.Count(stderr.String(), "level=") < len(out) {
		t.Errorf("stderr has fewer records than stdout has messages:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}
