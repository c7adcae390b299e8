package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config/cfgfile"
)

// TestSkippedLinesHideSecrets: a startup-config line skipped at boot is
// logged with its text, which reaches show logging and the syslog hosts;
// a secret the parser refused (a withdrawn type 4 hash, a type 5 hash
// given as type 8) is masked there, as in every log.
func TestSkippedLinesHideSecrets(t *testing.T) {
	_, skipped := cfgfile.Salvage("startup-config", []byte("hostname a\nusername bob secret 4 tnhtc92DXBhelxjYk8LWJrPV36S2i4ntXrpb4RFmfqY\nenable secret 8 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n"))
	if len(skipped) != 2 {
		t.Fatalf("skipped %d lines, want 2: %v", len(skipped), skipped)
	}
	var buf bytes.Buffer
	reportLines(slog.New(slog.NewTextHandler(&buf, nil)), "startup-config line skipped", skipped)
	out := buf.String()
	if strings.Contains(out, "tnhtc92DXBhelxjYk8LWJrPV36S2i4ntXrpb4RFmfqY") || strings.Contains(out, "$1$") {
		t.Errorf("the boot log shows a secret's hash:\n%s", out)
	}
	for _, want := range []string{"startup-config:2", "username bob secret *****", "startup-config:3", "enable secret *****"} {
		if !strings.Contains(out, want) {
			t.Errorf("the boot log lacks %q:\n%s", want, out)
		}
	}
}
