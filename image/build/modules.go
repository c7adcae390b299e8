package build

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/flowtap/flowtap/image/kmod"
)

// moduleSet is the closure of the wanted modules in a kernel tree.
type moduleSet struct {
	src     string                  // the kernel's lib/modules/<release>
	files   map[string]string       // name -> path relative to src, every module of the kernel
	builtin map[string]bool         // names the kernel has built in
	info    map[string]kmod.Modinfo // name -> modinfo, modules in the closure
	deps    map[string][]string     // name -> direct dependencies (hard, then soft pre)
	notes   []string
}

// stageModules copies the wanted modules and their dependencies from the
// kernel tree into dst (a root file system: dst/lib/modules/<release>) and
// writes modules.dep, modules.alias and modules.builtin for them.
func stageModules(ctx context.Context, o Options, k kernelTree, wanted []string, dst string) (count int, size int64, err error) {
	ms, err := scanModules(k.moduleDir())
	if err != nil {
		return 0, 0, err
	}
	if err := ms.close(ctx, wanted); err != nil {
		return 0, 0, err
	}
	for _, n := range ms.notes {
		fmt.Fprintf(o.Log, "mkimage: modules: %s\n", n)
	}
	keepCompressed := k.Config["CONFIG_MODULE_DECOMPRESS"] == "y"
	if !keepCompressed {
		fmt.Fprintf(o.Log, "mkimage: modules: kernel lacks CONFIG_MODULE_DECOMPRESS: packing them uncompressed\n")
	}
	out := filepath.Join(dst, "lib", "modules", k.Release)
	staged := map[string]string{} // name -> staged path relative to out
	for name := range ms.info {
		rel := ms.files[name]
		if !keepCompressed {
			rel = strings.TrimSuffix(rel, filepath.Ext(rel)) // .ko.xz -> .ko
			if !strings.HasSuffix(rel, ".ko") {
				rel = ms.files[name]
			}
		}
		n, err := ms.copyModule(ctx, name, filepath.Join(out, rel), keepCompressed)
		if err != nil {
			return 0, 0, err
		}
		staged[name] = rel
		size += n
	}
	deps := map[string][]string{}
	var aliases []kmod.Alias
	for name, rel := range staged {
		var list []string
		for _, d := range ms.loadOrder(name) {
			list = append(list, staged[d])
		}
		// modules.dep order: the last listed is loaded first.
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
		deps[rel] = list
		for _, a := range ms.info[name]["alias"] {
			aliases = append(aliases, kmod.Alias{Pattern: a, Module: name})
		}
	}
	sort.Slice(aliases, func(i, j int) bool {
		if aliases[i].Module != aliases[j].Module {
			return aliases[i].Module < aliases[j].Module
		}
		return aliases[i].Pattern < aliases[j].Pattern
	})
	ix := kmod.NewIndex(deps, aliases, nil)
	if err := writeWith(filepath.Join(out, kmod.DepFile), ix.WriteDep); err != nil {
		return 0, 0, err
	}
	if err := writeWith(filepath.Join(out, kmod.AliasFile), ix.WriteAlias); err != nil {
		return 0, 0, err
	}
	if err := copyFile(filepath.Join(ms.src, kmod.BuiltinFile), filepath.Join(out, kmod.BuiltinFile)); err != nil {
		return 0, 0, err
	}
	return len(staged), size, nil
}

