package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestMetricsLine: `ip http metrics [port N] [access-class ACL]` turns
// the Prometheus endpoint on, reads back from the running-config, and
// `no ip http metrics` turns it off; it is off by default.
func TestMetricsLine(t *testing.T) {
	c, err := Parse("none", []byte("hostname probe\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics != (config.Metrics{}) || strings.Contains(RunningConfig(c), "metrics") {
		t.Fatalf("metrics on by default: %+v", c.Metrics)
	}
	text := "access-list 10 permit 192.0.2.0 0.0.0.255\nip ht metrics port 9800 access-class 10\n"
	c, err = Parse("metrics", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if want := (config.Metrics{Enabled: true, Port: 9800, AccessClass: "10"}); c.Metrics != want {
		t.Errorf("parsed %+v, want %+v", c.Metrics, want)
	}
	got := RunningConfig(c)
	if !strings.Contains(got, "\nip http metrics port 9800 access-class 10\n") {
		t.Errorf("running-config lacks the line:\n%s", got)
	}
	back, err := Parse("back", []byte(got))
	if err != nil || back.Metrics != c.Metrics {
		t.Errorf("read back: %+v, %v", back.Metrics, err)
	}

	// The default port is left out, as `ip ssh port 22` is.
	c, err = Parse("default", []byte("ip http metrics port 9742\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics != (config.Metrics{Enabled: true}) || !strings.Contains(RunningConfig(c), "\nip http metrics\n") {
		t.Errorf("default port: %+v\n%s", c.Metrics, RunningConfig(c))
	}

	s := NewSession(c, "console")
	if err := s.Exec("no ip http metrics"); err != nil {
		t.Fatal(err)
	}
	if m := s.Config().Metrics; m != (config.Metrics{}) {
		t.Errorf("after no ip http metrics: %+v", m)
	}
	for _, bad := range []string{"ip http metrics port 0", "ip http metrics port 70000", "ip http metrics access-class", "ip http metrics extra"} {
		if _, err := Parse("bad", []byte(bad+"\n")); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
