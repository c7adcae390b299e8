package build

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// kernelTree is an extracted Debian kernel package.
type kernelTree struct {
	Release string
	Root    string // dpkg-deb -x destination
	Config  map[string]string
}

func (k kernelTree) vmlinuz() string { return filepath.Join(k.Root, "boot", "vmlinuz-"+k.Release) }
func (k kernelTree) moduleDir() string {
	return filepath.Join(k.Root, "lib", "modules", k.Release)
}

// requiredConfig are the kernel options the image cannot boot or meter
// without, with the value each must have.
var requiredConfig = map[string]string{
	"CONFIG_BLK_DEV_INITRD":      "y",
	"CONFIG_RD_GZIP":             "y",
	"CONFIG_DEVTMPFS":            "y",
	"CONFIG_SERIAL_8250_CONSOLE": "y",
	"CONFIG_BPF_SYSCALL":         "y",
	"CONFIG_BPF_JIT":             "y",
	"CONFIG_MODULES":             "y",
	"CONFIG_UNIX":                "y",
	"CONFIG_INET":                "y",
	"CONFIG_VIRTIO_PCI":          "y",
	"CONFIG_TMPFS":               "y",
	"CONFIG_PROC_FS":             "y",
	"CONFIG_SYSFS":               "y",
}

// fetchKernel downloads linux-image-<release> into the work directory
// (never installing it) and extracts it with dpkg-deb -x.
func fetchKernel(ctx context.Context, o Options, release string) (kernelTree, error) {
	k := kernelTree{Release: release, Root: filepath.Join(o.Work, "kernel-"+release)}
	deb, err := downloadKernel(ctx, o, "linux-image-"+release)
	if err != nil {
		return k, err
	}
	done := filepath.Join(k.Root, ".extracted")
	if _, err := os.Stat(done); err != nil {
		if err := os.RemoveAll(k.Root); err != nil {
			return k, fmt.Errorf("clean %s: %w", k.Root, err)
		}
		if _, err := command(ctx, o.Log, o.Work, nil, "dpkg-deb", "-x", deb, k.Root); err != nil {
			return k, fmt.Errorf("extract kernel package: %w", err)
		}
		if err := os.WriteFile(done, []byte(deb+"\n"), 0o644); err != nil {
			return k, err
		}
	}
	if _, err := os.Stat(k.vmlinuz()); err != nil {
		return k, fmt.Errorf("kernel package %s has no %s: %w", deb, k.vmlinuz(), err)
	}
	cfg, err := readKernelConfig(filepath.Join(k.Root, "boot", "config-"+release))
	if err != nil {
		return k, err
	}
	k.Config = cfg
	var missing []string
	for opt, want := range requiredConfig {
		if cfg[opt] != want {
			missing = append(missing, fmt.Sprintf("%s=%q (have %q)", opt, want, cfg[opt]))
		}
	}
	if len(missing) > 0 {
		return k, fmt.Errorf("kernel %s lacks what the image needs: %s", release, strings.Join(missing, ", "))
	}
	return k, nil
}

// downloadKernel returns the .deb of pkg in the work directory, fetching
// it with apt-get download (after apt-get update if the lists lack it).
func downloadKernel(ctx context.Context, o Options, pkg string) (string, error) {
	find := func() string {
		m, _ := filepath.Glob(filepath.Join(o.Work, pkg+"_*.deb"))
		if len(m) == 1 {
			return m[0]
		}
		return ""
	}
	if deb := find(); deb != "" {
		return deb, nil
	}
	if _, err := command(ctx, o.Log, o.Work, nil, "apt-get", "download", pkg); err != nil {
		fmt.Fprintf(o.Log, "mkimage: apt-get download %s failed; running apt-get update and trying again\n", pkg)
		if _, uerr := command(ctx, o.Log, o.Work, nil, "apt-get", "update", "-qq"); uerr != nil {
			return "", fmt.Errorf("apt-get update: %w", uerr)
		}
		if _, err := command(ctx, o.Log, o.Work, nil, "apt-get", "download", pkg); err != nil {
			return "", fmt.Errorf("fetch kernel package %s (release pinned in image/kernel.version): %w", pkg, err)
		}
	}
	if deb := find(); deb != "" {
		return deb, nil
	}
	return "", fmt.Errorf("apt-get download %s left no single %s_*.deb in %s", pkg, pkg, o.Work)
}

// readKernelConfig parses a kernel .config: CONFIG_X=v lines; "is not
// set" lines are absent from the map.
func readKernelConfig(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("kernel config: %w", err)
	}
	defer f.Close()
	cfg := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok && strings.HasPrefix(k, "CONFIG_") {
			cfg[k] = strings.Trim(v, `"`)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if len(cfg) == 0 {
		return nil, errors.New("kernel config " + file + " is empty")
	}
	return cfg, nil
}
