package ios

import (
	"testing"

	"github.com/flowtap/flowtap/cli/cmdtree"
)

// TestExecHelpDescribesEveryWord: every word of the exec tree, each
// value position included, has its line of `?` help.
func TestExecHelpDescribesEveryWord(t *testing.T) {
	for _, p := range cmdtree.Undescribed(execTree()) {
		t.Errorf("no help: %s", p)
	}
}
