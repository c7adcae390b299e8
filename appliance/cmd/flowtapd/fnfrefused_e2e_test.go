package main

import (
	"fmt"
	"testing"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestFNFBindingRefusedInIOSWords: an operator moving a port from
// traditional NetFlow to a flow monitor whose exporter sends v9 to the
// collector ip flow-export destination still sends v5 is refused, the
// reason quoting the command as typed (lower case, address and port as
// IOS writes them): it read "% Ip flow-export destination
// 127.0.0.1:PORT exports v5 ... sends 127.0.0.1:PORT v9 there". The
// binding is not applied; the port keeps ip flow ingress.
func TestFNFBindingRefusedInIOSWords(t *testing.T) {
	v := testnet.Enter(t)
	_, port := collectorSocket(t)
	d := startDaemon(t, fmt.Sprintf(`hostname fnfmove
username admin privilege 15 secret letmein
ip flow-export destination 127.0.0.1 %d
flow exporter E
 destination 127.0.0.1
 transport udp %d
!
flow monitor M
 exporter E
 record netflow ipv4 original-input
!
interface %s
 ip flow ingress
!
`, port, port, v.Mon))
	got := d.cli(t, "ios", fmt.Sprintf("configure terminal\ninterface %s\n ip flow monitor M input\nend\nshow running-config interface %s\n", v.Mon, v.Mon))
	want := fmt.Sprintf("Enter configuration commands, one per line.  End with CNTL/Z.\n"+
		"%% ip flow-export destination 127.0.0.1 %d exports v5 and flow monitor M's exporter sends v9 there\n"+
		"Building configuration...\n\nCurrent configuration : 38 bytes\n!\ninterface %s\n ip flow ingress\nend\n\n", port, v.Mon)
	if got != want {
		t.Errorf("binding the monitor:\n%q\nwant:\n%q", got, want)
	}
}
