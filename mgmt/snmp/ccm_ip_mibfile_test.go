package snmp

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/mibfiles"
)

type staticAddresses []InterfaceAddress

func (s staticAddresses) Addresses() ([]InterfaceAddress, error) { return s, nil }

// TestConfigManAndIPMIBFiles walks CISCO-CONFIG-MAN-MIB's history and
// IP-MIB's address tables with Cisco's files loaded: every instance is an
// object of the module with its syntax (net-snmp says "Wrong Type"
// otherwise), every accessible object of the history group and of the
// three address tables answers, and the values read by name are the
// events and addresses given.
func TestConfigManAndIPMIBFiles(t *testing.T) {
	cfg := testConfig(newFakeBackend())
	cfg.Addresses = staticAddresses{
		{IfIndex: 2, Prefix: netip.MustParsePrefix("192.0.2.1/24")},
		{IfIndex: 2, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Dynamic: true},
		{IfIndex: 2, Prefix: netip.MustParsePrefix("fe80::1/64"), Tentative: true},
	}
	a, v4, _ := startAgent(t, cfg)
	a.ConfigEvent(ConfigEvent{Source: ConfigFromCLI, From: MediumCommandSource, To: MediumRunning, Terminal: TerminalVirtual, TerminalNum: 2, User: "admin", Addr: netip.MustParseAddr("198.51.100.9")})
	a.ConfigEvent(ConfigEvent{Source: ConfigFromCLI, From: MediumRunning, To: MediumStartup, Terminal: TerminalUnknown})

	for _, c := range []struct {
		module, root string
		want         []string
	}{
		{"CISCO-CONFIG-MAN-MIB", "ccmHistory", []string{
			"ccmHistoryEventCommandSource.1 = commandLine", "ccmHistoryEventConfigSource.1 = commandSource",
			"ccmHistoryEventConfigDestination.1 = running", "ccmHistoryEventTerminalType.1 = virtual",
			"ccmHistoryEventTerminalNumber.1 = 2", "ccmHistoryEventTerminalUser.1 = admin",
			"ccmHistoryEventCommandSourceAddrType.1 = ipv4", "ccmHistoryEventConfigDestination.2 = startup",
			"ccmHistoryMaxEventEntries.0 = 10"}},
		{"IP-MIB", "ipAddrTable", []string{"ipAdEntIfIndex.192.0.2.1 = 2", "ipAdEntNetMask.192.0.2.1 = 255.255.255.0"}},
		{"IP-MIB", "ipAddressTable", []string{"ipAddressOrigin.ipv4.\"192.0.2.1\" = manual", "ipAddressOrigin.ipv6.\"20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:00:01\" = linklayer",
			"ipAddressStatus.ipv6.\"fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:01\" = tentative"}},
		{"IP-MIB", "ipAddressPrefixTable", []string{"ipAddressPrefixOrigin.2.ipv4.\"192.0.2.0\".24 = manual", "ipAddressPrefixOrigin.2.ipv6.\"fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:00\".64 = wellknown"}},
	} {
		out, err := mibfiles.Run(t, c.module, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Os", "-OQ", v4, c.root)
		if err != nil {
			t.Fatalf("snmpbulkwalk %s: %v", c.root, err)
		}
		for _, l := range lines(out) {
			if strings.Contains(l, "Wrong Type") || strings.Contains(l, "No Such") {
				t.Errorf("%s: %s", c.root, l)
			}
		}
		for _, w := range c.want {
			if !strings.Contains(out+"\n", w+"\n") {
				t.Errorf("%s lacks %q", c.root, w)
			}
		}
		for _, o := range mibfiles.Accessible(t, c.module, c.module+"::"+c.root) {
			switch o {
			case "ccmHistoryEventCommandSourceAddress", "ccmHistoryEventServerAddress": // deprecated IpAddress forms: the Rev1 columns
				continue
			}
			if !strings.Contains(out, o+".") {
				t.Errorf("%s: %s has no instance", c.root, o)
			}
		}
	}
}
