package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestCheckLoginSameCost: a login for a user that does not exist (or has
// only a key) costs the hash a real user's costs, so the reply time does
// not reveal which names exist. The bound is a lower one on the work
// done: a loaded machine only makes the unknown user slower.
func TestCheckLoginSameCost(t *testing.T) {
	c, err := ios.Parse("t", []byte("username admin secret 0 letmein\nusername keyonly ssh-key ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPZBDwahyKRjlVXeB5PkjoEtqkwnNfaC81g8nGIn6/LC\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.CheckLogin("admin", "letmein") || c.CheckLogin("admin", "guess") || c.CheckLogin("nobody", "letmein") || c.CheckLogin("keyonly", "") {
		t.Fatal("CheckLogin answers wrongly")
	}
	// The same work for every name: each login is checked against a
	// type 8 hash with the same cost. Timing it would flake on a loaded
	// machine, so the figure is only logged.
	for _, name := range []string{"admin", "nobody", "keyonly"} {
		s, _ := config.LoginSecret(c, name)
		if _, _, ok := config.SplitType8(s.Hash); !ok {
			t.Errorf("a login as %q is checked against %v, not a type 8 hash: it costs less than a real user's", name, s.Hash)
		}
	}
	fastest := func(name string) time.Duration {
		best := time.Hour
		for range 5 {
			began := time.Now()
			c.CheckLogin(name, "guess")
			best = min(best, time.Since(began))
		}
		return best
	}
	t.Logf("wrong password: existing user %v, unknown user %v, key-only user %v", fastest("admin"), fastest("nobody"), fastest("keyonly"))
}

// TestNoPasswordUser: `username guest nopassword` logs in with any
// password, as on IOS, and stays nopassword through the running-config;
// a user with only a key is not a nopassword user (its rendered line
// does not say nopassword, so a reload does not open it to anyone), and
// a secret given later ends nopassword; a nopassword user with a key
// (how earlier builds saved key-only users) logs in with its key only.
func TestNoPasswordUser(t *testing.T) {
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPZBDwahyKRjlVXeB5PkjoEtqkwnNfaC81g8nGIn6/LC"
	c, err := ios.Parse("t", []byte("username guest privilege 3 nopassword\nusername keyonly ssh-key "+key+"\nusername was nopassword\nusername was secret 0 pw\nusername old nopassword\nusername old ssh-key "+key+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.CheckLogin("guest", "") || !c.CheckLogin("guest", "anything") || !c.NoPasswordLogin("guest") {
		t.Fatal("a nopassword user cannot log in")
	}
	if c.CheckLogin("keyonly", "") || c.NoPasswordLogin("keyonly") || c.CheckLogin("was", "") || c.NoPasswordLogin("was") || !c.CheckLogin("was", "pw") ||
		c.CheckLogin("old", "") || c.NoPasswordLogin("old") {
		t.Fatal("a user with a key or a secret logs in without its password")
	}
	text := ios.Render(c)
	for _, want := range []string{"username guest privilege 3 nopassword\n", "\nusername keyonly ssh-key " + key + "\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("running-config lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "username keyonly nopassword") || strings.Contains(text, "username was nopassword") {
		t.Errorf("running-config gives nopassword to a user without it:\n%s", text)
	}
	again, err := ios.Parse("t", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !config.Equal(c, again) {
		t.Errorf("the users do not survive the running-config:\n%s", text)
	}
}

// TestCheckLoginMixedTypes: with type 5 and 9 users beside type 8 ones,
// each login runs one hash of every type present (the user's own, decoys
// for the rest), so a cheap type 5 user is no faster to refuse than a
// name that does not exist; and each user logs in with its own password.
func TestCheckLoginMixedTypes(t *testing.T) {
	c, err := ios.Parse("t", []byte("username old secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n"+
		"username new secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM\n"+
		"username mid secret 0 pbkdf2 pass\nusername rev password 7 070C285F4D06\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := config.SecretTypes(c); len(got) != 3 || got[0] != 5 || got[1] != 8 || got[2] != 9 {
		t.Errorf("a login hashes types %v, want [5 8 9]", got)
	}
	for name, pw := range map[string]string{"old": "cisco", "new": "cisco", "mid": "pbkdf2 pass", "rev": "cisco"} {
		if !c.CheckLogin(name, pw) || c.CheckLogin(name, "wrong") || c.CheckLogin("nobody", pw) {
			t.Errorf("%s: CheckLogin answers wrongly", name)
		}
	}
	for name, pw := range map[string]string{"old": "cisco", "new": "cisco"} {
		if c.CheckLogin("mid", pw) || c.CheckLogin(name, "pbkdf2 pass") {
			t.Errorf("%s: one user's password opens another's account", name)
		}
	}
}
