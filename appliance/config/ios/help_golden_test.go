package ios

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

var update = flag.Bool("update", false, "rewrite the golden `?` screens")

// TestHelpScreens compares whole `?` screens, descriptions, column and
// order, with testdata/help/*.golden: what an operator sees at the
// prompt (each screen after the lines that lead to its mode).
func TestHelpScreens(t *testing.T) {
	for _, sc := range []struct {
		name  string
		setup []string
		line  string
	}{
		{"ip-flow-export", nil, "ip flow-export "},
		{"ip-flow-export-destination", nil, "ip flow-export destination 192.0.2.1 2055 "},
		{"ip-flow-export-version", nil, "ip flow-export version "},
		{"ip-flow-export-destination-address", nil, "ip flow-export destination "},
		{"ip-flow-cache-timeout-active", nil, "ip flow-cache timeout active "},
		{"ip-flow-cache", nil, "ip flow-cache "},
		{"snmp-server", nil, "snmp-server "},
		{"snmp-server-community", nil, "snmp-server community public "},
		{"interface-ip-flow", []string{"interface eth0"}, "ip flow "},
		{"username", nil, "username NAME "},
		{"line-vty", []string{"line vty 0 4"}, ""},
		{"config", nil, ""},
		// Value positions: each form with its own line of help.
		{"access-list-standard", nil, "access-list 1 permit "},
		{"access-list-extended-source-wildcard", nil, "access-list 101 permit ip 10.0.0.0 "},
		{"access-list-extended-destination", nil, "access-list 101 permit tcp 10.0.0.0 0.0.0.255 eq 80 "},
		{"access-list-extended-port", nil, "access-list 101 deny udp any host 192.0.2.1 range 1 "},
		{"ipv6-access-list-host", []string{"ipv6 access-list v6"}, "permit tcp any host "},
		{"summer-time-end-week", nil, "clock summer-time CEST recurring last Sunday March 02:00 "},
		{"summer-time-end-time", nil, "clock summer-time CEST recurring last Sunday March 02:00 last Sunday October "},
		{"top-talkers-byte-range", []string{"ip flow-top-talkers"}, "match byte-range 100 "},
		{"line-exec-timeout", []string{"line vty 0 4"}, "exec-timeout "},
		{"line-exec-timeout-seconds", []string{"line vty 0 4"}, "exec-timeout 10 "},
		{"line-password", []string{"line vty 0 4"}, "password "},
		{"enable-secret", nil, "enable secret "},
		{"line-vty-last", nil, "line vty 0 "},
		{"logging-buffered", nil, "logging buffered "},
		{"logging-trap", nil, "logging trap "},
		{"logging-host", nil, "logging host 192.0.2.1 "},
		{"line-transport-input-ssh", []string{"line vty 0 4"}, "transport input ssh "},
	} {
		t.Run(sc.name, func(t *testing.T) {
			s := NewSession(config.Config{}, "console")
			var b strings.Builder
			for _, l := range sc.setup {
				b.WriteString("Router(" + s.Prompt() + ")#" + l + "\n")
				if err := s.Exec(l); err != nil {
					t.Fatalf("%q: %v", l, err)
				}
			}
			b.WriteString("Router(" + s.Prompt() + ")#" + sc.line + "?\n")
			for _, l := range s.Help(sc.line) {
				b.WriteString(l + "\n")
			}
			path := filepath.Join("testdata", "help", sc.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("`?` screen %s differs from %s:\ngot:\n%s\nwant:\n%s", sc.name, path, got, want)
			}
		})
	}
}
