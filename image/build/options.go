// Package build makes the appliance image: a Debian kernel (vmlinuz) and a
// u-root initramfs holding the drivers the appliance needs, flowtapinit as
// the uinit, flowtapd, the flowtap CLI, u-root's core commands and the
// built-in default config. cmd/mkimage and the hwtest package call it.
package build

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// URootVersion is the u-root release whose init and commands the image
// carries (fetched through the Go module proxy).
const URootVersion = "v0.16.0"

// Commands are the u-root commands on the image: what an operator needs
// on the console besides the CLI. gosh is the shell.
var defaultCommands = []string{
	"init", "gosh", "ls", "cat", "cp", "mv", "rm", "mkdir", "ln", "echo", "grep", "more", "head", "tail",
	"wc", "find", "du", "df", "free", "ps", "kill", "pidof", "dmesg", "mount", "umount", "sync",
	"ip", "ping", "netstat", "netcat", "wget", "dhclient", "hostname", "uname", "uptime", "date",
	"sleep", "insmod", "lsmod", "rmmod", "hexdump", "poweroff", "shutdown", "which", "tee", "chmod", "tr",
}

// DefaultCommands returns the u-root commands the image carries.
func DefaultCommands() []string { return append([]string(nil), defaultCommands...) }

// Options say what to build and where.
type Options struct {
	// Repo is the flowtap module root (holds go.mod).
	Repo string
	// Out receives vmlinuz, initramfs.cpio.gz and manifest.txt.
	Out string
	// Work holds the kernel package, its extraction and build leftovers;
	// kept between builds so that the kernel is fetched once.
	Work string

	// DaemonPkg, CLIPkg and InitPkg are Go packages (relative to Repo)
	// built into /bin/flowtapd, /bin/flowtap and /bin/flowtapinit.
	DaemonPkg, CLIPkg, InitPkg string
	// DaemonBin and CLIBin, when set, are prebuilt static binaries used
	// instead of building DaemonPkg and CLIPkg.
	DaemonBin, CLIBin string

	// Commands are the u-root commands to include.
	Commands []string

	// Log receives progress lines.
	Log io.Writer
}

// Defaults fills the zero fields for a repository root.
func Defaults(repo string) Options {
	return Options{
		Repo:      repo,
		Out:       filepath.Join(repo, "out"),
		Work:      filepath.Join(repo, "out", "work"),
		DaemonPkg: "./appliance/cmd/flowtapd",
		CLIPkg:    "./cli/cmd/flowtap",
		InitPkg:   "./image/cmd/flowtapinit",
		Commands:  DefaultCommands(),
		Log:       os.Stderr,
	}
}

// Inputs kept in image/: one place for each choice.
func (o Options) kernelVersionFile() string { return filepath.Join(o.Repo, "image", "kernel.version") }
func (o Options) modulesListFile() string   { return filepath.Join(o.Repo, "image", "modules.list") }
func (o Options) defaultConfigFile() string {
	return filepath.Join(o.Repo, "image", "startup-config.default")
}

// KernelRelease reads image/kernel.version: the one non-comment line.
func (o Options) KernelRelease() (string, error) {
	lines, err := listFile(o.kernelVersionFile())
	if err != nil {
		return "", err
	}
	if len(lines) != 1 {
		return "", fmt.Errorf("%s: want exactly one kernel release line, got %d", o.kernelVersionFile(), len(lines))
	}
	return lines[0], nil
}

// Modules reads image/modules.list.
func (o Options) Modules() ([]string, error) { return listFile(o.modulesListFile()) }

// listFile returns the non-empty lines of a file without # comments.
func listFile(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out, nil
}
