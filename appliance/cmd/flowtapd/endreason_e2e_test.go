package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestFlowEndReasonInV9: the v9 records carry flowEndReason (IE 136)
// as the IPFIX ones do, so an analyst on v9 tells a TCP conversation
// that closed (FIN or RST) from one that was cut. Zeek's nmap-vsn (a
// version scan: SYNs answered by RSTs, connections closed by FIN, DNS)
// is replayed; once the closed flows have left the cache (the ager takes
// a FIN/RST flow within a second) the daemon is stopped, which exports
// the rest. tshark reads each record of both exports: a flow with a FIN
// or RST in the capture says end of flow (3), every other one forced
// end (4), the truth being tshark's reading of the capture. v9 carried
// no end reason before, and tshark then read none.
func TestFlowEndReasonInV9(t *testing.T) {
	const pcap = "../../../testdata/pcaps/zeek-nmap-vsn.pcap"
	want, open := captureEndReasons(t, pcap)
	var frames [][]byte
	for _, p := range collector.ReadPcap(t, pcap) {
		frames = append(frames, p.Data)
	}
	v := testnet.Enter(t)
	v9Port, v9Stop := listenUDP(t)
	fixPort, fixStop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname endreason
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-export destination 127.0.0.1 %d version ipfix
`, v.Mon, v9Port, fixPort))
	d.waitMetering(t, v.Mon)
	v.Send(t, frames)
	// The closed flows leave at the ager's next pass; the open ones stay
	// until the stop.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		s := d.cli(t, "ios", "show ip cache flow\n")
		if strings.Contains(s, fmt.Sprintf("  %d active, ", open)) && strings.Contains(s, fmt.Sprintf(", %d added\n", len(want))) {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("want %d flows added and %d left open:\n%s", len(want), open, s)
		}
	}
	d.stop(t, syscall.SIGTERM)

	for _, f := range []struct {
		name string
		port uint16
		stop func() [][]byte
	}{{"v9", v9Port, v9Stop}, {"IPFIX", fixPort, fixStop}} {
		got := map[string]string{}
		for _, r := range collector.TsharkCflowRecords(t, f.stop(), f.port, "cflow.srcaddr", "cflow.dstaddr", "cflow.srcport", "cflow.dstport", "cflow.protocol", "cflow.flow_end_reason") {
			k := endReasonKey(r["cflow.srcaddr"], r["cflow.dstaddr"], r["cflow.protocol"], r["cflow.srcport"], r["cflow.dstport"])
			if _, dup := got[k]; dup {
				t.Errorf("%s: two records of %s", f.name, k)
			}
			got[k] = r["cflow.flow_end_reason"]
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: flow %s exported end reason %q, want %s", f.name, k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d records, want %d: %v", f.name, len(got), len(want), got)
		}
	}
}

func endReasonKey(src, dst, proto, sport, dport string) string {
	if sport == "" {
		sport = "0"
	}
	if dport == "" {
		dport = "0"
	}
	return fmt.Sprintf("%s.%s > %s.%s proto %s", src, sport, dst, dport, proto)
}

// captureEndReasons is tshark's reading of the capture: per IPv4 flow,
// 3 (end of flow) if one of its packets had FIN or RST, else 4 (forced
// end: the stop exports it); and how many flows stay open.
func captureEndReasons(t *testing.T, pcap string) (map[string]string, int) {
	t.Helper()
	closed := map[string]bool{}
	for _, f := range collector.TsharkPcapFields(t, pcap, "ip", nil,
		"ip.src", "ip.dst", "ip.proto", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags") {
		k := endReasonKey(f[0], f[1], f[2], f[3]+f[5], f[4]+f[6])
		var flags uint64
		if f[7] != "" {
			v, err := strconv.ParseUint(f[7], 0, 16)
			if err != nil {
				t.Fatalf("tshark tcp.flags %q: %v", f[7], err)
			}
			flags = v
		}
		closed[k] = closed[k] || flags&0x05 != 0
	}
	want := map[string]string{}
	open := 0
	for k, c := range closed {
		if c {
			want[k] = "3"
		} else {
			want[k] = "4"
			open++
		}
	}
	return want, open
}
