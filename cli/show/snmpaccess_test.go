package show

import (
	"bytes"
	"testing"
)

// TestSNMPAccessScreens: show snmp user, group, view, engineID and host in
// IOS's layouts.
func TestSNMPAccessScreens(t *testing.T) {
	v := SNMPAccessView{EngineID: "80007ed9035a51da4b0ef6",
		Users: []SNMPUserView{
			{Name: "nms", Group: "NMS", Auth: "SHA", Priv: "AES128"},
			{Name: "ro", Group: "LIM", Auth: "SHA-256", Priv: "None", ACL: "10", Refused: "group LIM needs more security than the user has"},
			{Name: "inf", Group: "NMS", Auth: "MD5", Priv: "DES", Remote: "192.0.2.50:1162", RemoteEngineID: "80001f8805aabbccdd11223344"},
		},
		Groups: []SNMPGroupView{
			{Name: "NMS", Level: "priv"},
			{Name: "LIM", Level: "auth", Read: "NOSYS", Write: "W", ACL: "MGMT"},
		},
		Views:         []SNMPMIBView{{Name: "v1default", Subtree: "internet.6.3.15", Excluded: true, Permanent: true}, {Name: "NOSYS", Subtree: "iso"}, {Name: "NOSYS", Subtree: "system", Excluded: true}, {Name: "W", Subtree: "1.3.6.1.4.1.9.9.387"}},
		RemoteEngines: []SNMPRemoteEngineView{{EngineID: "80001f8805aabbccdd11223344", Addr: "192.0.2.50", Port: 1162}},
		Hosts: []SNMPHostView{
			{Addr: "192.0.2.30", Port: 162, User: "public", Model: "v1"},
			{Addr: "192.0.2.31", Port: 162, Informs: true, User: "public", Model: "v2c"},
			{Addr: "192.0.2.50", Port: 1162, Informs: true, User: "inf", Model: "v3 priv"},
		},
	}
	var b bytes.Buffer
	b.WriteString("--- show snmp user\n")
	SNMPUsers(&b, v)
	b.WriteString("--- show snmp group\n")
	SNMPGroups(&b, v)
	b.WriteString("--- show snmp view\n")
	SNMPViews(&b, v)
	b.WriteString("--- show snmp engineID\n")
	SNMPEngineID(&b, v)
	b.WriteString("--- show snmp host\n")
	SNMPHosts(&b, v)
	golden(t, "show-snmp-access", b.Bytes())
}
