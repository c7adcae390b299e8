package export_test

import (
	"net"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/internal/collector"
)

func TestScratchTwoStreams(t *testing.T) {
	capd := collector.StartNfcapd(t)
	a, ca := newEncoder(t, export.EncoderConfig{Version: export.V9, AS: platform.ASOrigin})
	b, cb := newEncoder(t, export.EncoderConfig{Version: export.V9, Scheme: platform.SchemeProtocolPort})
	recs := interopRecords(20)
	for i := range recs {
		mustAdd(t, a, recs[i])
		mustFlush(t, a)
		ag := v8Aggregate()
		if err := b.AddAggregate(&ag); err != nil {
			t.Fatal(err)
		}
		mustFlush(t, b)
	}
	c1, _ := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(capd.Addr))
	c2, _ := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(capd.Addr))
	for i := range ca.pkts {
		c1.Write(ca.pkts[i])
		time.Sleep(time.Millisecond)
		c2.Write(cb.pkts[i])
		time.Sleep(time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	_, logs := capd.Close(t)
	t.Log(logs)
}
