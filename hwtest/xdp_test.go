package hwtest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/hwtest/vm"
)

// xdpLine is flowtapd's console line reporting how it attached XDP to a
// port: it names the port and the mode (native/driver, generic/skb or
// offload/hw) in any order. At boot it is the daemon's own line; once the
// CLI is on the console, the CLI shows it as a log message (%FLOWTAP-...).
func xdpLine(port string) *regexp.Regexp {
	// Up to the line's end: `$` would also match where the console's
	// output so far stops, half a line ("... port eth2, xdp") before the
	// mode is printed.
	return regexp.MustCompile(`(?im)^(?:flowtapd: |.*%FLOWTAP-\d-\w+: ).*(\bxdp\b.*\b` + port + `\b|\b` + port + `\b.*\bxdp\b)[^\r\n]*\r?\n`)
}

var xdpMode = regexp.MustCompile(`(?i)\b(native|driver|drv|generic|skb|offload|hw)\b`)

// attachMode waits for flowtapd to report XDP on a port after a console
// offset and returns the mode it names.
func attachMode(t *testing.T, v *vm.VM, port string, offset int) string {
	t.Helper()
	m, _ := v.ExpectFrom(xdpLine(port), offset, bootWait)
	mode := xdpMode.FindString(m[0])
	if mode == "" {
		t.Fatalf("flowtapd's XDP line for %s names no attach mode (native, generic, offload): %q", port, m[0])
	}
	return canonicalMode(mode)
}

// canonicalMode names an attach mode as the config does.
func canonicalMode(mode string) string {
	switch strings.ToLower(mode) {
	case "native", "driver", "drv":
		return "native"
	case "generic", "skb":
		return "generic"
	case "offload", "hw":
		return "offload"
	}
	return strings.ToLower(mode)
}

// TestXDPNativeOnVirtio: with no xdp-mode configured (best), both ports
// of the appliance attach XDP natively at boot: virtio-net has a native
// XDP driver.
func TestXDPNativeOnVirtio(t *testing.T) {
	p := appliance(t)
	for _, port := range []string{"eth1", "eth2"} {
		if mode := attachMode(t, p.VM, port, 0); mode != "native" {
			t.Errorf("%s: XDP attached in %s mode at boot, want native (virtio-net has a native XDP driver)", port, mode)
		} else {
			t.Logf("%s: XDP attached in native mode at boot", port)
		}
	}
}

// meteringLog is the daemon's log line (show logging) for a port's XDP
// attachment.
var meteringLog = regexp.MustCompile(`metering port: port ([^,\s]+), xdp-mode ([^,\s]+)`)

// TestXDPGenericFallback: `flowtap xdp-mode generic` under an interface
// re-attaches that port in generic (skb) mode at once; the daemon's log
// says so, the other port stays native, and the generic port meters what
// it is fed.
func TestXDPGenericFallback(t *testing.T) {
	p := appliance(t)
	off := p.Console.Len()
	p.cli(t, "configure terminal\ninterface eth2\n flowtap xdp-mode generic\nend\n")
	t.Cleanup(func() {
		// Native again, then the default (best keeps the attachment).
		p.cli(t, "configure terminal\ninterface eth2\n flowtap xdp-mode native\n no flowtap xdp-mode\nend\n")
	})
	if mode := attachMode(t, p.VM, "eth2", off); mode != "generic" {
		t.Errorf("eth2: the console reports XDP in %s mode after `flowtap xdp-mode generic`", mode)
	}
	if again := xdpLine("eth1").FindAllString(p.Console.Text()[off:], -1); len(again) > 0 {
		t.Errorf("eth1 was attached again after eth2's change: %q", again)
	}

	// The daemon's own log buffer, as an operator reads it.
	last := map[string]string{}
	logging := p.cli(t, "show logging\n")
	for _, m := range meteringLog.FindAllStringSubmatch(logging, -1) {
		last[m[1]] = canonicalMode(m[2])
	}
	t.Logf("show logging: last attach mode per port: %v", last)
	if last["eth2"] != "generic" {
		t.Errorf("show logging: eth2 last attached in %q mode, want generic:\n%s", last["eth2"], logging)
	}
	if last["eth1"] != "native" {
		t.Errorf("show logging: eth1 last attached in %q mode, want native:\n%s", last["eth1"], logging)
	}
	if run := p.cli(t, "show running-config\n"); !regexp.MustCompile(`(?m)^interface eth2\n(?: .*\n)*? flowtap xdp-mode generic$`).MatchString(run) {
		t.Errorf("running-config lacks ` flowtap xdp-mode generic` under interface eth2:\n%s", run)
	}

	// Generic mode meters: every packet fed into eth2 is counted.
	c := loadCapture(t, "tcpdump-print-flags.pcap")
	before := p.cache(t)
	p.feed(t, "eth2", c)
	want := c.Want.Total().Packets
	after := p.waitMetered(t, before.Packets+want)
	if got := after.Packets - before.Packets; got != want {
		t.Errorf("eth2 in generic mode metered %d packets of %s, nfpcapd counts %d", got, c.Name, want)
	} else {
		t.Logf("eth2 in generic mode metered all %d packets of %s", got, c.Name)
	}
}
