// Command flowtapinit is the image's uinit: u-root's init runs it once it
// has mounted the basic file systems. It finishes bringing the appliance
// up and then stays: it mounts bpffs and /run, loads the drivers for the
// devices present (and serves the kernel's module requests as its
// modprobe), sets the links up and addresses eth0, mounts the persistent
// disk that holds startup-config (or falls back to the built-in default),
// supervises flowtapd (restarted with backoff when it dies) and runs the
// flowtap CLI on the console, a shell when the CLI exits.
//
// Kernel command line:
//
//	flowtap.mgmt=dhcp                      DHCP on eth0 for as long as it runs: renewed, rebound, dropped at the lease's end (default)
//	flowtap.mgmt=dhcp:10.0.2.15/24,10.0.2.2     DHCP, with this address while no lease is held
//	flowtap.mgmt=static:10.0.2.15/24,10.0.2.2   a fixed address and gateway
//	flowtap.mgmt=none                      leave eth0 unaddressed
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// AutowrapOn is the VT100 sequence that turns a terminal's line wrap
// (DECAWM) back on; flowtapinit writes it to the console first.
const AutowrapOn = "\x1b[?7h"

// settings are where things are on the image.
type settings struct {
	ModDir        string // /lib/modules/<release>
	DefaultConfig string // built-in default startup-config
	Daemon        string // flowtapd
	CLI           string // flowtap
	Shell         string // console shell when the CLI is absent or exits
	StateDir      string // flowtapd --state; the persistent disk when there is one
	RunDir        string // control socket, modprobe helper
	Mgmt          string // eth0 addressing, as flowtap.mgmt=
	MgmtLink      string // the management interface
	Console       string // console device the CLI runs on
	DaemonFlags   string // more flowtapd flags, space-separated
	InitLog       string // flowtapinit's messages for flowtapd's show logging (--init-log)
	// DHCPBootWait is how long the boot waits for a first lease (0:
	// dhcpBootWait); only the tests change it.
	DHCPBootWait time.Duration
}

func main() {
	if filepath.Base(os.Args[0]) == "modprobe" {
		os.Exit(modprobeMain(os.Args[1:]))
	}
	s := settings{}
	flag.StringVar(&s.ModDir, "modules", "", "module directory (default /lib/modules/$(uname -r))")
	flag.StringVar(&s.DefaultConfig, "default-config", "/etc/flowtap/startup-config.default", "built-in default startup-config")
	flag.StringVar(&s.Daemon, "daemon", "/bin/flowtapd", "the daemon to supervise")
	flag.StringVar(&s.CLI, "cli", "/bin/flowtap", "the console CLI")
	flag.StringVar(&s.Shell, "shell", "/bin/defaultsh", "the console shell")
	flag.StringVar(&s.StateDir, "state", "/var/flowtap", "flowtapd state directory (persistent disk mount point)")
	flag.StringVar(&s.RunDir, "run", "/run/flowtap", "runtime directory (control socket)")
	flag.StringVar(&s.Mgmt, "mgmt", "", "eth0 addressing: dhcp, static:ADDR/LEN[,GW] or none (default: flowtap.mgmt= on the kernel command line, else dhcp)")
	flag.StringVar(&s.MgmtLink, "mgmt-link", "eth0", "management interface")
	flag.StringVar(&s.DaemonFlags, "daemon-flags", "--reboot-on-reload --ntp-step",
		"more flowtapd flags: on the appliance, reload restarts the machine and NTP sets the clock")
	flag.StringVar(&s.InitLog, "init-log", "/run/flowtap/init.log", "flowtapinit's messages with their times, which flowtapd (--init-log) shows in show logging")
	flag.StringVar(&s.Console, "console", "", "console device (default: the kernel's primary console)")
	flag.Parse()
	// A supervisor outlives console sessions: their hangups are not for it.
	signal.Ignore(syscall.SIGHUP)
	if s.Console == "" {
		s.Console = consoleDevice()
	}
	tty := &ttyWriter{path: s.Console}
	// The firmware before us (SeaBIOS under QEMU) turned the terminal's
	// line wrap off; the CLI's lines can be wider than the terminal, and
	// cut at its edge they lose what matters (a reason, a count).
	tty.Write([]byte(AutowrapOn))
	log := newLogger(tty)
	if err := run(context.Background(), log, s); err != nil {
		log.Warnf("fatal: %v", err)
		// Leave the console usable: u-root's init starts a shell next.
		os.Exit(1)
	}
}

