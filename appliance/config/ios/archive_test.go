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

// TestPrivilegeModeLevels: `privilege configure|interface level N
// COMMAND` reads, renders and reads back; reset and no drop it.
func TestPrivilegeModeLevels(t *testing.T) {
	c, err := Parse("p", []byte("privilege configure level 5 Logging  host\nprivilege interface level 5 description\nprivilege exec level 5 configure terminal\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.ModeLevel{{Mode: "configure", Command: "logging host", Level: 5}, {Mode: "interface", Command: "description", Level: 5}}
	if len(c.ModeLevels) != 2 || c.ModeLevels[0] != want[0] || c.ModeLevels[1] != want[1] {
		t.Fatalf("parsed %+v", c.ModeLevels)
	}
	got := RunningConfig(c)
	if !strings.Contains(got, "privilege exec level 5 configure terminal\nprivilege configure level 5 logging host\nprivilege interface level 5 description\n") {
		t.Errorf("running-config:\n%s", got)
	}
	s := NewSession(c, "console")
	for _, l := range []string{"privilege configure reset logging host", "no privilege interface level 5 description"} {
		if err := s.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	if m := s.Config().ModeLevels; len(m) != 0 {
		t.Errorf("after reset and no: %+v", m)
	}
	if _, err := Parse("bad", []byte("privilege configure level 16 hostname\n")); err == nil {
		t.Error("level 16 accepted")
	}
}
