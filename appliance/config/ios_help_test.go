package config

import (
	"strings"
	"testing"
)

func TestIOSHelp(t *testing.T) {
	s := NewIOSSession(Config{}, "console")
	for _, c := range []struct {
		line string
		want string // one of the lines Help prints
	}{
		{"ip flow-cache timeout ", "  active"},
		{"ip flow-cache timeout ", "  inactive"},
		{"ip flow-cache tim", "timeout"},
		{"ip flow-cache timeout active 5 ", "  <cr>"},
		{"frobnicate ", "% Unrecognized command"},
	} {
		got := s.Help(c.line)
		if !strings.Contains(strings.Join(got, "\n"), c.want) {
			t.Errorf("Help(%q) = %q, want a line %q", c.line, got, c.want)
		}
	}
	if got := s.Config(); !Equal(got, Config{}) {
		t.Fatalf("Help changed the configuration: %+v", got)
	}
}
