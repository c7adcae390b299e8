package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// captureField is one `ip flow-capture` field checked per flow against
// a capture's own truth: the capture line, tshark's cflow field for it,
// the address fields of the records' family, how a record names its flow
// (from source, destination, source port, destination port), and how a
// value is written so that tshark's export and capture readings compare.
type captureField struct {
	host, capture      string
	field              string
	srcField, dstField string
	key                func(src, dst, sport, dport string) string
	norm               func(string) string
	// merge, when set, folds a second record of a flow into the first
	// (a TCP flow whose closing ACK came after the FIN's record left is
	// two records); without it a second record is an error.
	merge func(a, b string) string
}

// runCaptureField meters frames in a daemon exporting v9 and IPFIX with
// c.capture on, stops it (a shutdown exports every cached flow), and
// wants each flow's exported c.field in both formats to be want's, one
// record a flow.
func runCaptureField(t *testing.T, c captureField, frames [][]byte, want map[string]string) {
	t.Helper()
	v := testnet.Enter(t)
	v9Port, v9Stop := listenUDP(t)
	fixPort, fixStop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname %s
username admin secret letmein
interface %s
 ip flow ingress
!
%s
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-export destination 127.0.0.1 %d version ipfix
`, c.host, v.Mon, c.capture, v9Port, fixPort))
	d.waitMetering(t, v.Mon)
	if rc := d.cli(t, "ios", "show running-config | include flow-capture\n"); !strings.Contains(rc, c.capture+"\n") {
		t.Errorf("running-config lacks %s:\n%s", c.capture, rc)
	}
	v.Send(t, frames)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if s := d.cli(t, "ios", "show ip flow datapath\n"); strings.Contains(s, fmt.Sprintf(" %d packets counted in flows", len(frames))) {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the %d frames sent were not all counted:\n%s", len(frames), s)
		}
	}
	d.stop(t, syscall.SIGTERM)

	for _, f := range []struct {
		name string
		port uint16
		stop func() [][]byte
	}{{"v9", v9Port, v9Stop}, {"IPFIX", fixPort, fixStop}} {
		got := map[string]string{}
		for _, r := range collector.TsharkCflowRecords(t, f.stop(), f.port, c.srcField, c.dstField, "cflow.srcport", "cflow.dstport", c.field) {
			k := c.key(r[c.srcField], r[c.dstField], r["cflow.srcport"], r["cflow.dstport"])
			v := c.norm(r[c.field])
			if prev, dup := got[k]; dup {
				if c.merge == nil {
					t.Errorf("%s: two records of %s", f.name, k)
				} else {
					v = c.merge(prev, v)
				}
			}
			got[k] = v
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: flow %s exported %s %q, want %s", f.name, k, c.field, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d records, want %d: %v", f.name, len(got), len(want), got)
		}
	}
}
