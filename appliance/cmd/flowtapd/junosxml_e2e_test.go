package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// TestJunOSDisplayXML: an NMS scrapes `show services accounting flow |
// display xml` and `show interfaces terse | display xml`, which flowtap
// refused (display xml is not supported). Each is Junos's rpc-reply with
// the screen's numbers and states under Junos's element names; another
// command's | display xml is refused rather than answered with text.
func TestJunOSDisplayXML(t *testing.T) {
	v := testnet.Enter(t)
	if out, err := testproc.CombinedOutput(exec.Command("ip", "-n", v.NS, "addr", "add", "10.9.9.1/24", "dev", v.Mon)); err != nil {
		t.Fatalf("ip addr add: %v\n%s", err, out)
	}
	port, _ := listenUDP(t)
	d := junosDaemon(t, "hostname e2e\nusername admin privilege 15 secret adminpass\n")
	if out := d.cli(t, "junos", fmt.Sprintf(`configure
set interfaces %s unit 0 family inet sampling input
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-inactive-timeout 15
set forwarding-options sampling family inet output flow-server 127.0.0.1 port %d version 5
commit and-quit
`, v.Mon, port)); !strings.Contains(out, "commit complete") {
		t.Fatalf("commit:\n%s", out)
	}
	d.waitMetering(t, v.Mon)
	v.Send(t, udpFrames([4]byte{10, 0, 7, 1}, 4000, 6))
	// The flow leaves at the 15 s inactive timeout; by then the
	// 10-second rates are 0 again.
	var text string
	for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		if text = d.cli(t, "junos", "show services accounting flow\n"); strings.Contains(text, "Flows exported: 1,") || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(text, "Flows exported: 1,") {
		t.Fatalf("the flow was not exported:\n%s", text)
	}
	time.Sleep(time.Second)
	head := `<rpc-reply xmlns:junos="http://xml.juniper.net/junos/*/junos">
`
	tail := `    <cli>
        <banner></banner>
    </cli>
</rpc-reply>
`
	want := head + `    <services-accounting-information xmlns="http://xml.juniper.net/junos/*/junos-jflow">
        <flow-information>
            <interface-name>xdp-0/0/0</interface-name>
            <local-ifd-index>0</local-ifd-index>
            <flow-packets>6</flow-packets>
            <flow-bytes>228</flow-bytes>
            <flow-packets-ten-second-rate>0</flow-packets-ten-second-rate>
            <flow-bytes-ten-second-rate>0</flow-bytes-ten-second-rate>
            <active-flows>0</active-flows>
            <flows>1</flows>
            <flows-exported>1</flows-exported>
            <flow-packets-exported>1</flow-packets-exported>
            <flows-expired>1</flows-expired>
            <flows-aged>0</flows-aged>
        </flow-information>
    </services-accounting-information>
` + tail
	if got := d.cli(t, "junos", "show services accounting flow | display xml\n"); got != want {
		t.Errorf("show services accounting flow | display xml:\n%s\nwant:\n%s", got, want)
	}
	unit := func(name, addr string) string {
		return `            <logical-interface>
                <name>` + name + `.0</name>
                <admin-status>up</admin-status>
                <oper-status>up</oper-status>
                <address-family>
                    <address-family-name>inet</address-family-name>
                    <interface-address>
                        <ifa-local>` + addr + `</ifa-local>
                    </interface-address>
                </address-family>
            </logical-interface>
`
	}
	phys := func(name, units string) string {
		return `        <physical-interface>
            <name>` + name + `</name>
            <admin-status>up</admin-status>
            <oper-status>up</oper-status>
` + units + `        </physical-interface>
`
	}
	want = head + `    <interface-information xmlns="http://xml.juniper.net/junos/*/junos-interface" junos:style="terse">
` + phys("lo", unit("lo", "127.0.0.1/8")) + phys(v.Src, "") + phys(v.Mon, unit(v.Mon, "10.9.9.1/24")) + `    </interface-information>
` + tail + "error: display xml is not supported for this command\n"
	if got := d.cli(t, "junos", "show interfaces terse | display xml\nshow version | display xml\n"); got != want {
		t.Errorf("show interfaces terse | display xml:\n%s\nwant:\n%s", got, want)
	}
}
