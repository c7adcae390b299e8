package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPastedRouterConfigBoots: flowtapd boots from a whole IOS NetFlow
// router's configuration (the cfgfile testdata), as an operator pastes
// one: each refused line is logged with its file:line and reason, the
// applied ones show in show running-config as IOS prints them, syslog
// goes to the pasted `logging host ... transport udp port N` with the
// pasted facility, and after write memory and a restart from the saved
// file the running-config is the same.
func TestPastedRouterConfigBoots(t *testing.T) {
	testnet.Enter(t)
	src, err := os.ReadFile("../../config/cfgfile/testdata/ios-7200-netflow.conf")
	if err != nil {
		t.Fatal(err)
	}
	sink, port := collectorSocket(t)
	// The pasted collector, moved to this test's sink.
	startup := strings.Replace(string(src), "logging host 192.0.2.61 transport udp port 5514",
		fmt.Sprintf("logging host 127.0.0.1 transport udp port %d", port), 1)
	d := startDaemon(t, startup)
	startupPath := filepath.Join(d.dir, "startup-config")
	for _, want := range []string{
		"at=" + startupPath + ":69 line=\"router ospf 1\" reason=\"Not supported on this platform: flowtap runs no routing protocol\"",
		"at=" + startupPath + ":24 line=\"aaa new-model\" reason=\"AAA is not offered",
	} {
		if !strings.Contains(d.log.String(), want) {
			t.Errorf("the boot log lacks %q", want)
		}
	}
	// The router's type 5 secrets apply (flowtap verifies MD5-crypt).
	if strings.Contains(d.log.String(), "line=\"enable secret") || strings.Contains(d.log.String(), "line=\"username") {
		t.Errorf("a pasted secret was refused:\n%s", d.log)
	}
	rc := d.cli(t, "ios", "show running-config\n")
	for _, want := range []string{
		"\nhostname edge-7206\n",
		"\nenable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n",
		"\nusername netops privilege 15 secret 5 $1$4bNm$gKAO.6hS7JddPQWqItJys.\n",
		"\nlogging buffered 16384 informational\n",
		"\nip ssh version 2\nip ssh time-out 60\n",
		"\ninterface eth1\n description Uplink to core\n ip flow ingress\n ip flow egress\n",
		"\ninterface eth2\n description Customer aggregation\n flow-sampler SAMPLE-1-IN-100\n",
		"\nip flow-export source Loopback0\nip flow-export version 9\nip flow-export destination 192.0.2.50 2055\n",
		fmt.Sprintf("\nlogging facility local5\nlogging source-interface Loopback0\nlogging host 192.0.2.60\nlogging host 127.0.0.1 transport udp port %d\n", port),
		// Each range as the router had it: lines 5-15 take no SSH.
		"\nline vty 0 4\n access-class 10 in\n exec-timeout 30 0\n privilege level 15\n login local\n transport input ssh\n transport output none\n" +
			"line vty 5 15\n access-class 10 in\n login local\n transport input none\n",
	} {
		if !strings.Contains(rc, want) {
			t.Errorf("show running-config lacks %q:\n%s", want, rc)
		}
	}
	// A configuration change is logged (%SYS-5-CONFIG_I) and goes to the
	// pasted host: local5.notice is <173>.
	d.cli(t, "ios", "configure terminal\nsnmp-server location DC1 rack 13\nend\n")
	sink.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2048)
	got := ""
	for !strings.Contains(got, "%SYS-5-CONFIG_I") {
		n, err := sink.Read(buf)
		if err != nil {
			t.Fatalf("no %%SYS-5-CONFIG_I on the pasted logging host: %v; got %q", err, got)
		}
		got = string(buf[:n])
	}
	if !strings.HasPrefix(got, "<173>edge-7206 ") {
		t.Errorf("syslog datagram %q, want local5.notice from edge-7206", got)
	}
	shown := d.cli(t, "ios", "show logging\n")
	for _, want := range []string{"    Trap logging: level informational, ", "        Logging facility: local5\n",
		"        Logging Source-Interface: Loopback0 (not usable: the interface does not exist; messages leave from the routed address)\n",
		fmt.Sprintf("        Logging to 127.0.0.1  (udp port %d), ", port)} {
		if !strings.Contains(shown, want) {
			t.Errorf("show logging lacks %q:\n%s", want, shown)
		}
	}
	// write memory, then a restart from the startup-config alone.
	if out := d.cli(t, "ios", "write memory\n"); strings.Contains(out, "%") {
		t.Fatalf("write memory: %s", out)
	}
	before := d.cli(t, "ios", "show running-config\n")
	d.cmd.Process.Signal(os.Interrupt)
	d.cmd.Wait()
	os.Remove(filepath.Join(d.dir, "running-config"))
	d.crash(t)
	if after := d.cli(t, "ios", "show running-config\n"); after != before {
		t.Errorf("after write memory and a restart:\n%s\nwant:\n%s", after, before)
	}
}