func run(ctx context.Context, log *logger, s settings) error {
	cmdline := kernelCmdline()
	if s.Mgmt == "" {
		s.Mgmt = cmdline["flowtap.mgmt"]
	}
	if s.Mgmt == "" {
		s.Mgmt = "dhcp"
	}
	if s.ModDir == "" {
		rel, err := kernelRelease()
		if err != nil {
			return err
		}
		s.ModDir = filepath.Join("/lib/modules", rel)
	}
	log.Printf("starting (%s)", imageRelease())
	if _, quiet := cmdline["quiet"]; quiet {
		quietConsole(log)
	}
	if err := mountAll(log, s.RunDir); err != nil {
		return err
	}
	log.attach(s.InitLog)
	loader := loadDrivers(log, s)
	dhcp, err := setUpLinks(ctx, log, s)
	if err != nil {
		log.Printf("network: %v", err)
	}
	// An orderly stop gives the DHCP lease back (RFC 2131 4.4.6): at
	// reload (flowtapd exits for it and the supervisor restarts the
	// machine) and at SIGTERM.
	stop := func() {
		if dhcp != nil {
			dhcp.release()
		}
	}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		log.Printf("SIGTERM: stopping")
		stop()
		os.Exit(0)
	}()
	cfg, volatile, why, err := findConfig(log, loader, s)
	if err != nil && why == "" {
		log.Printf("persistent disk: %v", err)
	}
	var extra []string
	if volatile {
		extra = append(extra, "--startup-volatile")
	}
	if why != "" {
		extra = append(extra, "--startup-volatile-why="+why)
	}
	warnDefaultLogins(log, cfg, s.DefaultConfig)
	var cli cliState
	go supervise(ctx, log, daemonCommand(s, cfg, extra...), &cli, "/var/log/flowtapd.log", func() {
		stop()
		reboot(log)
	})
	return console(ctx, log, s, &cli)
}

// kernelCmdline returns key=value words of /proc/cmdline.
func kernelCmdline() map[string]string {
	data, _ := os.ReadFile("/proc/cmdline")
	m := map[string]string{}
	for _, w := range strings.Fields(string(data)) {
		k, v, _ := strings.Cut(w, "=")
		m[k] = v
	}
	return m
}

func kernelRelease() (string, error) {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "", fmt.Errorf("kernel release: %w", err)
	}
	return strings.TrimSpace(string(data)), nil
}

func imageRelease() string {
	data, err := os.ReadFile("/etc/flowtap/image-release")
	if err != nil {
		return "image release unknown"
	}
	return strings.Join(strings.Fields(string(data)), " ")
}

// quietLevel is the console log level `quiet` asks the kernel for: only
// errors and worse reach the console.
const quietLevel = 4

// quietConsole puts the kernel's console log level back to what `quiet`
// on the kernel command line asked for. u-root's init raises it to 5, so
// the kernel's warnings (a virtio XDP queue note at every attach, an
// hrtimer note under TCG) landed on the console in the middle of the
// CLI's prompt, which cannot redraw around them; dmesg keeps them.
func quietConsole(log *logger) {
	if err := os.WriteFile("/proc/sys/kernel/printk", []byte(fmt.Sprintf("%d\n", quietLevel)), 0o644); err != nil {
		log.Printf("console log level: %v", err)
	}
}

// reboot restarts the machine after reload's orderly stop, the disks
// synced. The daemon's last export datagrams may still be in the NIC's
// ring: they get a moment.
func reboot(log *logger) {
	time.Sleep(500 * time.Millisecond)
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART); err != nil {
		log.Warnf("reload: the machine does not restart: %v", err)
	}
}
