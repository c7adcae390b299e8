package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestLoginMessage: `system login message` (the login banner, shown
// before the login) and `announcement` (the motd, after it) in set lines
// and brace text, \n a line break, \" and \\ escapes; rendered back as
// JunOS writes them and read back the same; `delete` removes them.
func TestLoginMessage(t *testing.T) {
	src := `set system login message "\nAuthorised use only\nat \"branch\" \\ 1\n"
set system login announcement "Maintenance tonight"
set system login user admin class super-user
`
	c, err := Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Banners{Login: "\nAuthorised use only\nat \"branch\" \\ 1\n", MOTD: "Maintenance tonight"}
	if c.Banners != want {
		t.Fatalf("banners %+v, want %+v", c.Banners, want)
	}
	set := RenderSet(c)
	for _, l := range []string{`set system login announcement "Maintenance tonight"`, `set system login message "\nAuthorised use only\nat \"branch\" \\ 1\n"`} {
		if !strings.Contains(set, l+"\n") {
			t.Errorf("display set lacks %s:\n%s", l, set)
		}
	}
	for _, text := range []string{set, Render(c)} {
		back, err := Parse("back", []byte(text))
		if err != nil || back.Banners != want {
			t.Errorf("read back %+v, %v from:\n%s", back.Banners, err, text)
		}
	}
	c, err = Apply(c, "t", []byte("delete system login message\n"))
	if err != nil || c.Banners != (config.Banners{MOTD: want.MOTD}) || len(c.Users) != 1 {
		t.Errorf("after delete: %+v %v", c.Banners, err)
	}
}
