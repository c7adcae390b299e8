// Command mkimage builds the appliance image into out/: vmlinuz from the
// Debian kernel package pinned in image/kernel.version, and
// initramfs.cpio.gz made with u-root (its init and core commands,
// flowtapinit as the uinit, flowtapd, the flowtap CLI, the modules of
// image/modules.list with their dependencies, and the built-in default
// config). Run it as root on Debian, from the repository root:
//
//	go run ./image/cmd/mkimage [-out out] [-flowtapd-bin FILE] [-flowtap-bin FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/flowtap/flowtap/image/build"
)

func main() {
	repo := flag.String("repo", ".", "flowtap repository root (holds go.mod)")
	out := flag.String("out", "", "output directory (default REPO/out)")
	work := flag.String("work", "", "work directory kept between builds (default OUT/work)")
	daemonBin := flag.String("flowtapd-bin", "", "use this static flowtapd instead of building ./appliance/cmd/flowtapd")
	cliBin := flag.String("flowtap-bin", "", "use this static flowtap CLI instead of building ./cli/cmd/flowtap")
	ifStale := flag.Bool("if-stale", false, "do nothing when out/ already holds an image of the current inputs")
	flag.Parse()
	if err := run(*repo, *out, *work, *daemonBin, *cliBin, *ifStale); err != nil {
		log.Fatalf("mkimage: %v", err)
	}
}

func run(repo, out, work, daemonBin, cliBin string, ifStale bool) error {
	abs, err := filepath.Abs(repo)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(abs, "go.mod")); err != nil {
		return fmt.Errorf("%s is not the repository root (no go.mod): run from it or pass -repo", abs)
	}
	o := build.Defaults(abs)
	if out != "" {
		o.Out, o.Work = out, filepath.Join(out, "work")
	}
	if work != "" {
		o.Work = work
	}
	o.DaemonBin, o.CLIBin = daemonBin, cliBin
	if ifStale {
		fresh, err := build.Fresh(o)
		if err != nil {
			return err
		}
		if fresh {
			fmt.Fprintf(os.Stderr, "mkimage: %s is up to date\n", o.Out)
			return nil
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := build.Build(ctx, o)
	if err != nil {
		return err
	}
	fmt.Printf("kernel    %s (%s): %.1f MiB\n", r.Kernel, r.KernelRelease, mib(r.KernelSize))
	fmt.Printf("initramfs %s: %.1f MiB compressed, %.1f MiB uncompressed, %d modules (%.1f MiB)\n",
		r.Initramfs, mib(r.InitramfsSize), mib(r.CPIOSize), r.Modules, mib(r.ModuleBytes))
	fmt.Printf("total     %.1f MiB; built in %s\n", mib(r.KernelSize+r.InitramfsSize), r.BuildDuration.Round(1e8))
	return nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
