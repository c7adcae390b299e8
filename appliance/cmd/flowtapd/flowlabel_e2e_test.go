package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestFlowLabelFromCapture: with `ip flow-capture flow-label`, the IPv6
// frames of a real capture (nDPI's gnutella.pcap: DHCPv6, LLMNR, SSDP,
// WS-Discovery and mDNS from one host, several flows whose label changes
// between packets, and label-0 ICMPv6/MLD) reach a v9 and an IPFIX
// collector with each flow's first packet's flow label (IE 31, 3 bytes
// in v9, 4 in IPFIX), as tshark decodes them; the truth is tshark's
// reading of the capture itself. An analyst follows a conversation
// across NAT64 or load balancers by its label; softflowd and pmacctd's
// nfprobe export none.
func TestFlowLabelFromCapture(t *testing.T) {
	const pcap = "../../../testdata/pcaps/ndpi-gnutella.pcap"
	want := firstFlowLabels(t, pcap)
	var frames [][]byte
	for _, p := range collector.ReadPcap(t, pcap) {
		if len(p.Data) > 14 && binary.BigEndian.Uint16(p.Data[12:]) == 0x86dd {
			frames = append(frames, p.Data)
		}
	}
	if len(frames) != 68 {
		t.Fatalf("%s has %d IPv6 frames, want 68", pcap, len(frames))
	}
	v := testnet.Enter(t)
	v9Port, v9Stop := listenUDP(t)
	fixPort, fixStop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname flowlabel
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-capture flow-label
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-export destination 127.0.0.1 %d version ipfix
`, v.Mon, v9Port, fixPort))
	d.waitMetering(t, v.Mon)
	if rc := d.cli(t, "ios", "show running-config | include flow-capture\n"); !strings.Contains(rc, "ip flow-capture flow-label\n") {
		t.Errorf("running-config lacks ip flow-capture flow-label:\n%s", rc)
	}
	v.Send(t, frames)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if s := d.cli(t, "ios", "show ip flow datapath\n"); strings.Contains(s, "68 packets counted in flows") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the 68 frames were not all counted:\n%s", s)
		}
	}
	d.stop(t, syscall.SIGTERM) // a shutdown exports every cached flow

	for _, c := range []struct {
		name string
		port uint16
		stop func() [][]byte
	}{{"v9", v9Port, v9Stop}, {"IPFIX", fixPort, fixStop}} {
		got := map[string]string{}
		for _, p := range collector.TsharkCflow(t, c.stop(), c.port, "cflow.srcaddrv6", "cflow.dstaddrv6", "cflow.srcport", "cflow.dstport", "cflow.ipv6flowlabel") {
			for j := range p["cflow.srcaddrv6"] {
				at := func(f string) string {
					if vs := p[f]; j < len(vs) {
						return vs[j]
					}
					return "?"
				}
				k := flowLabelKey(at("cflow.srcaddrv6"), at("cflow.dstaddrv6"), at("cflow.srcport"), at("cflow.dstport"))
				if _, dup := got[k]; dup {
					t.Errorf("%s: two records of %s", c.name, k)
				}
				got[k] = labelHex(t, at("cflow.ipv6flowlabel"))
			}
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: flow %s exported flow label %q, want the first packet's %s", c.name, k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d IPv6 records, want %d: %v", c.name, len(got), len(want), got)
		}
	}
}

// flowLabelKey names a flow by its addresses and ports; ICMPv6 flows
// (whose destination port is type and code) are named by their
// addresses, which in this capture tell them apart.
func flowLabelKey(src, dst, sport, dport string) string {
	if sport == "0" || sport == "" {
		return src + " > " + dst
	}
	return fmt.Sprintf("%s.%s > %s.%s", src, sport, dst, dport)
}

// labelHex reads tshark's flow label, decimal or 0x hex, as 0x%05x.
func labelHex(t *testing.T, s string) string {
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return s
	}
	return fmt.Sprintf("0x%05x", n)
}

// firstFlowLabels is tshark's reading of the capture: each IPv6 flow's
// first packet's label, by flowLabelKey.
func firstFlowLabels(t *testing.T, pcap string) map[string]string {
	t.Helper()
	tshark := collector.RequireTool(t, "tshark", "tshark")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, tshark, "-r", pcap, "-Y", "ipv6", "-T", "fields", "-E", "separator=|",
		"-e", "ipv6.src", "-e", "ipv6.dst", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "ipv6.flow").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", pcap, err)
	}
	first := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(l, "|")
		if len(f) != 5 {
			t.Fatalf("tshark line %q", l)
		}
		k := flowLabelKey(f[0], f[1], f[2], f[3])
		if _, seen := first[k]; !seen {
			first[k] = labelHex(t, f[4])
		}
	}
	return first
}
