package export_test

import (
	"fmt"
	"github.com/flowtap/flowtap/appliance/platform"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flow"
)

// TestNfdumpRoundTrip sends each main-cache format to a real nfcapd and
// reads the flows back with nfdump (Debian package nfdump; nfdump cannot
// decode v8, which TestTsharkDecodesV8 covers).
func TestNfdumpRoundTrip(t *testing.T) {
	v4 := interopRecords(40)
	v6 := interopV6Records(10)
	cases := []struct {
		cfg  export.EncoderConfig
		recs []flow.Record
	}{
		{export.EncoderConfig{Version: export.V5, AS: platform.ASOrigin, EngineType: 1, EngineID: 2}, v4},
		{export.EncoderConfig{Version: export.V7, AS: platform.ASOrigin, RouterSC: v7Config.RouterSC}, v4},
		{export.EncoderConfig{Version: export.V9, AS: platform.ASOrigin, ObservationDomain: 3}, append(append([]flow.Record{}, v4...), v6...)},
		{export.EncoderConfig{Version: export.IPFIX, AS: platform.ASOrigin, ObservationDomain: 4}, append(append([]flow.Record{}, v4...), v6...)},
	}
	for _, c := range cases {
		t.Run("v"+c.cfg.Version.String(), func(t *testing.T) {
			pkts := encodeAll(t, c.cfg, c.recs, nil)
			if len(pkts) < 2 {
				t.Fatalf("%d packets: want several to exercise sequence numbers", len(pkts))
			}
			got := collectWithNfcapd(t, pkts)
			if len(got) != len(c.recs) {
				t.Fatalf("nfdump shows %d flows, sent %d", len(got), len(c.recs))
			}
			bySrc := map[string]nfdumpFlow{}
			for _, f := range got {
				bySrc[nfdumpSrc(f)] = f
			}
			for _, r := range c.recs {
				f, ok := bySrc[r.SrcAddr.String()]
				if !ok {
					t.Errorf("flow from %s missing in nfdump output", r.SrcAddr)
					continue
				}
				compareNfdump(t, r, f)
			}
		})
	}
}

func nfdumpSrc(f nfdumpFlow) string {
	if f.Src6 != "" {
		return f.Src6
	}
	return f.Src4
}

func compareNfdump(t *testing.T, r flow.Record, f nfdumpFlow) {
	t.Helper()
	dst := f.Dst4
	if f.Dst6 != "" {
		dst = f.Dst6
	}
	check := func(field string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %s = %v, want %v", r.SrcAddr, field, got, want)
		}
	}
	check("dst addr", dst, r.DstAddr)
	check("src port", f.SrcPort, r.SrcPort)
	if r.Proto == 1 || r.Proto == 58 {
		check("icmp type<<8|code", uint16(f.ICMPType)<<8|uint16(f.ICMPCode), r.DstPort)
	} else {
		check("dst port", f.DstPort, r.DstPort)
	}
	check("protocol", f.Proto, r.Proto)
	check("packets", f.InPackets, r.Packets)
	check("bytes", f.InBytes, r.Bytes)
	check("tcp flags", nfdumpFlags(f.TCPFlags), r.TCPFlags)
	check("tos", f.SrcToS, r.ToS)
	check("input", f.InputIf, r.InputIf)
	check("output", f.OutputIf, r.OutputIf)
	check("src as", f.SrcAS, r.SrcAS)
	check("dst as", f.DstAS, r.DstAS)
	check("first", f.First, nfdumpTime(r.Start))
	check("last", f.Last, nfdumpTime(r.End))
}

// nfdumpTime is how nfdump's JSON prints a time (TZ=UTC).
func nfdumpTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000") }

// nfdumpFlags turns nfdump's "CEUAPRSF" rendering, '.' for unset, back
// into the flag byte.
func nfdumpFlags(s string) uint8 {
	var v uint8
	s = strings.TrimSpace(s)
	for i := 0; i < len(s) && i < 8; i++ {
		if s[len(s)-1-i] != '.' {
			v |= 1 << i
		}
	}
	return v
}
