package snmp

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// logRecorder keeps each record's level and message.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Level.String()+" "+rec.Message)
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

func (r *logRecorder) matching(sub string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.msgs {
		if strings.Contains(m, sub) {
			out = append(out, m)
		}
	}
	return out
}

// TestAuthFailureLogged: a wrong community, a community its access list
// refuses and a wrong v3 key each leave IOS's %SNMP-3-AUTHFAIL with the
// manager's address in the log, at most once a second; the next message
// counts the ones left out. Before, SNMP guessing left no trace in the
// log (only the counters and, if enabled, a trap).
func TestAuthFailureLogged(t *testing.T) {
	rec := &logRecorder{}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	cfg := testConfig(newFakeBackend())
	cfg.Logger = slog.New(rec)
	cfg.Now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	_, v4, _ := startAgent(t, cfg)
	step := func() { clock.Lock(); now = now.Add(authFailLogEvery); clock.Unlock() }
	const want = "ERROR %SNMP-3-AUTHFAIL: Authentication failure for SNMP req from host 127.0.0.1"

	run(t, "snmpget", "-v2c", "-c", "no-such-community", "-t", "1", "-r", "0", v4, ".1.3.6.1.2.1.1.5.0")
	if got := rec.matching("AUTHFAIL"); !slices.Equal(got, []string{want}) {
		t.Fatalf("after a wrong community: %q", got)
	}
	// Within the second: counted, not logged.
	run(t, "snmpget", "-v2c", "-c", "elsewhere", "-t", "1", "-r", "0", v4, ".1.3.6.1.2.1.1.5.0") // its list admits 192.0.2.0/24 only
	if got := rec.matching("AUTHFAIL"); len(got) != 1 {
		t.Fatalf("a second failure within the second was logged: %q", got)
	}
	step()
	run(t, "snmpget", append(v3Args(userSHA, "SHA", "wrong-auth-pass", privPass), v4, ".1.3.6.1.2.1.1.5.0")...)
	if got := rec.matching("AUTHFAIL"); !slices.Equal(got, []string{want, want + " (1 more not logged)"}) {
		t.Fatalf("after a wrong v3 key a second later: %q", got)
	}
}
