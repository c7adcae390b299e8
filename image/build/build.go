package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Result describes a finished build.
type Result struct {
	KernelRelease string
	Kernel        string // out/vmlinuz
	Initramfs     string // out/initramfs.cpio.gz
	KernelSize    int64
	InitramfsSize int64
	CPIOSize      int64 // uncompressed
	Modules       int
	ModuleBytes   int64
	InputsDigest  string
	InitramfsSHA  string
	KernelSHA     string
	BuildDuration time.Duration
}

// Build makes Out/vmlinuz and Out/initramfs.cpio.gz.
func Build(ctx context.Context, o Options) (Result, error) {
	start := time.Now()
	var r Result
	if o.Log == nil {
		o.Log = io.Discard
	}
	// Tools run in other directories (u-root in the repository, xz in the
	// kernel tree): every path handed to them must be absolute.
	for _, p := range []*string{&o.Out, &o.Work, &o.Repo} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return r, fmt.Errorf("path %s: %w", *p, err)
		}
		*p = abs
	}
	for _, d := range []string{o.Out, o.Work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return r, fmt.Errorf("make %s: %w", d, err)
		}
	}
	digest, err := InputsDigest(o)
	if err != nil {
		return r, err
	}
	r.InputsDigest = digest
	release, err := o.KernelRelease()
	if err != nil {
		return r, err
	}
	r.KernelRelease = release
	wanted, err := o.Modules()
	if err != nil {
		return r, err
	}

	// Our programs first: a missing daemon fails the build at once.
	binDir := filepath.Join(o.Work, "bin")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return r, err
	}
	st := newSteps(o.Log)
	var bins map[string]string
	if err := st.run("build flowtapd, flowtap and flowtapinit", func() (err error) {
		bins, err = buildBinaries(ctx, o, binDir, ImageVersion(digest))
		return err
	}); err != nil {
		return r, err
	}

	var k kernelTree
	if err := st.run("kernel "+release, func() (err error) {
		k, err = fetchKernel(ctx, o, release)
		return err
	}); err != nil {
		return r, err
	}
	rootfs := filepath.Join(o.Work, "rootfs")
	if err := st.run("modules and /etc/flowtap", func() (err error) {
		if err := os.RemoveAll(rootfs); err != nil {
			return fmt.Errorf("clean %s: %w", rootfs, err)
		}
		r.Modules, r.ModuleBytes, err = stageModules(ctx, o, k, wanted, rootfs)
		if err != nil {
			return fmt.Errorf("modules: %w", err)
		}
		fmt.Fprintf(o.Log, "mkimage: %d modules, %d bytes, for %s\n", r.Modules, r.ModuleBytes, release)
		return stageEtc(o, rootfs, release, ImageVersion(digest))
	}); err != nil {
		return r, err
	}

	files := map[string]string{
		"lib/modules": filepath.Join(rootfs, "lib", "modules"),
		"etc/flowtap": filepath.Join(rootfs, "etc", "flowtap"),
	}
	for name, file := range bins {
		files["bin/"+name] = file
	}
	cpio := filepath.Join(o.Work, "initramfs.cpio")
	if err := st.run("u-root initramfs", func() error { return urootArchive(ctx, o, cpio, files) }); err != nil {
		return r, err
	}
	r.Kernel = filepath.Join(o.Out, KernelFile)
	r.Initramfs = filepath.Join(o.Out, InitramfsFile)
	if err := st.run("compress the initramfs, copy the kernel", func() error {
		if err := gzipFile(cpio, r.Initramfs); err != nil {
			return err
		}
		return copyFile(k.vmlinuz(), r.Kernel)
	}); err != nil {
		return r, err
	}
	for _, f := range []struct {
		file string
		size *int64
		sum  *string
	}{{cpio, &r.CPIOSize, nil}, {r.Initramfs, &r.InitramfsSize, &r.InitramfsSHA}, {r.Kernel, &r.KernelSize, &r.KernelSHA}} {
		st, err := os.Stat(f.file)
		if err != nil {
			return r, err
		}
		*f.size = st.Size()
		if f.sum != nil {
			if *f.sum, err = sha256File(f.file); err != nil {
				return r, err
			}
		}
	}
	r.BuildDuration = time.Since(start)
	return r, writeManifest(filepath.Join(o.Out, ManifestFile), r)
}

// stageEtc writes /etc/flowtap: the built-in default config and what the
// image was built from.
func stageEtc(o Options, rootfs, release, version string) error {
	etc := filepath.Join(rootfs, "etc", "flowtap")
	if err := copyFile(o.defaultConfigFile(), filepath.Join(etc, "startup-config.default")); err != nil {
		return err
	}
	info := fmt.Sprintf("%s\nkernel %s\nu-root %s\n", version, release, URootVersion)
	return os.WriteFile(filepath.Join(etc, "image-release"), []byte(info), 0o644)
}

func writeManifest(file string, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "inputs %s\n", r.InputsDigest)
	fmt.Fprintf(&b, "kernel-release %s\n", r.KernelRelease)
	fmt.Fprintf(&b, "u-root %s\n", URootVersion)
	fmt.Fprintf(&b, "vmlinuz %d sha256:%s\n", r.KernelSize, r.KernelSHA)
	fmt.Fprintf(&b, "initramfs %d sha256:%s\n", r.InitramfsSize, r.InitramfsSHA)
	fmt.Fprintf(&b, "initramfs-uncompressed %d\n", r.CPIOSize)
	fmt.Fprintf(&b, "modules %d %d\n", r.Modules, r.ModuleBytes)
	return os.WriteFile(file, []byte(b.String()), 0o644)
}

func sha256File(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", file, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
