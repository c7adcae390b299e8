package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/flowtap/flowtap/image/kmod"
)

// loadDrivers loads the modules whose aliases match the devices present
// (coldplug), repeating while loading brings new devices, and makes this
// program the kernel's modprobe so that file systems, crypto and nls
// modules load on demand. It returns the loader, nil if the image has no
// module index.
func loadDrivers(log *logger, s settings) *kmod.Loader {
	start := time.Now()
	l, err := kmod.NewLoader(s.ModDir)
	if err != nil {
		log.Printf("modules: %v: loading none", err)
		return nil
	}
	if err := registerModprobe(s.RunDir); err != nil {
		log.Printf("modules: on-demand loading off: %v", err)
	}
	var all []string
	tried := map[string]bool{}
	for pass := 0; pass < 4; pass++ {
		inserted := 0
		for _, alias := range modaliases() {
			if tried[alias] {
				continue
			}
			tried[alias] = true
			names, ok := l.Index.Resolve(alias)
			if !ok || len(names) == 0 {
				continue
			}
			got, err := l.Load(alias)
			if err != nil {
				log.Printf("modules: %v", err)
			}
			inserted += len(got)
			all = append(all, got...)
		}
		if inserted == 0 {
			break
		}
	}
	log.Printf("modules: loaded %d in %s: %s", len(all), time.Since(start).Round(time.Millisecond), strings.Join(all, " "))
	return l
}

// modaliases lists the modalias of every device on every bus, sorted.
func modaliases() []string {
	files, _ := filepath.Glob("/sys/bus/*/devices/*/modalias")
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		a := strings.TrimSpace(string(data))
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// registerModprobe points /proc/sys/kernel/modprobe at a "modprobe"
// symlink to this program.
func registerModprobe(runDir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	link := filepath.Join(runDir, "modprobe")
	os.Remove(link)
	if err := os.Symlink(self, link); err != nil {
		return fmt.Errorf("modprobe link: %w", err)
	}
	if err := os.WriteFile("/proc/sys/kernel/modprobe", []byte(link+"\n"), 0o644); err != nil {
		return fmt.Errorf("set kernel modprobe: %w", err)
	}
	return nil
}

// modprobeMain serves "modprobe [-q] [--] NAME..." as the kernel runs it
// (request_module): names or aliases, loaded with their dependencies.
func modprobeMain(args []string) int {
	rel, err := kernelRelease()
	if err != nil {
		fmt.Fprintf(os.Stderr, "modprobe: %v\n", err)
		return 1
	}
	l, err := kmod.NewLoader(filepath.Join("/lib/modules", rel))
	if err != nil {
		fmt.Fprintf(os.Stderr, "modprobe: %v\n", err)
		return 1
	}
	quiet, names, rest := false, []string{}, false
	for _, a := range args {
		switch {
		case rest || !strings.HasPrefix(a, "-"):
			names = append(names, a)
		case a == "--":
			rest = true
		case a == "-q" || a == "--quiet":
			quiet = true
		}
	}
	code := 0
	for _, n := range names {
		if _, err := l.Load(n); err != nil {
			if !quiet {
				fmt.Fprintf(os.Stderr, "modprobe: %v\n", err)
			}
			code = 1
		}
	}
	return code
}
