package hwtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/hwtest/vm"
	"github.com/flowtap/flowtap/internal/testproc"
)

// The demo's documented SSH login (README.md, image/startup-config.default).
const (
	demoUser     = "admin"
	demoPassword = "flowtap"
)

// demoSSH logs in to the demo with the OpenSSH client (through sshpass, as
// an operator types the password) and feeds script to the CLI without a
// terminal.
func demoSSH(t *testing.T, port int, user, password, script string) (string, error) {
	t.Helper()
	for _, tool := range []string{"ssh", "sshpass"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install Debian's openssh-client and sshpass (make deps)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sshpass", "-p", password, "ssh", "-T", "-p", fmt.Sprint(port),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no",
		"-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=30", user+"@127.0.0.1")
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := testproc.Run(cmd)
	return out.String(), err
}

// TestDemoConsoleOnPTY boots the image as make qemu does (the interactive
// QEMU command line, serial console on a terminal with signal=off, a fresh
// persistent disk), on a pseudo-terminal, and uses it as an operator
// would: Ctrl-Z in configuration mode returns to exec mode (and does not
// stop QEMU), Ctrl-C abandons a line, reload asks to save and to confirm,
// the documented SSH login works with OpenSSH, and a change saved with
// write memory is there after reload and a new boot.
func TestDemoConsoleOnPTY(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"ssh -p 2222 " + demoUser + "@127.0.0.1", "# password " + demoPassword, "Ctrl-A X"} {
		if !bytes.Contains(readme, []byte(doc)) {
			t.Fatalf("README.md does not document %q", doc)
		}
	}
	c := vm.Image(t)
	dir := vm.SocketDir(t)
	c.Eth1Socket, c.Eth2Socket = vm.SocketsIn(dir)
	// An empty disk labelled FLOWTAP, as make qemu makes on first use: the
	// first boot installs the built-in default startup-config on it.
	if c.Disk, err = vm.MakeConfigDisk(t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	if c.SSHPort, err = hostPort(t, "tcp", sshHostPort); err != nil {
		t.Fatal(err)
	}
	c.Interactive = true
	v := vm.Start(t, c)
	v.WaitReady(bootWait)
	prompt := func(host string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(host) + `#$`) }
	// at types keys and waits for re in what the console prints after
	// them: after the echo of a typed line, so that a prompt the CLI
	// redraws after a log message is not taken for the one after the
	// command's output.
	at := func(keys string, re *regexp.Regexp) string {
		t.Helper()
		off := v.Console.Len()
		v.Type(keys)
		if line, ok := strings.CutSuffix(keys, "\r"); ok && line != "" {
			_, off = v.ExpectFrom(regexp.MustCompile(regexp.QuoteMeta(line)+`\r\n`), off, consoleWait)
		}
		_, end := v.ExpectFrom(re, off, consoleWait)
		return v.Console.Text()[off:end]
	}
	at("\r", prompt("flowtap"))

	at("configure terminal\r", regexp.MustCompile(`flowtap\(config\)#`))
	at("hostname demo-pty\r", regexp.MustCompile(`demo-pty\(config\)#`))
	// Ctrl-Z: `end`. With QEMU's signal=on it would stop QEMU instead.
	off := v.Console.Len()
	v.Type("\x1a")
	v.ExpectFrom(regexp.MustCompile(`\^Z\r\ndemo-pty#`), off, consoleWait)
	// Leaving configuration mode is logged on the console in IOS's form.
	v.ExpectFrom(regexp.MustCompile(`%SYS-5-CONFIG_I: Configured from console by console\r\n`), off, consoleWait)
	// Ctrl-C abandons the line (and does not end QEMU).
	off = v.Console.Len()
	v.Type("show vers\x03")
	v.Type("show clock\r")
	v.ExpectFrom(regexp.MustCompile(`demo-pty#show clock\r\n\*\d\d:\d\d:\d\d\.\d{3} UTC \w{3} \w{3} \d{1,2} \d{4}\r\n`), off, consoleWait)
	if v.Exited() {
		t.Fatal("QEMU ended on Ctrl-C")
	}
	eth1 := at("show interfaces eth1\r", prompt("demo-pty"))
	t.Logf("show interfaces eth1 on the console:\n%s", eth1)
	for _, want := range []string{
		"eth1 is up, line protocol is up",
		"Hardware is virtio_net, address is 5254.00f1.0001 (bia 5254.00f1.0001)",
		fmt.Sprintf("BW %d Kbit/sec", vm.LinkSpeedMbps*1000),
	} {
		if !strings.Contains(eth1, want) {
			t.Errorf("show interfaces eth1 lacks %q", want)
		}
	}

	// reload with an unsaved change asks to save it; "no", then declining
	// the confirmation keeps the box up.
	at("reload\r", regexp.MustCompile(`System configuration has been modified\. Save\? \[yes/no\]: $`))
	at("no\r", regexp.MustCompile(`Proceed with reload\? \[confirm\]$`))
	at("n", prompt("demo-pty"))
	if v.Exited() {
		t.Fatal("QEMU ended after reload was declined")
	}

	// The documented SSH login, with the OpenSSH client.
	out, err := demoSSH(t, c.SSHPort, demoUser, demoPassword, "show running-config | include hostname\n")
	if err != nil || !strings.Contains(out, "hostname demo-pty") {
		t.Fatalf("ssh -p %d %s@127.0.0.1 with the documented password: %v\n%s", c.SSHPort, demoUser, err, out)
	}
	if out, err := demoSSH(t, c.SSHPort, demoUser, "wrong-"+demoPassword, "show version\n"); err == nil {
		t.Errorf("a wrong password logged in:\n%s", out)
	}

	saved := at("write memory\r", prompt("demo-pty"))
	if !strings.Contains(saved, "[OK]") {
		t.Fatalf("write memory on the disk:\n%s", saved)
	}
	at("reload\r", regexp.MustCompile(`Proceed with reload\? \[confirm\]$`))
	off = v.Console.Len()
	v.Type("\r")
	v.WaitExit(reloadWait) // -no-reboot: the guest's restart ends QEMU
	if after := v.Console.Text()[off:]; !strings.Contains(after, "%SYS-5-RELOAD: Reload requested by console") {
		t.Errorf("the console lacks %%SYS-5-RELOAD after the confirmation:\n%s", after)
	}

	// Boot again from the same disk: the change is there.
	v2 := vm.Start(t, c)
	v2.WaitReady(bootWait)
	v = v2
	at("\r", prompt("demo-pty"))
	run := at("show running-config | include hostname\r", prompt("demo-pty"))
	if !strings.Contains(run, "hostname demo-pty") {
		t.Fatalf("after reload, running-config lacks the saved hostname:\n%s", run)
	}
}

