package ios

import "testing"

func TestHideKeys(t *testing.T) {
	for in, want := range map[string]string{
		"enable secret 8 $8$dsYGNam3K1SIJO$7nv/35M/qr6t":                            "enable secret *****",
		"username admin privilege 15 secret 8 $8$mTj4RZG8N9ZDOk$elY":                "username admin privilege 15 secret *****",
		"snmp-server user nms NMS v3 encrypted auth sha 17dd4f priv aes 128 1c3808": "snmp-server user nms NMS v3 encrypted auth *****",
		"ip flow-export destination 192.0.2.10 2055 crypto-pan K3Y version ipfix":   "ip flow-export destination 192.0.2.10 2055 crypto-pan ***** version ipfix",
		"snmp-server group NMS v3 auth":                                             "snmp-server group NMS v3 auth",
		"hostname r1":                                                               "hostname r1",
		"+snmp-server user nms NMS v3 encrypted auth sha 17dd4f":                    "+snmp-server user nms NMS v3 encrypted auth *****",
		"-username bob secret 8 $8$x":                                               "-username bob secret *****",
		// A line password is reversible: its diff line starts with it.
		"+password conpass":          "+password *****",
		"-password 7 0822455D0A16":   "-password *****",
		"password 7 0822455D0A16":    "password *****",
		"enable password 0 en-pass":  "enable password *****",
		"+enable password 7 070A2F0": "+enable password *****",
	} {
		if got := HideKeys(in); got != want {
			t.Errorf("HideKeys(%q) = %q, want %q", in, got, want)
		}
	}
}
