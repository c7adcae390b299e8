package main

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestDebugIPFlowExport: an operator troubleshooting export turns on
// `debug ip flow export` (refused as invalid input before): each export
// packet written is an IPFLOW line at debug severity in the log buffer
// (and on terminal monitor lines), as many as the collector received,
// and one for the aggregation cache's packet to its own collector; show
// debugging says what is on, and undebug all turns it off, after which
// packets go out without a line.
func TestDebugIPFlowExport(t *testing.T) {
	v := testnet.Enter(t)
	sink, port := collectorSocket(t)
	aggSink, aggPort := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname dbg
username admin privilege 15 secret letmein
ip flow-export destination 127.0.0.1 %d
ip flow-aggregation cache protocol-port
 export destination 127.0.0.1 %d
 enabled
!
interface %s
 ip flow ingress
!
`, port, aggPort, v.Mon))
	d.waitMetering(t, v.Mon)
	if got, want := d.cli(t, "ios", "debug ip flow export\nshow debugging\n"),
		"IP flow export debugging is on\nIP flow:\n  IP flow export debugging is on\n"; got != want {
		t.Fatalf("debug ip flow export; show debugging: %q, want %q", got, want)
	}
	received := 0
	exportOnce := func(src byte, datagrams int) {
		t.Helper()
		v.Send(t, udpFrames([4]byte{10, 0, 10, src}, 4000, 2))
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(d.cli(t, "ios", "show ip cache flow\n"), fmt.Sprintf("10.0.10.%d", src)); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("10.0.10.%d never metered", src)
			}
		}
		d.cli(t, "ios", "clear mls netflow\n")
		line := fmt.Sprintf("  %d flows exported in %d udp datagrams\n", datagrams, datagrams)
		if got := d.cliUntil(t, "ios", "show ip flow export | include flows exported\n", line); got != line {
			t.Fatalf("show ip flow export: %q, want %q", got, line)
		}
		for _, s := range []*net.UDPConn{sink, aggSink} {
			s.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 2048)
			if _, err := s.Read(buf); err != nil {
				t.Fatalf("collector %s got no export packet: %v", s.LocalAddr(), err)
			}
		}
		received++
	}
	exportOnce(1, 1)
	logged := d.cli(t, "ios", "show logging | include IPFLOW\n")
	for _, p := range []int{port, aggPort} {
		debugLine := fmt.Sprintf("IPFLOW: Sending UDP export pak to 127.0.0.1 port %d\n", p)
		if strings.Count(logged, debugLine) != received {
			t.Errorf("show logging | include IPFLOW: %q, want %d line(s) ending %q", logged, received, debugLine)
		}
	}
	if strings.Count(logged, "\n") != 2*received {
		t.Errorf("show logging | include IPFLOW: %q, want %d lines", logged, 2*received)
	}

	if got, want := d.cli(t, "ios", "undebug all\nshow debugging\n"), "All possible debugging has been turned off\n"; got != want {
		t.Errorf("undebug all; show debugging: %q, want %q", got, want)
	}
	exportOnce(2, 2)
	if again := d.cli(t, "ios", "show logging | include IPFLOW\n"); again != logged {
		t.Errorf("after undebug all a packet was logged: %q, was %q", again, logged)
	}
}
