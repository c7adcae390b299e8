package logsafe

import (
	"strings"
	"testing"
)

// TestName: plain names pass as they are; names that could forge a log
// field or line are quoted; long ones are cut.
func TestName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"admin", "admin"},
		{"noc operator", "noc operator"},
		{"x\n%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin]", `"x\n%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin]"`},
		{"a] [Source: 10.0.0.1", `"a] [Source: 10.0.0.1"`},
		{"bell\a", `"bell\a"`},
		{"é", "é"},                                     // printable UTF-8 is text
		{"x\x9b2Jy", `"x\x9b2Jy"`},                     // a lone 8-bit CSI is no text
		{"x\x85%SYS-5-RELOAD", `"x\x85%SYS-5-RELOAD"`}, // nor a lone NEL
		{"x\u009b2J", `"x\u009b2J"`},                   // nor the C1 character itself
		{strings.Repeat("a", 70), `"` + strings.Repeat("a", 64) + `"...`},
	} {
		if got := Name(c.in); got != c.want {
			t.Errorf("Name(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
