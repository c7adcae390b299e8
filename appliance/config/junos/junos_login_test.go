package junos

import (
	"errors"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestLoginRoundTrip: JunOS users are the model's, class super-user
// privilege 15 and read-only 1, with a type 8 hash that logs in; `services
// ssh` is transport input ssh and deleting it transport input none.
func TestLoginRoundTrip(t *testing.T) {
	sec, err := config.HashSecret("s3cret-pw")
	if err != nil {
		t.Fatal(err)
	}
	src := "set system services ssh\n" +
		"set system login user alice class super-user\n" +
		"set system login user alice authentication encrypted-password \"" + sec.Hash + "\"\n" +
		"set system login user bob class read-only\n"
	c, err := Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Users) != 2 || c.Users[0].Privilege != 15 || !c.Users[0].Secret.Verify("s3cret-pw") || c.Users[1].Privilege != 0 || c.VTY.TransportInput != "ssh" {
		t.Fatalf("users %+v vty %+v", c.Users, c.VTY)
	}
	for name, text := range map[string]string{"set": RenderSet(c), "braces": Render(c)} {
		back, err := Parse("back", []byte(text))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		if d := config.Diff(c, back); len(d) != 0 {
			t.Errorf("%s: parse back differs: %v\n%s", name, d, text)
		}
	}
	if set := RenderSet(c); !strings.Contains(set, "set system login user alice class super-user\n") || !strings.Contains(set, "set system services ssh\n") {
		t.Errorf("display set:\n%s", set)
	}
	run := ios.RunningConfig(c)
	if !strings.Contains(run, "username alice privilege 15 secret 8 "+sec.Hash) || !strings.Contains(run, "transport input ssh") {
		t.Errorf("IOS running-config:\n%s", run)
	}
	s := NewSession(c, "terminal")
	if err := s.Exec("delete system services ssh"); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec("delete system login user bob"); err != nil {
		t.Fatal(err)
	}
	after, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if after.VTY.TransportInput != "none" || len(after.Users) != 1 {
		t.Errorf("after the deletes: users %+v vty %+v", after.Users, after.VTY)
	}
	if run := ios.RunningConfig(after); !strings.Contains(run, "transport input none") {
		t.Errorf("IOS running-config after delete system services ssh:\n%s", run)
	}
}

// TestLoginRefusals: hashes flowtap cannot verify are refused with the
// reason, and so are bad words.
func TestLoginRefusals(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`set system login user carol authentication encrypted-password "$6$abc$def"`, "a SHA-512 crypt hash ($6$)"},
		{`set system login user carol authentication encrypted-password "$1$abc$def"`, "an MD5 crypt hash ($1$)"},
		{`set system login user carol authentication encrypted-password "$8$short$x"`, "want a type 8 hash"},
		{`set system login user carol class operator`, "syntax error"},
		{`set system services telnet`, "syntax error"},
	} {
		s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
		err := s.Exec(tc.line)
		var le *config.LineError
		if !errors.As(err, &le) || !strings.Contains(le.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.line, err, tc.want)
		}
	}
}
