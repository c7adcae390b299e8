package show_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testproc"
)

// TestScreensSpeakTheirOwnWords: the CLIs and their screens render from
// cli/show's views and name no engine type: the encoders, the flow cache
// and the datapath (with cilium/ebpf and the BPF objects) are reached
// only through appliance/daemon, which fills the views.
func TestScreensSpeakTheirOwnWords(t *testing.T) {
	const mod = "github.com/flowtap/flowtap/"
	out, err := testproc.CombinedOutput(exec.Command("go", "list", "-deps", mod+"cli/..."))
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := map[string]bool{mod + "appliance/export": true, mod + "appliance/flowcache": true,
		mod + "datapath": true, mod + "appliance/daemon": true}
	var engine []string
	for _, p := range strings.Fields(string(out)) {
		if forbidden[p] || strings.HasPrefix(p, "github.com/cilium/ebpf") {
			engine = append(engine, p)
		}
	}
	if len(engine) > 0 {
		t.Fatalf("go list -deps ./cli/... includes an engine: %s", strings.Join(engine, " "))
	}
}
