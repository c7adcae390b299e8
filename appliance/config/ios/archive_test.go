package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestArchiveLogConfig: the configuration logger is off by default, its
// sub-modes read as IOS writes them and the running-config reads back;
// `no` forms turn each setting off and bad sizes are refused.
func TestArchiveLogConfig(t *testing.T) {
	c, err := Parse("none", []byte("hostname probe\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Archive != (config.ArchiveLog{}) || strings.Contains(RunningConfig(c), "archive") {
		t.Fatalf("archive on by default: %+v", c.Archive)
	}
	s := NewSession(c, "console")
	for _, l := range []string{"archive", "log config", "logging enable", "logging size 200", "notify syslog", "hidekeys", "end"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	c = s.Config()
	if want := (config.ArchiveLog{Enabled: true, Size: 200, NotifySyslog: true, HideKeys: true}); c.Archive != want {
		t.Errorf("parsed %+v, want %+v", c.Archive, want)
	}
	got := RunningConfig(c)
	want := "!\narchive\n log config\n  logging enable\n  logging size 200\n  notify syslog contenttype plaintext\n  hidekeys\n!\n"
	if !strings.Contains(got, want) {
		t.Errorf("running-config lacks\n%s in\n%s", want, got)
	}
	back, err := Parse("back", []byte(got))
	if err != nil || back.Archive != c.Archive {
		t.Errorf("read back: %+v, %v", back.Archive, err)
	}

	s = NewSession(c, "console")
	for _, l := range []string{"archive", "log config"} {
		if err := s.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	if p := s.Prompt(); p != "config-archive-log-cfg" {
		t.Errorf("prompt %q", p)
	}
	if h := strings.Join(s.Help(""), "\n"); !strings.Contains(h, "hidekeys") || !strings.Contains(h, "notify") {
		t.Errorf("? in log config:\n%s", h)
	}
	for _, l := range []string{"no logging size", "no notify syslog", "no hidekeys", "logging size 100"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	if a := s.Config().Archive; a != (config.ArchiveLog{Enabled: true}) {
		t.Errorf("after the no forms: %+v", a)
	}
	if err := s.Exec("no archive"); err != nil {
		t.Fatal(err)
	}
	if a := s.Config().Archive; a != (config.ArchiveLog{}) {
		t.Errorf("after no archive: %+v", a)
	}
	for _, bad := range []string{"logging size 0", "logging size 1001", "notify syslog contenttype json"} {
		if _, err := Parse("bad", []byte("archive\n log config\n  "+bad+"\n")); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
