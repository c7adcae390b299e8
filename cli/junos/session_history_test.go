package junos

import (
	"fmt"
	"testing"
)

// TestHistoryIsBounded: the arrow keys' history keeps the last 256 lines
// of a session given 1000, not every line it was ever given.
func TestHistoryIsBounded(t *testing.T) {
	s := NewSession(&fakeBackend{}, "ops")
	for i := range 1000 {
		s.Exec(fmt.Sprintf("show version %d", i))
	}
	h := shell{s}.History()
	if len(h) != 256 || h[0] != "show version 744" || h[255] != "show version 999" {
		t.Fatalf("history after 1000 lines: %d, %q ... %q; want 256, show version 744 ... show version 999", len(h), h[0], h[len(h)-1])
	}
}
