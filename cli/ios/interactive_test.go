package ios

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/syncbuf"
)

// TestInteractive types keystrokes at a terminal session: Tab completes,
// ? lists, Ctrl-U erases, the up arrow recalls, and a long screen pauses
// at --More-- until space (next page) or q.
func TestInteractive(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	keys := "sh\tver\t\r" + // Tab twice: "show version "
		"show ?" + "\x15" + // help, then erase the line
		"\x1b[A\r" + // up arrow: show version again
		"show ip cache flow\r" + " " + "q" + // page: space, then q
		"exit\r"
	var out bytes.Buffer
	s := NewSession(f, true)
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true, Width: 80, Height: 10}); err != nil {
		t.Fatal(err)
	}
	screen := out.String()
	for _, want := range []string{
		"tap1#show version \r\nflowtap version test\r\n", // completed and run
		"  version          System hardware and software status\r\n",
		" --More-- ",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%q", want, screen)
		}
	}
	// Ctrl-U erased "show " (five backspaces) and the up arrow recalled the
	// last command, which ran again.
	if !strings.Contains(screen, "tap1#show "+strings.Repeat("\b", 5)+"     "+strings.Repeat("\b", 5)+"show version\r\nflowtap version test") {
		t.Errorf("erase and recall missing:\n%q", screen)
	}
	if strings.Contains(screen, "SrcIf") {
		t.Error("q at --More-- did not stop the listing before the flow table")
	}
	if !s.ended {
		t.Error("exit did not end the session")
	}
}

// terminal drives an interactive session from a test: keys go in through a
// pipe, the screen is polled until what the test waits for is on it.
type terminal struct {
	t      *testing.T
	keys   *io.PipeWriter
	screen *syncbuf.Buffer
	done   chan error
}

func startTerminal(t *testing.T, s *Session, height int) *terminal {
	r, w := io.Pipe()
	tm := &terminal{t: t, keys: w, screen: &syncbuf.Buffer{}, done: make(chan error, 1)}
	go func() {
		tm.done <- s.Serve(context.Background(), r, tm.screen, control.Terminal{Interactive: true, Width: 80, Height: height})
		r.Close()
	}()
	return tm
}

func (tm *terminal) typeKeys(k string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.keys, k); err != nil {
		tm.t.Fatalf("typing %q: %v", k, err)
	}
}

// waitFor polls the screen until it ends with suffix (generous: the
// machine may be loaded; no time is asserted).
func (tm *terminal) waitFor(suffix string) {
	tm.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.HasSuffix(tm.screen.String(), suffix) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen does not end with %q:\n%q", suffix, tm.screen.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (tm *terminal) end() string {
	tm.t.Helper()
	tm.keys.Close()
	if err := <-tm.done; err != nil {
		tm.t.Fatal(err)
	}
	return strings.ReplaceAll(tm.screen.String(), "\r\n", "\n")
}

func goldenScreen(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name + ".golden"
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; got:\n%s", path, got)
	}
}

// TestLogMessagesRedrawLine: a log message that arrives while the
// operator types is printed on its own line, then the prompt and the
// partial line come back (`logging synchronous`); the line still runs.
// Ctrl-Z in configuration mode is `end`.
func TestLogMessagesRedrawLine(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}, msgs: make(chan string)}
	tm := startTerminal(t, NewSession(f, true), 24)
	tm.waitFor("tap1#")
	tm.typeKeys("configure terminal\rhostname r2\r")
	tm.waitFor("r2(config)#")
	tm.typeKeys("\x1a")
	tm.waitFor("^Z\r\nr2#")
	f.msgs <- "Dec  6 01:23:45.678: %SYS-5-CONFIG_I: Configured from console by console"
	tm.waitFor("console\r\nr2#")
	tm.typeKeys("show cl")
	tm.waitFor("r2#show cl")
	f.msgs <- "Dec  6 01:23:46.001: %LINK-3-UPDOWN: Interface eth1, changed state to up"
	f.msgs <- "Dec  6 01:23:46.002: %LINEPROTO-5-UPDOWN: Line protocol on Interface eth1, changed state to up"
	tm.waitFor("changed state to up\r\nr2#show cl")
	tm.typeKeys("ock\r")
	tm.waitFor("r2#")
	tm.typeKeys("exit\r")
	goldenScreen(t, "log-messages", tm.end())
	if f.ends != 1 {
		t.Errorf("configuration mode ended %d times, want 1 (Ctrl-Z)", f.ends)
	}
}

// TestPagingAndReload: `terminal length 0` turns --More-- off at once;
// the key that ends --More-- is not typed at the next prompt; reload asks
// to save a modified configuration, then for confirmation.
func TestPagingAndReload(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}, modified: true}
	tm := startTerminal(t, NewSession(f, true), 6)
	tm.waitFor("tap1#")
	tm.typeKeys("show interfaces\r")
	tm.waitFor(" --More-- ")
	tm.typeKeys("q")
	tm.waitFor("tap1#")
	tm.typeKeys("terminal length 0\r")
	tm.waitFor("tap1#")
	tm.typeKeys("show ip interface brief\r")
	tm.waitFor("tap1#")
	tm.typeKeys("show interfaces eth1\r")
	tm.waitFor("tap1#")
	tm.typeKeys("show interfaces eth9\r")
	tm.waitFor("tap1#")
	tm.typeKeys("reload\r")
	tm.waitFor("Save? [yes/no]: ")
	tm.typeKeys("maybe\r")
	tm.waitFor("Save? [yes/no]: ")
	tm.typeKeys("yes\r")
	tm.waitFor("Proceed with reload? [confirm]")
	tm.typeKeys("n")
	tm.waitFor("tap1#")
	f.modified = false
	tm.typeKeys("reload\r")
	tm.waitFor("Proceed with reload? [confirm]")
	tm.typeKeys("\r")
	tm.waitFor("tap1#")
	tm.typeKeys("exit\r")
	screen := tm.end()
	goldenScreen(t, "paging-reload", screen)
	if strings.Count(screen, " --More-- ") != 1 {
		t.Errorf("--More-- shown %d times, want once (before terminal length 0)", strings.Count(screen, " --More-- "))
	}
	if f.saved != 1 || f.reloads != 1 {
		t.Errorf("saved %d times and reloaded %d times, want 1 and 1", f.saved, f.reloads)
	}
}

// TestEditingKeys: Home, End and Delete (ESC [ N ~, ESC O H/F) move the
// cursor and delete under it as IOS's Ctrl-A, Ctrl-E and Ctrl-D do, the
// same on SSH and the console (both are this editor); keys it does not
// use (Ctrl-Right, ESC [ 1 ; 5 C) leave nothing in the line: End on the
// console once turned a typed "end" into "~end".
func TestEditingKeys(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	keys := "xhow ver" + "\x1b[1~" + "\x1b[3~" + "s" + "\x1b[4~" + "\x1b[1;5C" + "sio" + "\x01" + "\x1bOF" + "n\r" + "exit\r"
	var out bytes.Buffer
	s := NewSession(f, true)
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true, Width: 80, Height: 24}); err != nil {
		t.Fatal(err)
	}
	bs := func(n int) string { return strings.Repeat("\b", n) }
	want := "tap1#xhow ver" + bs(8) + "how ver " + bs(8) + "show ver" + bs(7) + "how ver" + "sio" + bs(11) + "show versio" + "n\r\nflowtap version test\r\n"
	if screen := out.String(); !strings.Contains(screen, want) || strings.Contains(screen, "~") || strings.Contains(screen, "Invalid input") {
		t.Errorf("screen\n got %q\nwant it to hold %q", screen, want)
	}
}
