package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lockName is the file in the state directory that holds the lock and
// the PID of the daemon holding it.
const lockName = "flowtapd.lock"

// daemonLock is held for the daemon's whole life: a second flowtapd on the
// same pin directory or state directory would take over the first one's
// pinned maps, port links, host key and running config.
type daemonLock struct{ files []*os.File }

// lockDirs takes an exclusive flock on the pin directory itself (bpffs
// holds only maps and links, so no lock file can live there) and on a lock
// file in the state directory. The kernel drops both when the process
// dies, however it dies, so a crashed daemon never blocks its successor.
func lockDirs(pinDir, stateDir string) (*daemonLock, error) {
	l := &daemonLock{}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	sf, err := os.OpenFile(filepath.Join(stateDir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state directory lock: %w", err)
	}
	if err := flock(sf, "state directory "+stateDir); err != nil {
		sf.Close()
		return nil, err
	}
	l.files = append(l.files, sf)
	if err := os.MkdirAll(pinDir, 0o700); err != nil {
		l.release()
		return nil, fmt.Errorf("pin directory: %w", err)
	}
	pf, err := os.Open(pinDir)
	if err != nil {
		l.release()
		return nil, fmt.Errorf("pin directory lock: %w", err)
	}
	if err := flock(pf, "pin directory "+pinDir); err != nil {
		pf.Close()
		l.release()
		return nil, err
	}
	l.files = append(l.files, pf)
	// The PID is for people and tools; the lock itself is the flock.
	if err := sf.Truncate(0); err == nil {
		_, _ = sf.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return l, nil
}

func flock(f *os.File, what string) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.EWOULDBLOCK) {
		return fmt.Errorf("lock %s: %w", what, err)
	}
	if pid := lockHolder(f); pid > 0 {
		return fmt.Errorf("%s is in use by another flowtapd (PID %d)", what, pid)
	}
	return fmt.Errorf("%s is in use by another flowtapd", what)
}

// lockHolder finds the PID that holds the flock on f in /proc/locks,
// which names every lock's owner by device and inode.
func lockHolder(f *os.File) int {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return 0
	}
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	pl, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer pl.Close()
	sc := bufio.NewScanner(pl)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF"; a blocked
		// waiter has "->" after the number.
		fs := strings.Fields(sc.Text())
		if len(fs) < 6 || fs[1] != "FLOCK" {
			continue
		}
		if strings.EqualFold(fs[5], want) {
			if pid, err := strconv.Atoi(fs[4]); err == nil && pid != os.Getpid() {
				return pid
			}
		}
	}
	return 0
}

func (l *daemonLock) release() {
	for _, f := range l.files {
		f.Close()
	}
	l.files = nil
}
