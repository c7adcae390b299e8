package kmod

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Loader loads modules from a module directory with finit_module(2).
// Compressed modules (.ko.xz, .ko.zst, .ko.gz) are handed to the kernel
// as they are: it decompresses them (CONFIG_MODULE_DECOMPRESS).
type Loader struct {
	Dir   string
	Index *Index

	mu     sync.Mutex
	loaded map[string]bool
}

// NewLoader reads the index of dir.
func NewLoader(dir string) (*Loader, error) {
	ix, err := ReadIndex(dir)
	if err != nil {
		return nil, fmt.Errorf("module index: %w", err)
	}
	return &Loader{Dir: dir, Index: ix, loaded: map[string]bool{}}, nil
}

// Load loads a module by name or alias, with its dependencies. It returns
// the modules it inserted; one already loaded or built in is no error.
func (l *Loader) Load(nameOrAlias string) ([]string, error) {
	names, ok := l.Index.Resolve(nameOrAlias)
	if !ok {
		return nil, fmt.Errorf("module %s: not found in %s", nameOrAlias, l.Dir)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var inserted []string
	var errs []error
	for _, n := range names {
		order, err := l.Index.LoadOrder(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, p := range order {
			name := Name(p)
			if l.loaded[name] || isLoaded(name) {
				l.loaded[name] = true
				continue
			}
			if err := l.insert(p); err != nil {
				errs = append(errs, fmt.Errorf("module %s (for %s): %w", name, nameOrAlias, err))
				break
			}
			l.loaded[name] = true
			inserted = append(inserted, name)
		}
	}
	return inserted, errors.Join(errs...)
}

func (l *Loader) insert(rel string) error {
	f, err := os.Open(filepath.Join(l.Dir, rel))
	if err != nil {
		return err
	}
	defer f.Close()
	flags := 0
	if compressed(rel) {
		flags = unix.MODULE_INIT_COMPRESSED_FILE
	}
	if err := unix.FinitModule(int(f.Fd()), "", flags); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("finit_module %s: %w", rel, err)
	}
	return nil
}

func compressed(p string) bool {
	for _, s := range []string{".ko.xz", ".ko.zst", ".ko.gz"} {
		if strings.HasSuffix(p, s) {
			return true
		}
	}
	return false
}

// isLoaded tells whether the kernel has the module (loaded or built in
// with parameters): /sys/module/NAME exists.
func isLoaded(name string) bool {
	_, err := os.Stat(filepath.Join("/sys/module", name))
	return err == nil
}
