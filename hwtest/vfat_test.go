package hwtest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/hwtest/vm"
)

var defaultPrompt = regexp.MustCompile(`flowtap(\([a-z-]+\))?#`)

// TestPowerCutOnVfatDisk: the persistent disk may be FAT (labelled
// FLOWTAP). From an empty one the first boot installs the default config;
// the operator saves a change (write memory: [OK]) and the power goes.
// The next boot runs the saved change, SSH has the same host key and the
// SNMP engine boots counter goes on, with no error on the console. On
// vfat a rename's new directory entry gets its size only with the file's
// inode: the saved change came back as the old startup-config, and the
// host key and the boots counter as empty files.
func TestPowerCutOnVfatDisk(t *testing.T) {
	c := vm.Image(t)
	c.Eth1Socket, c.Eth2Socket = vm.SocketsIn(vm.SocketDir(t))
	var err error
	if c.Disk, err = vm.EmptyVfatDisk(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if c.SSHPort, err = hostPort(t, "tcp", sshHostPort); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", c.SSHPort)
	login := func() (sshResult, error) { // the default config's documented login
		deadline := time.Now().Add(45 * time.Second)
		for {
			r, err := sshScript(addr, "admin", "flowtap", "show version\n")
			if err == nil || time.Now().After(deadline) {
				return r, err
			}
			time.Sleep(time.Second)
		}
	}
	const change = "snmp-server location vfat power cut"
	bootsLine := regexp.MustCompile(`engineID \S+, boots (\d+)`)
	var hostKey []byte
	var boots uint64
	for boot := 1; boot <= 2; boot++ {
		v := vm.Start(t, c)
		v.WaitReady(bootWait)
		run := func(line string) string {
			t.Helper()
			off := v.Console.Len()
			v.Type(line + "\r")
			_, end := v.ExpectFrom(regexp.MustCompile(regexp.QuoteMeta(line)+`\r?\n`), off, consoleWait)
			m, stop := v.ExpectFrom(defaultPrompt, end, consoleWait)
			return strings.ReplaceAll(v.Console.Text()[end:stop-len(m[0])], "\r", "")
		}
		run("terminal length 0")
		r, err := login()
		if err != nil {
			t.Fatalf("boot %d: SSH: %v", boot, err)
		}
		log := run("show logging")
		// The disk starts empty, so the box runs the built-in default
		// config, whose documented login flowtapinit rightly warns of.
		for _, l := range regexp.MustCompile(`(?m)^.*%[A-Z_]+-[0-4]-.*$`).FindAllString(log, -1) {
			if !strings.Contains(l, "%FLOWTAPINIT-4-WARN: config: warning: user admin has the built-in default password") {
				t.Errorf("boot %d: error or warning in show logging: %q", boot, l)
			}
		}
		m := bootsLine.FindStringSubmatch(log)
		if m == nil {
			t.Fatalf("boot %d: no SNMP boots in show logging:\n%s", boot, log)
		}
		if boot == 1 {
			hostKey = r.HostKey.Marshal()
			boots, _ = strconv.ParseUint(m[1], 10, 32)
			run("configure terminal")
			run(change)
			run("end")
			if out := run("write memory"); !strings.Contains(out, "[OK]") {
				t.Fatalf("write memory on vfat:\n%s", out)
			}
			v.Stop() // the power cut
			continue
		}
		if !hasLine(run("show running-config"), change) {
			t.Errorf("the change saved before the power cut is not in the running-config")
		}
		if !bytes.Equal(r.HostKey.Marshal(), hostKey) {
			t.Errorf("the SSH host key changed across the power cut")
		}
		if now, _ := strconv.ParseUint(m[1], 10, 32); now <= boots {
			t.Errorf("SNMP engine boots %s after %d: it must grow", m[1], boots)
		}
		v.Stop()
	}
}
