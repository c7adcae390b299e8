package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/cfgfile"
)

// runningCopy is the running configuration kept on disk (tmpfs on the
// appliance) for a daemon that crashes and is restarted: the next one
// comes back with it, unsaved changes included. Its first line names the
// startup-config it derives from (a digest of that file's bytes): when
// the file has changed since, the operator means the file, and the next
// daemon starts from it. An orderly stop removes the copy.
type runningCopy struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	startup string // digest of the startup-config the running config derives from
	gone    bool   // discarded: the daemon is stopping
}

const runningHeader = "! flowtapd running-config of startup-config "

// startupSum is the digest of the startup-config as it is now ("none"
// when there is no file).
func startupSum(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "none"
	}
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// load reads the copy and the startup-config digest it was kept with.
func (r *runningCopy) load() (config.Config, string, error) {
	b, err := os.ReadFile(r.path)
	if err != nil {
		return config.Config{}, "", err
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(b)).ReadLine()
	sum, ok := strings.CutPrefix(string(first), runningHeader)
	if !ok {
		return config.Config{}, "", fmt.Errorf("%s: no startup-config digest on its first line", r.path)
	}
	c, err := cfgfile.Parse(r.path, b)
	return c, sum, err
}

// setStartup records the startup-config c now derives from (boot, write
// memory, SIGHUP) and keeps c.
func (r *runningCopy) setStartup(sum string, c config.Config) {
	r.mu.Lock()
	r.startup = sum
	r.mu.Unlock()
	r.save(c)
}

// save keeps c; it runs after every applied change.
func (r *runningCopy) save(c config.Config) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone {
		return
	}
	if err := r.write(c); err != nil {
		r.log.Error("keep the running config for a restart", "file", r.path, "err", err)
	}
}

func (r *runningCopy) write(c config.Config) error {
	if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
		return err
	}
	if r.startup == "" { // first save of this daemon: temps a crash left go
		if err := config.RemoveTemps(r.path); err != nil {
			r.log.Warn("remove temp files of the running copy", "err", err)
		}
	}
	return config.WriteFile(r.path, []byte(runningHeader+r.startup+"\n"+cfgfile.SaveText(c)))
}

// discard removes the copy at an orderly stop; later saves are ignored.
func (r *runningCopy) discard() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gone = true
	if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		r.log.Error("remove the running copy", "file", r.path, "err", err)
	}
}
