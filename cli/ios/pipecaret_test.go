package ios

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// A filter IOS does not know, a filter missing after the bar and a word
// after `| json` are IOS's invalid input, with the caret under the word:
// the message named a '^' marker no line showed. A bad pattern is not a
// word of the line and has no caret.
func TestPipeErrorsMarkTheWord(t *testing.T) {
	s := NewSession(&fakeBackend{cfg: config.Config{Hostname: "tap1"}}, true)
	got := transcript(s, `
show ip cache flow | foo
show ip cache flow |
show ip cache flow |  json extra
show ip flow export | include (`)
	want := `tap1#show ip cache flow | foo
                          ^
% Invalid input detected at '^' marker.
tap1#show ip cache flow |
                         ^
% Invalid input detected at '^' marker.
tap1#show ip cache flow |  json extra
                                ^
% Invalid input detected at '^' marker.
tap1#show ip flow export | include (
% Invalid regular expression "("
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
