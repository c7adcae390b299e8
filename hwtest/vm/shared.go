package vm

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// Shared is a VM that several tests use in turn, booting it once: the
// first test that asks for it boots it, and it is booted again (same
// Setup directory, so the same persistent disk) when QEMU has exited, as
// after a guest reboot. One VM runs at a time: asking for a Shared VM
// stops any other. StopShared (from TestMain) ends them all.
type Shared struct {
	// Name says which VM this is in messages.
	Name string
	// Setup returns the Config for each boot. dir lives as long as the
	// Shared VM: what Setup leaves there (a disk image, sockets) is there
	// at the next boot.
	Setup func(t testing.TB, dir string) (Config, error)
	// ReadyTimeout bounds each boot's wait for the console prompt.
	ReadyTimeout time.Duration

	vm    *VM
	dir   string
	boots int
	err   error // a boot that failed: the tests after it fail at once
}

var shared struct {
	sync.Mutex
	running *Shared
	all     []*Shared
}

// Use returns the shared VM for t, booted and at its console prompt. Each
// test's log gets the QEMU command line and the console lines while the
// test runs; lines printed between tests come first.
func (s *Shared) Use(t testing.TB) *VM {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if s.err != nil {
		t.Fatalf("%s VM: an earlier boot failed: %v", s.Name, s.err)
	}
	if shared.running != nil && shared.running != s {
		t.Logf("stopping the %s VM: one VM at a time", shared.running.Name)
		shared.running.stop()
	}
	shared.running = s
	if s.vm != nil && s.vm.Exited() {
		t.Logf("%s VM: QEMU has exited (the guest rebooted or stopped): booting it again", s.Name)
		s.vm.Stop()
		s.vm = nil
	}
	if s.vm == nil {
		if err := s.boot(t); err != nil {
			s.err = err
			t.Fatalf("%s VM: %v", s.Name, err)
		}
		v := s.vm.For(t)
		ok := false
		defer func() {
			if !ok {
				s.err = fmt.Errorf("boot %d did not reach the console prompt (see that test's log)", s.boots)
			}
		}()
		ready, _ := v.WaitReady(s.ReadyTimeout)
		ok = true
		t.Logf("%s VM: boot %d at the console prompt %.2fs after QEMU started", s.Name, s.boots, ready.Seconds())
		return v
	}
	v := s.vm.For(t)
	ready, _ := v.WaitReady(s.ReadyTimeout)
	t.Logf("%s VM: boot %d, up %s, at the prompt %.2fs after QEMU started; QEMU command line (rerun by hand from %s):\n%s",
		s.Name, s.boots, time.Since(v.Started).Round(time.Second), ready.Seconds(), mustGetwd(), ShellQuote(v.Config.Args()))
	return v
}

func (s *Shared) boot(t testing.TB) error {
	if s.dir == "" {
		d, err := os.MkdirTemp("", "hwtest-"+s.Name)
		if err != nil {
			return err
		}
		s.dir = d
		shared.all = append(shared.all, s)
	}
	c, err := s.Setup(t, s.dir)
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	v, err := Boot(c, t.Logf)
	if err != nil {
		return err
	}
	s.vm = v
	s.boots++
	t.Logf("%s VM: boot %d", s.Name, s.boots)
	return nil
}

func (s *Shared) stop() {
	if s.vm != nil {
		s.vm.Stop()
		s.vm = nil
	}
	if shared.running == s {
		shared.running = nil
	}
}

func stopRunningShared(t testing.TB) {
	shared.Lock()
	defer shared.Unlock()
	if s := shared.running; s != nil {
		t.Logf("stopping the %s VM: one VM at a time", s.Name)
		s.stop()
	}
}

// StopShared stops every Shared VM and removes their directories.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	for _, s := range shared.all {
		s.stop()
		os.RemoveAll(s.dir)
	}
}
