// Package kmod reads and writes the module index of a kernel's
// /lib/modules/<release> tree (modules.dep, modules.alias,
// modules.builtin) and loads modules with their dependencies. The image
// builder writes the index for the modules it packs; the image's init reads
// it to load drivers for the devices it finds.
package kmod

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Index files inside a module directory.
const (
	DepFile     = "modules.dep"
	AliasFile   = "modules.alias"
	BuiltinFile = "modules.builtin"
)

// Alias maps a pattern (fnmatch-style, as in modules.alias) to a module.
type Alias struct {
	Pattern string
	Module  string
}

// Index is a parsed module directory.
type Index struct {
	// Deps maps a module's path (relative to the module directory) to the
	// paths of every module it needs, in modules.dep order: load them from
	// last to first.
	Deps    map[string][]string
	Aliases []Alias
	Builtin map[string]bool
	byName  map[string]string
}

// Name is the module name of a module path: base name without .ko and
// compression suffix, dashes as underscores.
func Name(p string) string {
	b := path.Base(filepath.ToSlash(p))
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return Normalize(b)
}

// Normalize turns dashes into underscores, as the kernel does for names.
func Normalize(name string) string { return strings.ReplaceAll(name, "-", "_") }

// NewIndex builds an index from dependency lists and aliases.
func NewIndex(deps map[string][]string, aliases []Alias, builtin []string) *Index {
	ix := &Index{Deps: deps, Aliases: aliases, Builtin: map[string]bool{}, byName: map[string]string{}}
	for p := range deps {
		ix.byName[Name(p)] = p
	}
	for _, b := range builtin {
		ix.Builtin[Name(b)] = true
	}
	return ix
}

// ReadIndex parses dir/modules.dep and, when present, modules.alias and
// modules.builtin.
func ReadIndex(dir string) (*Index, error) {
	deps, err := readDep(filepath.Join(dir, DepFile))
	if err != nil {
		return nil, err
	}
	aliases, err := readAlias(filepath.Join(dir, AliasFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	builtin, err := readLines(filepath.Join(dir, BuiltinFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return NewIndex(deps, aliases, builtin), nil
}

// Path is the file of a module by name, relative to the module directory.
func (ix *Index) Path(name string) (string, bool) {
	p, ok := ix.byName[Normalize(name)]
	return p, ok
}

// Names lists every loadable module, sorted.
func (ix *Index) Names() []string {
	n := make([]string, 0, len(ix.byName))
	for k := range ix.byName {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Resolve turns a module name or an alias (a modalias string such as
// "virtio:d00000001v00001AF4" or a name such as "fs-ext4") into module
// names. A built-in module resolves to nothing and true.
func (ix *Index) Resolve(nameOrAlias string) ([]string, bool) {
	n := Normalize(nameOrAlias)
	if ix.Builtin[n] {
		return nil, true
	}
	if _, ok := ix.byName[n]; ok {
		return []string{n}, true
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range ix.Aliases {
		if ok, _ := path.Match(a.Pattern, nameOrAlias); ok && !seen[a.Module] {
			seen[a.Module] = true
			out = append(out, a.Module)
		}
	}
	return out, len(out) > 0
}

// LoadOrder lists the paths to load for a module, dependencies first.
func (ix *Index) LoadOrder(name string) ([]string, error) {
	p, ok := ix.Path(name)
	if !ok {
		return nil, fmt.Errorf("module %s: not in %s", name, DepFile)
	}
	deps := ix.Deps[p]
	order := make([]string, 0, len(deps)+1)
	for i := len(deps) - 1; i >= 0; i-- {
		order = append(order, deps[i])
	}
	return append(order, p), nil
}

// WriteDep writes modules.dep, sorted by module path.
func (ix *Index) WriteDep(w io.Writer) error {
	keys := make([]string, 0, len(ix.Deps))
	for k := range ix.Deps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	bw := bufio.NewWriter(w)
	for _, k := range keys {
		fmt.Fprintf(bw, "%s:", k)
		for _, d := range ix.Deps[k] {
			fmt.Fprintf(bw, " %s", d)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteAlias writes modules.alias in the index's order.
func (ix *Index) WriteAlias(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, a := range ix.Aliases {
		fmt.Fprintf(bw, "alias %s %s\n", a.Pattern, a.Module)
	}
	return bw.Flush()
}

func readDep(file string) (map[string][]string, error) {
	lines, err := readLines(file)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for i, l := range lines {
		mod, rest, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: %q: want \"module: deps...\"", file, i+1, l)
		}
		if f := strings.Fields(rest); len(f) > 0 {
			deps[mod] = f
		} else {
			deps[mod] = nil
		}
	}
	return deps, nil
}

func readAlias(file string) ([]Alias, error) {
	lines, err := readLines(file)
	if err != nil {
		return nil, err
	}
	var out []Alias
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 || f[0] != "alias" {
			return nil, fmt.Errorf("%s:%d: %q: want \"alias PATTERN MODULE\"", file, i+1, l)
		}
		out = append(out, Alias{Pattern: f[1], Module: Normalize(f[2])})
	}
	return out, nil
}

// readLines returns the non-empty, non-comment lines of a file.
func readLines(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return out, nil
}
