package main

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPrometheusManagementCounters: a wrong SSH password (real OpenSSH),
// an SNMP request with a wrong community and a wrong SNMPv3 key
// (net-snmp) and an open SSH session show in the scrape, agreeing with
// `show snmp`; before, a security analyst watching Prometheus saw none
// of the management plane.
func TestPrometheusManagementCounters(t *testing.T) {
	testnet.Enter(t)
	port := freeTCP(t)[len("127.0.0.1:"):]
	d := startDaemon(t, fmt.Sprintf(`hostname promtap
username admin privilege 15 secret adminpass
snmp-server community public RO
snmp-server group NMS v3 priv
snmp-server user nms NMS v3 auth sha authpass123 priv aes 128 privpass123
ip http metrics port %s
`, port))
	val := func(fams map[string]*dto.MetricFamily, name, label, want string) float64 {
		for _, m := range fams[name].GetMetric() {
			for _, l := range m.Label {
				if l.GetName() == label && l.GetValue() != want {
					goto next
				}
			}
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		next:
		}
		t.Fatalf("no %s{%s=%q}", name, label, want)
		return 0
	}
	if out, err := openSSH(t, d.sshAddr, "admin", "wrong", false, "show version\n"); err == nil {
		t.Fatalf("a wrong password logged in:\n%s", out)
	}
	snmpAsk("snmpget", d.snmpAddr, "-v2c", "-c", "wrong", "AGENT", "1.3.6.1.2.1.1.5.0")
	snmpAsk("snmpget", d.snmpAddr, "-v3", "-l", "authPriv", "-u", "nms", "-a", "SHA", "-A", "wrongpass123", "-x", "AES", "-X", "privpass123", "AGENT", "1.3.6.1.2.1.1.5.0")

	// An SSH session held open while the endpoint is read.
	host, sport, _ := net.SplitHostPort(d.sshAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	held := sshpassCmd(ctx, host, sport, "admin", "adminpass", "-tt")
	stdin, _ := held.StdinPipe()
	if err := held.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); held.Wait() }()

	var fams map[string]*dto.MetricFamily
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		fams = scrapeMetrics(t, "127.0.0.1", port)
		if val(fams, "flowtap_cli_sessions", "line", "vty") == 1 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the held SSH session is not counted: %v", fams["flowtap_cli_sessions"])
		}
	}
	for _, c := range []struct {
		name, label, value string
		want               float64
	}{
		{"flowtap_ssh_login_failures_total", "", "", 1},
		{"flowtap_snmp_auth_failures_total", "cause", "bad-community", 1},
		{"flowtap_snmp_auth_failures_total", "cause", "wrong-digest", 1},
	} {
		if got := val(fams, c.name, c.label, c.value); got != c.want {
			t.Errorf("%s{%s=%q} = %v, want %v", c.name, c.label, c.value, got, c.want)
		}
	}
	if screen := d.cli(t, "ios", "show snmp | include Unknown community\n"); screen != "    1 Unknown community name\n" {
		t.Errorf("show snmp disagrees with the scrape: %q", screen)
	}
}
