package junos

import (
	"testing"

	"github.com/flowtap/flowtap/cli/cmdtree"
)

// TestHelpDescribesEveryWord: every word of the operational and the
// configuration trees, each value position included, has its line of
// `?` help.
func TestHelpDescribesEveryWord(t *testing.T) {
	for name, root := range map[string]*node{"operational": operationalTree(), "configuration": configurationTree()} {
		for _, p := range cmdtree.Undescribed(root) {
			t.Errorf("%s mode: no help: %s", name, p)
		}
	}
}
