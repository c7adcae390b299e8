package snmp

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// attrRecorder keeps each record as "LEVEL message k=v ...", the
// attributes given by With included.
type attrRecorder struct {
	mu    *sync.Mutex
	lines *[]string
	attrs []slog.Attr
}

func newAttrRecorder() *attrRecorder { return &attrRecorder{mu: &sync.Mutex{}, lines: new([]string)} }

func (r *attrRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (r *attrRecorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	for _, a := range r.attrs {
		b.WriteString(" " + a.String())
	}
	rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	r.mu.Lock()
	defer r.mu.Unlock()
	*r.lines = append(*r.lines, b.String())
	return nil
}
func (r *attrRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &attrRecorder{mu: r.mu, lines: r.lines, attrs: append(append([]slog.Attr(nil), r.attrs...), as...)}
}
func (r *attrRecorder) WithGroup(string) slog.Handler { return r }

func (r *attrRecorder) matching(sub string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range *r.lines {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

// TestSetLoggedWithManager: each Set that changes an object is logged
// with the manager's address and how it authenticated (a community,
// never named, or the v3 user), so a configuration change made over SNMP
// can be traced. Before, the log said what changed but not who asked.
func TestSetLoggedWithManager(t *testing.T) {
	rec := newAttrRecorder()
	cfg := testConfig(newFakeBackend())
	cfg.Logger = slog.New(rec)
	_, v4, _ := startAgent(t, cfg)
	if _, stderr, err := run(t, "snmpset", "-v2c", "-c", rwCommunity, "-t", "1", "-r", "0", v4, oidInactiveTimeout, "u", "45"); err != nil {
		t.Fatalf("v2c set: %v %s", err, stderr)
	}
	if _, stderr, err := run(t, "snmpset", append(v3Args(userSHA256, "SHA-256", authPass, privPass), v4, oidInactiveTimeout, "u", "50")...); err != nil {
		t.Fatalf("v3 set: %v %s", err, stderr)
	}
	got := rec.matching("snmp: set ")
	if len(got) != 2 || !strings.Contains(got[0], " from=127.0.0.1:") || !strings.Contains(got[0], " by=community ") ||
		!strings.Contains(got[1], " from=127.0.0.1:") || !strings.Contains(got[1], " by=user "+userSHA256+" ") {
		t.Errorf("set log lines: %q", got)
	}
	for _, l := range got {
		if strings.Contains(l, rwCommunity) {
			t.Errorf("the community (a secret) was logged: %q", l)
		}
	}
}
