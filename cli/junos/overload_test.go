package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// TestOverloadProtectionStatements: an operator turns overload protection
// on in the JunOS CLI, sees it in `show | compare`, commits it, and gets
// JunOS's answer for a value out of range.
func TestOverloadProtectionStatements(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	var b strings.Builder
	for _, line := range []string{
		"configure",
		"edit forwarding-options sampling",
		"set overload-protection max-rate 1",
		"set overload-protection max-rate 64",
		"set overload-protection threshold 5",
		"show | compare",
		"commit",
	} {
		b.WriteString(s.Prompt() + line + "\n")
		b.WriteString(s.Exec(line))
	}
	out := b.String()
	t.Logf("\n%s", out)
	if got := f.Running().Cache.Overload; got != (config.Overload{Enabled: true, MaxRate: 64, Threshold: 5}) {
		t.Errorf("committed %+v", got)
	}
	for _, want := range []string{"max-rate", "threshold", "value 1 is not within range (2..65535)", "[edit forwarding-options sampling]\n+   overload-protection {\n+       threshold 5;\n+       max-rate 64;\n+   }\n", "commit complete"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
}
