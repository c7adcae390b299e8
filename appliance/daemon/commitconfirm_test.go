package daemon

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/show"
)

// TestCommitConfirmedRollsBackOnTheWire: a JunOS commit confirmed that
// moves the export to collector b sends b what is metered meanwhile; not
// confirmed in time, it is rolled back and what is metered next goes to
// collector a again. Confirmed in time, it stays. Each collector gets
// exactly the packets metered while it was configured.
func TestCommitConfirmedRollsBackOnTheWire(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test loads BPF programs: run it as root (make test does)")
	}
	a, b := listenV5(t), listenV5(t)
	cfgTo := func(l *v5Listener) config.Config {
		port := l.conn.LocalAddr().(*net.UDPAddr).Port
		c, err := junosconf.Parse("set", []byte(fmt.Sprintf(`set flowtap platform cflowd
set forwarding-options sampling input rate 1
set forwarding-options sampling family inet output flow-inactive-timeout 1800
set forwarding-options sampling family inet output flow-server 127.0.0.1 port %d
set forwarding-options sampling family inet output flow-server 127.0.0.1 version 5
`, port)))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	logs := NewLogBuffer(1 << 16)
	pins := filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-test-confirm-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(pins) })
	m, err := NewManager(ManagerOptions{Daemon: Options{PinDir: pins, Logger: slog.New(logs.Handler(slog.DiscardHandler))},
		StartupPath: filepath.Join(t.TempDir(), "startup-config"), Logs: logs}, cfgTo(a))
	if err != nil {
		t.Fatal(err)
	}
	msgs, stop := logs.Subscribe()
	defer stop()
	purge := func() {
		t.Helper()
		if err := m.d.Purge(); err != nil {
			t.Fatal(err)
		}
	}

	if err := m.CommitConfirmed(cfgTo(b), time.Second, show.CommitEntry{User: "ops", Via: "cli"}); err != nil {
		t.Fatal(err)
	}
	if m.ConfirmDeadline().IsZero() {
		t.Fatal("no rollback waits after commit confirmed")
	}
	feed(t, m.d, 1, 3)
	purge()
	waitPackets(t, b, 3)
	feed(t, m.d, 2, 2)
	for timeout := time.After(10 * time.Second); ; {
		select {
		case l := <-msgs:
			if !strings.Contains(l, "%FLOWTAP-4-COMMIT_ROLLBACK: Commit was not confirmed; automatic rollback complete") {
				continue
			}
		case <-timeout:
			t.Fatal("the commit confirmed was never rolled back")
		}
		break
	}
	if !config.Equal(m.Config(), cfgTo(a)) || !m.ConfirmDeadline().IsZero() {
		t.Fatalf("after the rollback: running %+v, deadline %v", m.Config().Export.Destinations, m.ConfirmDeadline())
	}
	purge()
	waitPackets(t, a, 2)

	// Confirmed in time: the commit stays past its deadline.
	if err := m.CommitConfirmed(cfgTo(b), time.Second, show.CommitEntry{User: "ops", Via: "cli"}); err != nil {
		t.Fatal(err)
	}
	if !m.Confirm() {
		t.Fatal("Confirm found no commit waiting")
	}
	time.Sleep(1500 * time.Millisecond)
	if !config.Equal(m.Config(), cfgTo(b)) {
		t.Fatalf("a confirmed commit was rolled back: %+v", m.Config().Export.Destinations)
	}
	// show system commit: the start, the commit confirmed, its
	// automatic rollback and the confirmed one, newest first, each under
	// the rollback number that loads it.
	cs := m.Commits()
	if len(cs) != 4 || cs[0].User != "ops" || cs[1].Via != "other" || cs[2].User != "ops" || cs[3].Via != "other" {
		t.Fatalf("commits %+v", cs)
	}
	if r, _ := m.Rollback(1); !config.Equal(r, cfgTo(a)) {
		t.Errorf("rollback 1 is not the automatic rollback's configuration")
	}
	feed(t, m.d, 3, 4)
	purge()
	waitPackets(t, b, 7)
	if err := m.Close(false); err != nil {
		t.Fatal(err)
	}
	if pa, _ := a.counts(); pa != 2 {
		t.Fatalf("collector a got %d packets, want the 2 metered after the rollback", pa)
	}
}
