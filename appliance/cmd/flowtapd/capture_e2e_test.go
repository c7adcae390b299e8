package main

import (
	"encoding/binary"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// ip4Frame is an Ethernet frame (after an optional MPLS label stack)
// with an IPv4 header of id and fragment field frag, protocol proto and
// an L4 part l4 (which it does not touch).
func ip4Frame(src [4]byte, proto uint8, id, frag uint16, labels []uint32, l4 []byte) []byte {
	b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}
	if len(labels) > 0 {
		b[12], b[13] = 0x88, 0x47
		for _, l := range labels {
			b = binary.BigEndian.AppendUint32(b, l)
		}
	}
	ip := make([]byte, 20)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(l4)))
	binary.BigEndian.PutUint16(ip[4:], id)
	binary.BigEndian.PutUint16(ip[6:], frag)
	ip[8], ip[9] = 64, proto
	copy(ip[12:], src[:])
	copy(ip[16:], []byte{192, 0, 2, 9})
	return append(append(b, ip...), l4...)
}

func udpPart(sport uint16, payload int) []byte {
	b := make([]byte, 8+payload)
	binary.BigEndian.PutUint16(b, sport)
	binary.BigEndian.PutUint16(b[2:], 53)
	binary.BigEndian.PutUint16(b[4:], uint16(8+payload))
	return b
}

// labelEntry is an MPLS label stack entry: label, EXP, bottom of stack, TTL.
func labelEntry(label uint32, exp uint8, bos bool, ttl uint8) uint32 {
	e := label<<12 | uint32(exp)<<9 | uint32(ttl)
	if bos {
		e |= 1 << 8
	}
	return e
}

// TestFlowCaptureFields: with `ip flow-capture ip-id | packet-length |
// icmp | fragment-offset` and `ip flow-cache mpls label-positions 1 2 3`,
// frames sent into a metered veth show in `show ip cache verbose flow`
// and reach a v9 and an IPFIX collector with the first packet's IP id
// (IE 54), the length range (IEs 25, 26), the ICMP type and code (IE 32),
// the first fragment's offset (IE 88) and the top three label stack
// entries with their EXP and bottom-of-stack bits (IEs 70-72), as tshark
// decodes them: each value the one the frames carried.
func TestFlowCaptureFields(t *testing.T) {
	v := testnet.Enter(t)
	v9Port, v9Stop := listenUDP(t)
	fixPort, fixStop := listenUDP(t)
	d := startDaemon(t, fmt.Sprintf(`hostname capturetest
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-cache mpls label-positions 1 2 3
ip flow-capture fragment-offset
ip flow-capture icmp
ip flow-capture ip-id
ip flow-capture packet-length
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-export destination 127.0.0.1 %d version ipfix
`, v.Mon, v9Port, fixPort))
	d.waitMetering(t, v.Mon)
	udpSrc, icmpSrc, fragSrc, mplsSrc := [4]byte{10, 7, 0, 1}, [4]byte{10, 7, 0, 2}, [4]byte{10, 7, 0, 3}, [4]byte{10, 7, 0, 4}
	stack := []uint32{labelEntry(16001, 5, false, 255), labelEntry(24002, 3, false, 254), labelEntry(1048575, 0, true, 253)}
	frames := [][]byte{
		// One UDP flow: ids 4660, 4661, 4662; total lengths 38, 428, 28.
		ip4Frame(udpSrc, 17, 0x1234, 0, nil, udpPart(1000, 10)),
		ip4Frame(udpSrc, 17, 0x1235, 0, nil, udpPart(1000, 400)),
		ip4Frame(udpSrc, 17, 0x1236, 0, nil, udpPart(1000, 0)),
		// Echo request (type 8 code 0) with id 7.
		ip4Frame(icmpSrc, 1, 7, 0, nil, []byte{8, 0, 0, 0, 0, 1, 0, 1}),
		// A datagram's second and third fragments (no ports: one flow),
		// offsets 185 and 370 with MF on the first: its offset is 185.
		ip4Frame(fragSrc, 17, 99, 0x2000|185, nil, make([]byte, 200)),
		ip4Frame(fragSrc, 17, 99, 370, nil, make([]byte, 40)),
		// Three labels over UDP.
		ip4Frame(mplsSrc, 17, 5, 0, stack, udpPart(2000, 12)),
	}
	v.Send(t, frames)

	want := []string{
		"Min plen:       28                            Max plen:        428",
		"IP id:        4660                            FO:                0",
		"ICMP type:       8                            ICMP code:         0",
		"IP id:           7                            FO:                0",
		"IP id:          99                            FO:              185",
		"Min plen:       60                            Max plen:        220",
		"Pos:Lbl-Exp-S 1:16001-5-0 2:24002-3-0 3:1048575-0-1",
	}
	var screen string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		screen = d.cli(t, "ios", "show ip cache verbose flow\n")
		missing := ""
		for _, w := range want {
			if !strings.Contains(screen, w+"\n") {
				missing = w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("show ip cache verbose flow lacks %q:\n%s", missing, screen)
		}
	}
	t.Logf("show ip cache verbose flow:\n%s", screen)
	d.stop(t, syscall.SIGTERM)

	type rec struct{ minLen, maxLen, ipID, fo, icmp, labels string }
	wantRecs := map[string]rec{
		"10.7.0.1": {"28", "428", "4660", "0", "0x0000", ""},
		"10.7.0.2": {"28", "28", "7", "0", "0x0800", ""}, // type 8, code 0
		"10.7.0.3": {"60", "220", "99", "185", "0x0000", ""},
		"10.7.0.4": {"40", "40", "5", "0", "0x0000", "16001/5/0 24002/3/0 1048575/0/1"},
	}
	for _, c := range []struct {
		name  string
		port  uint16
		stop  func() [][]byte
		ident string
	}{{"v9", v9Port, v9Stop, "cflow.frag_ident"}, {"IPFIX", fixPort, fixStop, "cflow.frag_ident"}} {
		fields := []string{"cflow.srcaddr", "cflow.length_min", "cflow.length_max", c.ident, "cflow.fragment_offset",
			"cflow.icmp_type_code_ipv4", "cflow.mpls_label", "cflow.mpls_exp", "cflow.mpls_bos"}
		got := map[string]rec{}
		for _, p := range collector.TsharkCflow(t, c.stop(), c.port, fields...) {
			src := p["cflow.srcaddr"]
			// Records of one packet: field i of record j is the j-th value;
			// the labels come three a record.
			for j, s := range src {
				if _, ok := wantRecs[s]; !ok {
					continue
				}
				at := func(f string) string {
					if vs := p[f]; j < len(vs) {
						return vs[j]
					}
					return "?"
				}
				r := rec{at("cflow.length_min"), at("cflow.length_max"), at(c.ident), at("cflow.fragment_offset"), at("cflow.icmp_type_code_ipv4"), ""}
				var ls []string
				for k := 3 * j; k < 3*j+3 && k < len(p["cflow.mpls_label"]); k++ {
					bos := p["cflow.mpls_bos"][k]
					if bos == "True" || bos == "1" {
						bos = "1"
					} else {
						bos = "0"
					}
					ls = append(ls, p["cflow.mpls_label"][k]+"/"+p["cflow.mpls_exp"][k]+"/"+bos)
				}
				if s == "10.7.0.4" {
					r.labels = strings.Join(ls, " ")
				}
				got[s] = r
			}
		}
		for src, w := range wantRecs {
			if got[src] != w {
				t.Errorf("%s record of %s as tshark decodes it: %+v, want %+v", c.name, src, got[src], w)
			}
		}
	}
}
