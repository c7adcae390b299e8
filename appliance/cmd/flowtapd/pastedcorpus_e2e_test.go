package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPastedCorpusBootsAndPastes: the corpus's ISR 2900 configuration
// (config/cfgfile/testdata/pasted), its NMS, syslog host and management
// network moved to this test's loopback listeners on the same lines, is
// flowtapd's startup-config: every line its .refused golden lists is
// logged with its file:line and reason and every other line applies, so
// coldStart reaches snmptrapd (`snmp-server enable traps snmp ...
// coldstart`), a change made over OpenSSH sends ciscoConfigManEvent
// (`snmp-server enable traps config`) and reaches the syslog host as
// %SYS-5-CONFIG_I (`logging trap notifications`). The ISR 4431's
// configuration, pasted whole in configuration mode over that OpenSSH
// session, answers each line flowtap does not carry out with its `%`
// reason and applies the rest.
func TestPastedCorpusBootsAndPastes(t *testing.T) {
	testnet.Enter(t)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("../../config/cfgfile/testdata/pasted", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	trapPort, trapLines := startTrapd(t, "")
	sink, sysPort := collectorSocket(t)
	startup := read("isr2900.cfg")
	for old, repl := range map[string]string{
		"snmp-server host 192.0.2.30 version 2c n0cRead":       fmt.Sprintf("snmp-server host 127.0.0.1 version 2c n0cRead udp-port %d", trapPort),
		"logging host 192.0.2.20":                              fmt.Sprintf("logging host 127.0.0.1 transport udp port %d", sysPort),
		"access-list 10 remark management stations":            "access-list 10 permit 127.0.0.1",
		" remark NMS hosts":                                    " permit 127.0.0.1",
		"username noc secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0": "username noc privilege 15 secret letmein",
	} {
		if !strings.Contains(startup, old) {
			t.Fatalf("the corpus no longer has %q", old)
		}
		startup = strings.Replace(startup, old, repl, 1)
	}
	d := startDaemon(t, startup)
	d.waitLog(t, "snmp: agent listening")
	path := filepath.Join(d.dir, "startup-config")
	refused := regexp.MustCompile(`(?m)^(\d+): `).FindAllStringSubmatch(read("isr2900.refused"), -1)
	for _, m := range refused {
		if !strings.Contains(d.log.String(), "at="+path+":"+m[1]+" ") {
			t.Errorf("the boot log does not report line %s:\n%s", m[1], d.log)
		}
	}
	if n := strings.Count(d.log.String(), `msg="startup-config line skipped"`); n != len(refused) {
		t.Errorf("the boot log skipped %d lines, the golden lists %d", n, len(refused))
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(trapLines(), "OID: .1.3.6.1.6.3.1.1.5.1") &&
		!strings.Contains(trapLines(), "OID: .1.3.6.1.6.3.1.1.5.2"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("snmptrapd heard no coldStart or warmStart:\n%s", trapLines())
		}
	}

	// A change over OpenSSH: the syslog host and snmptrapd hear of it.
	if out, err := openSSH(t, d.sshAddr, "noc", "letmein", true, "configure terminal\nsnmp-server location DC1 row 5\nend\nexit\n"); err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	sink.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2048)
	for got := ""; !strings.Contains(got, "%SYS-5-CONFIG_I"); {
		n, err := sink.Read(buf)
		if err != nil {
			t.Fatalf("no %%SYS-5-CONFIG_I on the pasted logging host: %v; last %q", err, got)
		}
		got = string(buf[:n])
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(trapLines(), "OID: .1.3.6.1.4.1.9.9.43.2.0.1"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("snmptrapd heard no ciscoConfigManEvent:\n%s", trapLines())
		}
	}

	// The ISR 4431's configuration pasted in configuration mode.
	paste := "configure terminal\n" + read("isr4k.cfg") + "show running-config | include ^hostname|enable traps|^ntp|^logging host|^banner|^flow\nexit\n"
	out, err := openSSH(t, d.sshAddr, "noc", "letmein", true, paste)
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	for _, want := range []string{
		// Its Flexible NetFlow blocks apply (the exporter's router-port
		// source is refused).
		"\nflow record FNF-REC\r\nflow exporter FNF-EXP\r\nflow monitor FNF-MON\r\n",
		"% Invalid input detected at '^' marker.",
		"% Flowtap has no syslog notifications",
		"% NTP authentication is not offered",
		"\nbanner login ^CBranch router: authorised use only^C\r\n",
		"\nhostname isr4431-br1\r\n",
		"\nsnmp-server enable traps snmp authentication linkdown linkup coldstart warmstart\r\nsnmp-server enable traps config\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the pasted session's screen lacks %q:\n%s", want, out)
		}
	}
	// The lines that mean nothing on a tap box are taken without a word.
	screen := strings.Split(strings.ReplaceAll(out, "\r", ""), "\n")
	for _, quiet := range []string{"#platform qfp", "#license udi", "# stopbits 1", "#no ip http server", "#service call-home", "#vrf definition"} {
		found := false
		for i, l := range screen {
			if !strings.Contains(l, quiet) || i+1 == len(screen) {
				continue
			}
			found = true
			if next := strings.TrimSpace(screen[i+1]); strings.HasPrefix(next, "%") || strings.HasPrefix(next, "^") {
				if quiet != "#vrf definition" {
					t.Errorf("%q was answered with %q", l, next)
				}
			} else if quiet == "#vrf definition" {
				t.Errorf("%q was taken without a word; flowtap has no VRFs", l)
			}
		}
		if !found {
			t.Errorf("the screen does not echo %q", quiet)
		}
	}
}
