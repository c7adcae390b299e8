package hwtest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/hwtest/vm"
)

// xdpLine is flowtapd's console line reporting how it attached XDP to a
// port: it names the port and the mode (native/driver, generic/skb or
// offload/hw) in any order.
func xdpLine(port string) *regexp.Regexp {
	return regexp.MustCompile(`(?im)^flowtapd: .*(\bxdp\b.*\b` + port + `\b|\b` + port + `\b.*\bxdp\b).*$`)
}

var xdpMode = regexp.MustCompile(`(?i)\b(native|driver|drv|generic|skb|offload|hw)\b`)

// attachMode waits for flowtapd to report XDP on a port and returns the
// mode it names.
func attachMode(t *testing.T, v *vm.VM, port string) string {
	t.Helper()
	m := v.Expect(xdpLine(port), bootLimit)
	mode := xdpMode.FindString(m[0])
	if mode == "" {
		t.Fatalf("flowtapd's XDP line for %s names no attach mode (native, generic, offload): %q", port, m[0])
	}
	return strings.ToLower(mode)
}

func TestXDPNativeOnVirtio(t *testing.T) {
	v := boot(t, "")
	v.WaitReady(bootLimit)
	for _, port := range []string{"eth1", "eth2"} {
		switch mode := attachMode(t, v, port); mode {
		case "native", "driver", "drv":
			t.Logf("%s: XDP attached in native mode", port)
		default:
			t.Errorf("%s: XDP attached in %s mode, want native (virtio-net has a native XDP driver)", port, mode)
		}
	}
}
