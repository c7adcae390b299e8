package config_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testproc"
)

// TestNoEngineDependency: the model and the CLIs that edit it build
// without the BPF loader. A config import of the datapath would pull
// cilium/ebpf and the embedded BPF objects into every tool that only
// reads or writes configuration.
func TestNoEngineDependency(t *testing.T) {
	out, err := testproc.CombinedOutput(exec.Command("go", "list", "-deps",
		"github.com/flowtap/flowtap/cli/junos", "github.com/flowtap/flowtap/appliance/config"))
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var engine []string
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/cilium/ebpf") || p == "github.com/flowtap/flowtap/datapath" {
			engine = append(engine, p)
		}
	}
	if len(engine) > 0 {
		t.Fatalf("go list -deps ./cli/junos ./appliance/config includes the engine: %s", strings.Join(engine, " "))
	}
}

// TestModelSpeaksItsOwnWords: the model, its grammars and the config file
// loader name no engine type either. The flow cache and the encoders are
// reached only through the daemon's derivation (daemon.SettingsFrom),
// which maps the model's words (and platform's) to theirs.
func TestModelSpeaksItsOwnWords(t *testing.T) {
	const mod = "github.com/flowtap/flowtap/"
	out, err := testproc.CombinedOutput(exec.Command("go", "list", "-deps", mod+"appliance/config", mod+"appliance/config/ios",
		mod+"appliance/config/junos", mod+"appliance/config/cfgfile", mod+"appliance/platform"))
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := map[string]bool{mod + "appliance/export": true, mod + "appliance/flowcache": true, mod + "datapath": true}
	var engine []string
	for _, p := range strings.Fields(string(out)) {
		if forbidden[p] || strings.HasPrefix(p, "github.com/cilium/ebpf") {
			engine = append(engine, p)
		}
	}
	if len(engine) > 0 {
		t.Fatalf("config, its grammars or platform depend on an engine: %s", strings.Join(engine, " "))
	}
}
