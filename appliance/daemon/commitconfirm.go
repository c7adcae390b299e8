package daemon

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
)

// confirmWait is JunOS's `commit confirmed`: a commit that is rolled back
// unless another commit confirms it in time. It lives in the manager, not
// in the CLI session, because its point is the session that is lost: an
// operator whose change cut the SSH path gets the old configuration back
// without logging in again.
type confirmWait struct {
	mu       sync.Mutex
	timer    *time.Timer
	deadline time.Time
	// restore is the configuration running before the first commit
	// confirmed of a chain: a second one while the first waits only
	// restarts the wait.
	restore config.Config
	// gen tells a timer that fired as a commit confirmed it (the timer
	// could not be stopped any more) that it is stale.
	gen int
}

// CommitConfirmed applies c as Apply does and rolls it back to the
// configuration running before it unless Confirm is called within wait.
// A commit confirmed while one waits restarts the wait and keeps the
// first one's rollback point, as JunOS does.
func (m *Manager) CommitConfirmed(c config.Config, wait time.Duration, by show.CommitEntry) error {
	w := &m.confirm
	w.mu.Lock()
	first := w.timer == nil
	if first {
		w.restore = m.Config()
	} else {
		w.timer.Stop()
	}
	w.gen++
	gen := w.gen
	w.deadline = time.Now().Add(wait)
	w.timer = time.AfterFunc(wait, func() { m.confirmExpired(gen) })
	w.mu.Unlock()
	by.ConfirmMinutes = int(wait / time.Minute)
	err := m.ApplyBy(c, by)
	var warn Warnings
	if err != nil && !errors.As(err, &warn) && first {
		// Nothing was applied: nothing to roll back.
		w.mu.Lock()
		if w.gen == gen {
			w.timer.Stop()
			w.timer, w.gen, w.restore = nil, w.gen+1, config.Config{}
		}
		w.mu.Unlock()
	}
	return err
}

// Confirm keeps the configuration a commit confirmed applied; false when
// no commit waits.
func (m *Manager) Confirm() bool {
	w := &m.confirm
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer == nil {
		return false
	}
	w.timer.Stop()
	w.timer, w.gen, w.restore = nil, w.gen+1, config.Config{}
	return true
}

// ConfirmDeadline is when a waiting commit confirmed is rolled back; the
// zero time when none waits.
func (m *Manager) ConfirmDeadline() time.Time {
	w := &m.confirm
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer == nil {
		return time.Time{}
	}
	return w.deadline
}

// confirmExpired rolls a commit confirmed back: nobody confirmed it.
func (m *Manager) confirmExpired(gen int) {
	w := &m.confirm
	w.mu.Lock()
	if w.gen != gen || w.timer == nil {
		w.mu.Unlock()
		return
	}
	restore := w.restore
	w.timer, w.restore = nil, config.Config{}
	w.mu.Unlock()
	// The rollback is a commit of its own (rollback 1 is the
	// configuration that was not confirmed), as on JunOS.
	err := m.Apply(restore)
	var warn Warnings
	if err != nil && !errors.As(err, &warn) {
		m.log.Error("commit confirmed: automatic rollback failed", "err", err)
		return
	}
	logIOS(m.log, "FLOWTAP-4-COMMIT_ROLLBACK", "Commit was not confirmed; automatic rollback complete")
	if err := m.saveCommitted(); err != nil {
		m.log.Warn("commit confirmed: rolled back but not saved", "err", err)
	}
}

// saveCommitted saves a JunOS commit as the startup configuration, as a
// JunOS commit persists; nothing without a startup-config location (a
// test's manager). A RAM-only startup-config says so.
func (m *Manager) saveCommitted() error {
	if m.opts.StartupPath == "" {
		return nil
	}
	if err := m.WriteMemory(); err != nil {
		return fmt.Errorf("the configuration was not saved: %s", strings.TrimPrefix(err.Error(), "Warning: "))
	}
	return nil
}

// stopConfirm drops a waiting rollback when the daemon stops.
func (m *Manager) stopConfirm() {
	w := &m.confirm
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
		w.gen++
	}
}
