package junos

import (
	"strings"
	"testing"
)

// TestTapBootLinesBlamed: at boot an ifindex another tap has is the
// ifindex line's fault, reported with its file:line and skipped; the
// tap and its good fibre still apply.
func TestTapBootLinesBlamed(t *testing.T) {
	text := "set flowtap tap uplink fibre-a eth1\nset flowtap tap t2 ifindex 64001\nset flowtap tap t2 fibre-b eth2\n"
	c, skipped := SalvageWith("startup-config", text, nil)
	var got []string
	for _, e := range skipped {
		got = append(got, strings.SplitN(e.Error(), "\n", 2)[0])
	}
	want := `startup-config:2: "64001": ifindex 64001 is already tap uplink's`
	if strings.Join(got, "\n") != want {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if len(c.Taps) != 2 || c.Taps[1].Name != "t2" || c.Taps[1].FibreB != "eth2" || c.Taps[1].IfIndex != 0 {
		t.Errorf("applied taps %+v, want uplink and t2 with fibre-b eth2 and its own ifindex", c.Taps)
	}
}
