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
		{`set system login user carol authentication encrypted-password "$5$abc$def"`, "a SHA-256 crypt hash ($5$)"},
		{`set system login user carol authentication encrypted-password "$1$abc$def"`, "want a type 5 hash"},
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

// TestSSHDeactivated: SSH refused (transport input none) shows as the
// statement deactivated, `inactive: ssh;` in brace text and set plus
// deactivate in `display set`, and both parse back to the same model;
// activate takes SSH back, and nothing else may be (de)activated.
func TestSSHDeactivated(t *testing.T) {
	s := NewSession(config.Config{Platform: DefaultPlatform}, "terminal")
	if err := s.Exec("delete system services ssh"); err != nil {
		t.Fatal(err)
	}
	c, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if c.VTY.TransportInput != "none" {
		t.Fatalf("after delete: vty %+v", c.VTY)
	}
	set, braces := RenderSet(c), Render(c)
	if want := "set system services ssh\ndeactivate system services ssh\n"; !strings.Contains(set, want) {
		t.Errorf("display set lacks %q:\n%s", want, set)
	}
	if want := "    services {\n        inactive: ssh;\n    }\n"; !strings.Contains(braces, want) {
		t.Errorf("brace text lacks %q:\n%s", want, braces)
	}
	if run := ios.RunningConfig(c); !strings.Contains(run, " transport input none\n") {
		t.Errorf("IOS running-config:\n%s", run)
	}
	for name, text := range map[string]string{"set": set, "braces": braces} {
		if !Detect([]byte(text)) {
			t.Errorf("%s: not detected as JunOS", name)
		}
		back, err := Parse("back", []byte(text))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		if d := config.Diff(c, back); len(d) != 0 {
			t.Errorf("%s: parse back differs: %v\n%s", name, d, text)
		}
		if RenderSet(back) != set || Render(back) != braces {
			t.Errorf("%s: renders differently after the round trip:\n%s", name, Render(back))
		}
	}
	// The rendered lines, typed: deactivate refuses SSH, activate takes it back.
	if err := s.Exec("activate system services ssh"); err != nil {
		t.Fatal(err)
	}
	on, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if on.VTY.TransportInput != "ssh" || strings.Contains(RenderSet(on), "deactivate") || !strings.Contains(RenderSet(on), "set system services ssh\n") {
		t.Errorf("after activate: vty %+v\n%s", on.VTY, RenderSet(on))
	}
	if err := s.Exec("deactivate system services ssh"); err != nil {
		t.Fatal(err)
	}
	if off, err := s.Commit(); err != nil || off.VTY.TransportInput != "none" {
		t.Errorf("after deactivate: %v vty %+v", err, off.VTY)
	}
	if d := RenderDiff(on, c); !strings.Contains(d, "[edit system services]\n!   inactive: ssh;\n") {
		t.Errorf("show | compare:\n%s", d)
	}
	// Any statement may be (de)activated (junos_text_test.go); a word
	// the grammar does not know is a syntax error, a statement the
	// configuration lacks is not found.
	for line, want := range map[string]string{
		"deactivate system services telnet":      "syntax error",
		"deactivate system services ssh extra":   "syntax error",
		"activate forwarding-options sampling":   "error: statement not found",
		"deactivate forwarding-options sampling": "error: statement not found",
	} {
		err := s.Exec(line)
		var le *config.LineError
		if !errors.As(err, &le) || !strings.Contains(strings.Join(le.Lines(), "\n"), want) {
			t.Errorf("%s: %v, want %s", line, err, want)
		}
	}
	// The default (SSH on, never named) still shows nothing.
	if d := Render(config.Config{Platform: DefaultPlatform}); strings.Contains(d, "ssh") {
		t.Errorf("default configuration shows ssh:\n%s", d)
	}
}

// TestLoginMD5Crypt: a JunOS configuration's users carry MD5-crypt
// hashes ($1$, what JunOS writes); they load, log in with their password
// and show as given in both dialects (IOS as secret 5; JunOS quoted, as
// Junos shows a hash: it was bare).
func TestLoginMD5Crypt(t *testing.T) {
	const h = "$1$abcd$2hDGYdE0UrwK2pqoiF6BB1" // openssl passwd -1 -salt abcd cisco
	c, err := Parse("t", []byte("set system login user ops class super-user\nset system login user ops authentication encrypted-password \""+h+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.CheckLogin("ops", "cisco") || c.CheckLogin("ops", "cisco1") {
		t.Error("the $1$ user does not log in with its password")
	}
	if rc := ios.RunningConfig(c); !strings.Contains(rc, "\nusername ops privilege 15 secret 5 "+h+"\n") {
		t.Errorf("IOS running-config:\n%s", rc)
	}
	if txt := Render(c); !strings.Contains(txt, "encrypted-password \""+h+"\";") {
		t.Errorf("JunOS configuration:\n%s", txt)
	}
}
