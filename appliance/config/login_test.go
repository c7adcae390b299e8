package config_test

import (
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
