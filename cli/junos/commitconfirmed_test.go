package junos

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
)

// transcript runs lines in s, each after its prompt, as a terminal shows
// them.
func transcript(s *Session, lines string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		b.WriteString(s.Prompt() + line + "\n")
		b.WriteString(s.Exec(line))
	}
	return b.String()
}

// TestCommitConfirmed: `commit confirmed N` commits, says when it rolls
// back and reminds above every prompt; a plain commit confirms it (and
// the reminder goes); one not confirmed in time is rolled back to the
// configuration before it. A bad minute count is refused with a caret.
// Before, `commit confirmed` was a syntax error.
func TestCommitConfirmed(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	got := transcript(s, `
configure
set forwarding-options sampling input rate 100
commit confirmed 0
commit confirmed 5
set forwarding-options sampling input rate 200
commit confirmed
commit
top`)
	want := `ops@jtap> configure
Entering configuration mode

[edit]
ops@jtap# set forwarding-options sampling input rate 100

[edit]
ops@jtap# commit confirmed 0
commit confirmed 0
                 ^
error: value 0 is not within range (1..65535)

[edit]
ops@jtap# commit confirmed 5
commit confirmed will be automatically rolled back in 5 minutes unless confirmed
commit complete

# commit confirmed will be rolled back in 5 minutes
[edit]
ops@jtap# set forwarding-options sampling input rate 200

# commit confirmed will be rolled back in 5 minutes
[edit]
ops@jtap# commit confirmed
commit confirmed will be automatically rolled back in 10 minutes unless confirmed
commit complete

# commit confirmed will be rolled back in 10 minutes
[edit]
ops@jtap# commit
commit complete

[edit]
ops@jtap# top
`
	if got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
	if f.restore != nil || f.Running().Sampling.Rate != 200 {
		t.Fatalf("the plain commit did not confirm: waiting %v, rate %d", f.restore != nil, f.Running().Sampling.Rate)
	}

	// Not confirmed: the configuration before the first commit
	// confirmed of the chain comes back, as a commit of its own.
	transcript(s, "set forwarding-options sampling input rate 300\ncommit confirmed 1\nset forwarding-options sampling input rate 400\ncommit confirmed 3")
	if f.Running().Sampling.Rate != 400 {
		t.Fatalf("rate %d after the second commit confirmed, want 400", f.Running().Sampling.Rate)
	}
	f.expire()
	if r := f.Running().Sampling.Rate; r != 200 {
		t.Fatalf("after the rollback the rate is %d, want the confirmed 200", r)
	}
	if p := s.Prompt(); strings.Contains(p, "commit confirmed") {
		t.Errorf("prompt still reminds after the rollback: %q", p)
	}
}

// TestShowSystemCommit: `show system commit` lists the commits newest
// first under their rollback numbers, who made them and how, a commit
// confirmed's wait and a `commit comment` under its commit. Before,
// `show system commit` was a syntax error and `commit comment` too.
func TestShowSystemCommit(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	transcript(s, `
configure
set forwarding-options sampling input rate 100
commit comment "collector moved to nfcapd-2"
set forwarding-options sampling input rate 200
commit confirmed 5 comment "try rate 200"
commit
exit`)
	got := transcript(s, "show system commit\nshow system commit | match confirmed")
	want := `ops@jtap> show system commit
0   2026-11-22 12:03:00 UTC by ops via cli
1   2026-11-22 12:02:00 UTC by ops via cli commit confirmed, rollback in 5mins
    try rate 200
2   2026-11-22 12:01:00 UTC by ops via cli
    collector moved to nfcapd-2
3   2026-11-22 11:00:00 UTC by root via other
ops@jtap> show system commit | match confirmed
1   2026-11-22 12:02:00 UTC by ops via cli commit confirmed, rollback in 5mins
`
	if got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
	if r := f.Running().Sampling.Rate; r != 200 {
		t.Errorf("rate %d after the commits, want 200", r)
	}
}

// TestCommitOptionsAnyOrder: commit's options come in any order and a
// quoted comment ends at its closing quote, so `commit comment "x"
// and-quit` commits with comment x and leaves configuration mode.
// Before, the comment took the rest of the line: the commit log read
// `x" and-quit` and the session stayed in configuration mode. A word
// that is no option is refused under its caret, nothing committed.
func TestCommitOptionsAnyOrder(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	got := transcript(s, `
configure
set forwarding-options sampling input rate 100
commit comment "rate 100, per NOC-12" frob
commit comment "rate 100, per NOC-12" and-quit
configure
set forwarding-options sampling input rate 200
commit check and-quit
commit and-quit confirmed 3 comment moved`)
	want := `ops@jtap> configure
Entering configuration mode

[edit]
ops@jtap# set forwarding-options sampling input rate 100

[edit]
ops@jtap# commit comment "rate 100, per NOC-12" frob
commit comment "rate 100, per NOC-12" frob
                                      ^
syntax error.

[edit]
ops@jtap# commit comment "rate 100, per NOC-12" and-quit
commit complete
Exiting configuration mode
ops@jtap> configure
Entering configuration mode

[edit]
ops@jtap# set forwarding-options sampling input rate 200

[edit]
ops@jtap# commit check and-quit
commit check and-quit
             ^
syntax error, expecting <command>.

[edit]
ops@jtap# commit and-quit confirmed 3 comment moved
commit confirmed will be automatically rolled back in 3 minutes unless confirmed
commit complete
Exiting configuration mode
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	cs := f.Commits()
	if len(cs) != 3 || cs[1].Comment != "rate 100, per NOC-12" || cs[0].Comment != "moved" {
		t.Errorf("commit log: %+v", cs)
	}
}
