package ios

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestExecTimeoutLine: `line vty 0 4` / `exec-timeout MIN [SEC]` sets how
// long an SSH session may sit idle, reads back from the running-config
// (left out at IOS's default of 10 0), `exec-timeout 0 0` is never and
// `no exec-timeout` the default again.
func TestExecTimeoutLine(t *testing.T) {
	for _, tc := range []struct {
		line   string
		idle   time.Duration
		render string // "" when the line is left out
	}{
		{"exec-timeout 5", 5 * time.Minute, " exec-timeout 5 0\n"},
		{"exec-timeout 0 30", 30 * time.Second, " exec-timeout 0 30\n"},
		{"exec-timeout 2 90", 3*time.Minute + 30*time.Second, " exec-timeout 3 30\n"},
		{"exec-timeout 0 0", 0, " exec-timeout 0 0\n"},
		{"exec-timeout 10 0", config.DefaultExecTimeout, ""},
	} {
		c, err := Parse("t", []byte("line vty 0 4\n "+tc.line+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		if got := c.VTY.IdleLimit(); got != tc.idle {
			t.Errorf("%s: idle limit %v, want %v", tc.line, got, tc.idle)
		}
		rc := RunningConfig(c)
		if tc.render == "" {
			if strings.Contains(rc, "line vty") {
				t.Errorf("%s: the default is shown:\n%s", tc.line, rc)
			}
			continue
		}
		if !strings.Contains(rc, "line vty 0 4\n"+tc.render) {
			t.Errorf("%s: running-config lacks %q:\n%s", tc.line, tc.render, rc)
		}
		back, err := Parse("back", []byte(rc))
		if err != nil || !reflect.DeepEqual(back.VTY, c.VTY) {
			t.Errorf("%s: read back %+v %v, want %+v", tc.line, back.VTY, err, c.VTY)
		}
	}
	c, err := Parse("t", []byte("access-list 5 permit any\nline vty 0 4\n access-class 5 in\n exec-timeout 1 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(c, "console")
	for _, l := range []string{"line vty 0 4", "no exec-timeout"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	if v := s.Config().VTY; v.ExecTimeout != 0 || v.IdleLimit() != config.DefaultExecTimeout || v.AccessClass != "5" {
		t.Errorf("after no exec-timeout: %+v", v)
	}
	for _, bad := range []string{"exec-timeout", "exec-timeout 35792", "exec-timeout 1 2147484", "exec-timeout x", "exec-timeout 1 2 3"} {
		if _, err := Parse("bad", []byte("line vty 0 4\n "+bad+"\n")); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// TestVTYRange: `line vty 0 15` makes 16 lines (16 SSH sessions at once)
// and reads back as written; IOS's 0 4 is the default and always there;
// `no line vty 5 15` takes the extra lines away again. Before, the
// range was read and dropped: the running-config always said `line vty
// 0 4`.
func TestVTYRange(t *testing.T) {
	c, err := Parse("t", []byte("line vty 0 15\n exec-timeout 3 0\nline vty 5 9\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.VTY.Lines() != 16 {
		t.Errorf("lines %d, want 16", c.VTY.Lines())
	}
	rc := RunningConfig(c)
	if !strings.Contains(rc, "line vty 0 15\n exec-timeout 3 0\n") {
		t.Errorf("running-config:\n%s", rc)
	}
	back, err := Parse("back", []byte(rc))
	if err != nil || !reflect.DeepEqual(back.VTY, c.VTY) {
		t.Errorf("read back %+v %v, want %+v", back.VTY, err, c.VTY)
	}
	s := NewSession(c, "console")
	if err := s.Exec("no line vty 0 4"); err == nil {
		t.Error("no line vty 0 4 was accepted")
	}
	if err := s.Exec("no line vty 5 15"); err != nil {
		t.Fatal(err)
	}
	if v := s.Config().VTY; v.Lines() != 5 || v.ExecTimeout != 3*time.Minute {
		t.Errorf("after no line vty 5 15: %+v", v)
	}
	if rc := RunningConfig(s.Config()); !strings.Contains(rc, "line vty 0 4\n exec-timeout 3 0\n") {
		t.Errorf("running-config after no line vty 5 15:\n%s", rc)
	}
	d, err := Parse("d", []byte("line vty 0 4\n"))
	if err != nil || d.VTY.Lines() != 5 || strings.Contains(RunningConfig(d), "line vty") {
		t.Errorf("the default range: %+v %v\n%s", d.VTY, err, RunningConfig(d))
	}
}
