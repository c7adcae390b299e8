package asmap

import "testing"

// TestASCount: the sample names ten origin ASes (0 is none) and four
// peer ASes, 64510 on two routes.
func TestASCount(t *testing.T) {
	if n := mustParse(t, sample).ASCount(); n != 14 {
		t.Errorf("ASCount = %d, want 14", n)
	}
}
