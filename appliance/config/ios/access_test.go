package ios

import (
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestAccessLines: the privilege, console login and login block lines
// parse into the model, render back in IOS form, and `no` removes them.
func TestAccessLines(t *testing.T) {
	c, err := Parse("t", []byte(`username oper privilege 1 secret 0 operpass
privilege exec level 1 show  Running-Config
privilege exec level 5 clear ip flow stats
login block-for 30 attempts 5 within 60
line con 0
 login local
!
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.ExecLevel{{Command: "show running-config", Level: 1}, {Command: "clear ip flow stats", Level: 5}}
	if len(c.ExecLevels) != 2 || c.ExecLevels[0] != want[0] || c.ExecLevels[1] != want[1] {
		t.Errorf("exec levels %+v", c.ExecLevels)
	}
	if !c.Console.LoginLocal || c.LoginBlock != (config.LoginBlock{BlockFor: 30 * time.Second, Attempts: 5, Within: 60 * time.Second}) {
		t.Errorf("console %+v block %+v", c.Console, c.LoginBlock)
	}
	r := Render(c)
	for _, l := range []string{"privilege exec level 1 show running-config\nprivilege exec level 5 clear ip flow stats\n",
		"login block-for 30 attempts 5 within 60\n", "line con 0\n login local\n"} {
		if !strings.Contains(r, l) {
			t.Errorf("rendering lacks %q:\n%s", l, r)
		}
	}
	s := NewSession(c, "console")
	for _, l := range []string{"no privilege exec level 1 show running-config", "privilege exec reset clear ip flow stats",
		"no login block-for", "line con 0", "no login", "exit"} {
		if err := s.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	n := s.Config()
	if len(n.ExecLevels) != 0 || n.Console.LoginLocal || n.LoginBlock != (config.LoginBlock{}) {
		t.Errorf("after no: %+v %+v %+v", n.ExecLevels, n.Console, n.LoginBlock)
	}
	for _, bad := range []string{"privilege exec level 16 show", "login block-for 0 attempts 3 within 10", "line con 1"} {
		if err := s.Exec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
