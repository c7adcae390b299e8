package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// mount is one file system the appliance needs.
type mount struct {
	Source, Target, FSType string
	Flags                  uintptr
	Data                   string
}

// baseMounts: u-root's init has mounted most of these already; each is
// mounted only where nothing is. bpffs holds the pinned maps and links
// that keep metering across a flowtapd restart.
func baseMounts() []mount {
	return []mount{
		{"proc", "/proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
		{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
		{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, "mode=0755"},
		{"bpf", "/sys/fs/bpf", "bpf", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "mode=0700"},
		{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755"},
	}
}

// mountAll mounts what is missing and makes the runtime directory.
func mountAll(log *logger, runDir string) error {
	var errs []error
	for _, m := range baseMounts() {
		if mounted(m.Target) {
			continue
		}
		if err := os.MkdirAll(m.Target, 0o755); err != nil {
			errs = append(errs, fmt.Errorf("mkdir %s: %w", m.Target, err))
			continue
		}
		if err := unix.Mount(m.Source, m.Target, m.FSType, m.Flags, m.Data); err != nil {
			errs = append(errs, fmt.Errorf("mount %s on %s: %w", m.FSType, m.Target, err))
			continue
		}
		log.Printf("mounted %s on %s", m.FSType, m.Target)
	}
	for _, d := range []string{runDir, "/var/log"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// mounted tells whether a directory is a mount point (in /proc/mounts).
func mounted(dir string) bool {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[1] == dir {
			return true
		}
	}
	return false
}
