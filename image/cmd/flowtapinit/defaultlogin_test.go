package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWarnDefaultLogins: a startup-config that still holds the built-in
// default's user line (the diskless box, a first boot, or one where the
// operator changed other things) gets a warning naming the user and how
// to change the password; one whose secret the operator set does not.
func TestWarnDefaultLogins(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "startup-config.default")
	const admin = "username admin privilege 15 secret 8 $8$2ZGv5qxAS6/NRU$8FjOUbSqzlDAVfXKw4Kh2nfJ2iLV6Oll4UZb99bgfpQ"
	if err := os.WriteFile(def, []byte("! the default\nhostname flowtap\n!\n"+admin+"\n!\nend\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, config string
		warn         bool
	}{
		{"the default itself", "", true},
		{"other changes saved", "hostname lab-7\n" + admin + "\nsnmp-server location rack 5\nend\n", true},
		{"the secret changed", "hostname lab-7\nusername admin privilege 15 secret 9 $9$aB3dE6gH9jK2mN$0vq3Ck7O9yTu0pYs/qU2kQx8p1Vt7uWbLcZ1vXHrNmQ\nend\n", false},
		{"no users", "hostname lab-7\nend\n", false},
	} {
		cfg := def
		if c.config != "" {
			cfg = filepath.Join(dir, "startup-config")
			if err := os.WriteFile(cfg, []byte(c.config), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var console bytes.Buffer
		warnDefaultLogins(newLogger(&console), cfg, def)
		got := console.String()
		if c.warn != strings.Contains(got, "warning: user admin has the built-in default password") {
			t.Errorf("%s: console %q, want a warning: %v", c.name, got, c.warn)
		}
		if c.warn && !strings.Contains(got, "`username admin privilege 15 secret NEW` and `write memory`") {
			t.Errorf("%s: the warning does not say how to change it: %q", c.name, got)
		}
	}
}