// TestMakeQemuStopsWhenReplayDies runs make qemu's script with a traffic
// source that dies at once (a capture that does not parse): the script
// stops QEMU and exits non-zero, printing why, instead of running on with
// no traffic. A missing capture is refused before anything starts.
func TestMakeQemuStopsWhenReplayDies(t *testing.T) {
	img := vm.Image(t)
	repo, err := vm.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	// An output directory of the test's own holding the image (a make qemu
	// that runs meanwhile keeps its sockets, flows and logs in out/).
	out := vm.SocketDir(t)
	for _, f := range []string{img.Kernel, img.Initramfs} {
		if err := os.Symlink(f, filepath.Join(out, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	run := func(pcap string, collectorPort int) (string, error) {
		t.Helper()
		ssh, err := hostPort(t, "tcp", 0)
		if err != nil {
			t.Fatal(err)
		}
		snmp, err := hostPort(t, "udp", 0)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "./image/qemu.sh")
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "IMAGE_OUT="+out, "PCAP="+pcap, "DISK=none", fmt.Sprintf("SSH_PORT=%d", ssh), fmt.Sprintf("SNMP_PORT=%d", snmp),
			fmt.Sprintf("COLLECTOR_PORT=%d", collectorPort))
		stdin, err := cmd.StdinPipe() // the console's keyboard: kept open, never typed on
		if err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		var screen bytes.Buffer
		cmd.Stdout, cmd.Stderr = &screen, &screen
		err = testproc.Run(cmd)
		return screen.String(), err
	}

	collector, err := hostPort(t, "udp", 0)
	if err != nil {
		t.Fatal(err)
	}
	screen, err := run(filepath.Join(t.TempDir(), "missing.pcap"), collector)
	if err == nil || !strings.Contains(screen, "make qemu: no capture") || strings.Contains(screen, "qemu-system-x86_64 -machine") {
		t.Errorf("make qemu with a missing capture: %v\n%s", err, screen)
	}

	bad := filepath.Join(t.TempDir(), "not-a-capture.pcap")
	if err := os.WriteFile(bad, []byte("this is not a capture\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A collector port that something else holds: nfcapd cannot bind, and
	// make qemu says so before it boots an appliance whose exports would
	// go nowhere.
	held, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	heldPort := held.LocalAddr().(*net.UDPAddr).Port
	screen, err = run(filepath.Join("testdata", "pcaps", "ndpi-gnutella.pcap"), heldPort)
	held.Close()
	if err == nil || !strings.Contains(screen, fmt.Sprintf("make qemu: the host collector (nfcapd on 127.0.0.1:%d) did not start: ", heldPort)) ||
		!strings.Contains(screen, "Address already in use") || strings.Contains(screen, "qemu-system-x86_64 -machine") ||
		strings.Contains(screen, "stopped QEMU") {
		t.Errorf("make qemu with its collector port taken: %v\n%s", err, screen)
	}

	screen, err = run(bad, collector)
	t.Logf("make qemu with a capture that does not parse: %v\n%s", err, screen)
	if err == nil {
		t.Errorf("make qemu exited 0 although its traffic source died")
	}
	for _, want := range []string{
		"make qemu: the traffic source (replay of " + bad + " into eth1) died: stopping QEMU",
		"make qemu: FAILED: the traffic source died; " + out + "/replay.log says:",
		"replay: read pcap " + bad + ": ",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("make qemu's output lacks %q", want)
		}
	}
}