// scanModules lists every module file and built-in module of a kernel.
func scanModules(src string) (*moduleSet, error) {
	ms := &moduleSet{src: src, files: map[string]string{}, builtin: map[string]bool{},
		info: map[string]kmod.Modinfo{}, deps: map[string][]string{}}
	err := filepath.WalkDir(filepath.Join(src, "kernel"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(d.Name(), ".ko") {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		ms.files[kmod.Name(rel)] = rel
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan modules in %s: %w", src, err)
	}
	builtin, err := listFile(filepath.Join(src, kmod.BuiltinFile))
	if err != nil {
		return nil, err
	}
	for _, b := range builtin {
		ms.builtin[kmod.Name(b)] = true
	}
	return ms, nil
}

// close reads the modinfo of every wanted module and of what it depends on.
func (ms *moduleSet) close(ctx context.Context, wanted []string) error {
	type item struct{ name, from string }
	var queue []item
	for _, w := range wanted {
		queue = append(queue, item{kmod.Normalize(w), "image/modules.list"})
	}
	var soft []item // soft pre-dependencies, resolved once the closure is known
	for len(queue) > 0 {
		for len(queue) > 0 {
			it := queue[0]
			queue = queue[1:]
			if _, done := ms.info[it.name]; done || ms.builtin[it.name] {
				continue
			}
			if _, ok := ms.files[it.name]; !ok {
				return fmt.Errorf("module %s (wanted by %s) is neither a module nor built into this kernel", it.name, it.from)
			}
			mi, err := ms.modinfo(ctx, it.name)
			if err != nil {
				return err
			}
			ms.info[it.name] = mi
			hard, pre := mi.Depends()
			for _, d := range hard {
				d = kmod.Normalize(d)
				ms.deps[it.name] = append(ms.deps[it.name], d)
				queue = append(queue, item{d, it.name})
			}
			for _, d := range pre {
				soft = append(soft, item{d, it.name})
			}
		}
		for _, s := range soft {
			found := ms.resolveSoft(s.name)
			if len(found) == 0 && !ms.builtin[kmod.Normalize(s.name)] {
				ms.notes = append(ms.notes, fmt.Sprintf("%s: soft dependency %s not packed (add the module providing it to image/modules.list)", s.from, s.name))
			}
			for _, d := range found {
				ms.deps[s.from] = append(ms.deps[s.from], d)
				queue = append(queue, item{d, s.from})
			}
		}
		soft = nil
	}
	// Drop built-in dependencies from the lists.
	for n, ds := range ms.deps {
		var keep []string
		for _, d := range ds {
			if _, ok := ms.info[d]; ok && d != n {
				keep = append(keep, d)
			}
		}
		ms.deps[n] = keep
	}
	return nil
}

// resolveSoft finds a soft dependency by module name, or by alias among
// the modules already read.
func (ms *moduleSet) resolveSoft(nameOrAlias string) []string {
	n := kmod.Normalize(nameOrAlias)
	if _, ok := ms.files[n]; ok {
		return []string{n}
	}
	var out []string
	for name, mi := range ms.info {
		for _, a := range mi["alias"] {
			if a == nameOrAlias {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// loadOrder lists every module name must have loaded first, each after
// its own dependencies.
func (ms *moduleSet) loadOrder(name string) []string {
	var order []string
	seen := map[string]bool{name: true}
	var visit func(string)
	visit = func(n string) {
		for _, d := range ms.deps[n] {
			if !seen[d] {
				seen[d] = true
				visit(d)
				order = append(order, d)
			}
		}
	}
	visit(name)
	return order
}

// modinfo reads a module's .modinfo, decompressing it first.
func (ms *moduleSet) modinfo(ctx context.Context, name string) (kmod.Modinfo, error) {
	data, err := ms.decompressed(ctx, name)
	if err != nil {
		return nil, err
	}
	mi, err := kmod.ReadModinfo(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", name, err)
	}
	return mi, nil
}

func (ms *moduleSet) decompressed(ctx context.Context, name string) ([]byte, error) {
	p := filepath.Join(ms.src, ms.files[name])
	switch filepath.Ext(p) {
	case ".ko":
		return os.ReadFile(p)
	case ".xz":
		return command(ctx, io.Discard, ms.src, nil, "xz", "-dc", p)
	case ".zst":
		return command(ctx, io.Discard, ms.src, nil, "zstd", "-dcq", p)
	case ".gz":
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", p, err)
		}
		return io.ReadAll(zr)
	}
	return nil, fmt.Errorf("module %s: unknown compression", p)
}

// copyModule writes a module to dst as the kernel package has it, or
// decompressed, and returns the bytes written.
func (ms *moduleSet) copyModule(ctx context.Context, name, dst string, keepCompressed bool) (int64, error) {
	var data []byte
	var err error
	if keepCompressed {
		data, err = os.ReadFile(filepath.Join(ms.src, ms.files[name]))
	} else {
		data, err = ms.decompressed(ctx, name)
	}
	if err != nil {
		return 0, fmt.Errorf("module %s: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return 0, err
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return 0, fmt.Errorf("stage module %s: %w", name, err)
	}
	return int64(len(data)), nil
}

func writeWith(file string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", file, err)
	}
	return f.Close()
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
