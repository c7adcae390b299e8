package main

import (
	"fmt"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestShowIPFlowExportVerbose: an operator's script that runs IOS's
// `show ip flow export verbose` (and `verbose template`) got invalid
// input. IOS's verbose adds only the SCTP destinations' timers and the
// MPLS PAL records; flowtap exports over UDP and has no PAL table, so the
// verbose screens are the plain ones, exactly.
func TestShowIPFlowExportVerbose(t *testing.T) {
	testnet.Enter(t)
	port, stop := listenUDP(t)
	defer stop()
	d := startDaemon(t, fmt.Sprintf(`hostname verbose
username admin privilege 15 secret letmein
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip flow-export template timeout-rate 10
`, port))
	want := fmt.Sprintf(`Flow export v9 is enabled for main cache
  Export source and destination details :
  VRF ID : Default
    Destination(1)  127.0.0.1 (%d)
      0 flow records sent in 0 udp datagrams
  Version 9 flow records
  0 flows exported in 0 udp datagrams
  0 flows failed due to lack of export packet
  0 export packets were sent up to process level
  0 export packets were dropped due to no fib
  0 export packets were dropped due to adjacency issues
  0 export packets were dropped due to fragmentation failures
  0 export packets were dropped due to encapsulation fixup failures
  0 export packets were dropped due to send errors
  0 flows were not exportable in this version (IPv6)
`, port)
	wantTemplate := `Main cache v9 export is enabled
  Template export information
  Template timeout = 10
  Template refresh rate = 20
  Option export information
  Option timeout = 10
  Option refresh rate = 20
`
	for cmd, w := range map[string]string{
		"show ip flow export verbose\n":          want,
		"show ip flow export\n":                  want,
		"show ip flow export verbose template\n": wantTemplate,
	} {
		if got := d.cli(t, "ios", cmd); got != w {
			t.Errorf("%s%s\nwant:\n%s", cmd, got, w)
		}
	}
}
