// Command flowtapd is the appliance daemon: it meters the interfaces its
// startup-config names, exports NetFlow/IPFIX, and serves the management
// plane (control socket, SSH, SNMP). It is the image's uinit and runs the
// same on any Linux host as root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/mgmtplane"
	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/datapath"
	"github.com/flowtap/flowtap/mgmt/dhcplease"
	"github.com/flowtap/flowtap/mgmt/dnsclient"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	f, err := parseFlags(os.Args[1:])
	if err == nil {
		err = run(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowtapd:", err)
		os.Exit(1)
	}
}

type flags struct {
	config, running, state, pinDir, control string
	snmpListen, sshListen, metricsListen    string
	ntpStep, rebootOnReload, keepMetering   bool
	volatile, consoleLog                    bool
	volatileWhy, initLog                    string
	dhcpLease                               string
	reloadExit                              int
}

func parseFlags(args []string) (flags, error) {
	var f flags
	err := flagSet(&f).Parse(args)
	return f, err
}

// flagSet declares flowtapd's flags into f. A word in backquotes in a
// usage is what -help prints as the flag's argument (flag.UnquoteUsage),
// so backquotes name arguments only; IOS commands are in double quotes.
func flagSet(f *flags) *flag.FlagSet {
	fs := flag.NewFlagSet("flowtapd", flag.ContinueOnError)
	fs.StringVar(&f.config, "config", "/etc/flowtap/startup-config", "startup-config `FILE` (write memory saves here)")
	fs.StringVar(&f.running, "running", "/run/flowtap/running-config", "`FILE` where the running config is kept for a restarted daemon (tmpfs: a reboot starts from the startup-config)")
	fs.StringVar(&f.state, "state", "/var/lib/flowtap", "state `DIR`: SSH host key, SNMP engine boots, the cache statistics across a restart")
	fs.StringVar(&f.pinDir, "pin-dir", datapath.DefaultPinDir, "bpffs `DIR` for the flow table and port links")
	fs.StringVar(&f.control, "control", control.DefaultPath, "control `SOCKET` for the flowtap CLI")
	fs.StringVar(&f.snmpListen, "snmp-listen", "0.0.0.0:161,[::]:161", "SNMP agent `ADDRS` (comma-separated), once snmp-server is configured")
	fs.StringVar(&f.sshListen, "ssh-listen", "", "SSH `ADDR`; default :PORT from \"ip ssh port\" (22)")
	fs.StringVar(&f.metricsListen, "metrics-listen", "", "Prometheus endpoint `ADDR`, once \"ip http metrics\" is configured; default :PORT from it (9742)")
	fs.BoolVar(&f.rebootOnReload, "reboot-on-reload", false, "let \"reload\" restart the machine (the appliance image)")
	fs.IntVar(&f.reloadExit, "reload-exit", 0, "with --reboot-on-reload: after reload's orderly stop exit with this `STATUS` rather than restart the machine, for a supervisor that restarts it after its own stop (the image's init gives its DHCP lease back first)")
	fs.BoolVar(&f.volatile, "startup-volatile", false, "the startup-config is on a RAM file system (the image without a persistent disk): write memory warns instead of saving")
	fs.StringVar(&f.volatileWhy, "startup-volatile-why", "", "with --startup-volatile: why the startup-config is in RAM when the machine has a persistent disk (it does not mount), for write memory to say instead of \"no persistent disk\"")
	fs.StringVar(&f.initLog, "init-log", "", "`FILE` the image's init writes its messages to (time, severity, text a line): show logging has them, with their times")
	fs.StringVar(&f.dhcpLease, "dhcp-lease", dhcplease.Path(dhcplease.DefaultDir, "eth0"), "the management link's DHCP lease `FILE` (the image's init writes it): its name servers and domain resolve host names when the configuration names none, read at each lookup")
	fs.BoolVar(&f.ntpStep, "ntp-step", false, "let \"ntp server\" set the system clock (the appliance image does; a host keeps its own time daemon)")
	fs.BoolVar(&f.keepMetering, "keep-metering", false, "on SIGTERM/SIGINT leave the ports metering into the pinned flow table for the next flowtapd (a restart for an upgrade); without it, or when the pins' bpffs was mounted by this flowtapd in a mount namespace of its own (ip netns exec), a stop exports every flow and detaches from the ports")
	fs.BoolVar(&f.consoleLog, "console-log", false, "also write each log message to stdout as the CLI shows it (Dec  6 04:27:26.123: %FAC-SEV-MNEMONIC: text), for a console, with a mark line where the console CLI session starts and ends showing them itself; stderr keeps the structured key=value form")
	return fs
}

// run wires the parts together: the daemon lock, the boot configuration,
// the runtime (daemon.Manager), the management plane (mgmtplane) and the
// running copy as subscribers of its changes, and the signals.
func run(f flags) error {
	// Signals are caught from the start: a SIGTERM that comes while the
	// daemon starts up is an orderly stop once it is up, not a kill that
	// leaves the ports attached and the running copy behind.
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	// One handler renders every message: IOS's form for the buffer,
	// syslog, the CLI sessions and (--console-log) stdout; slog's
	// structured text on stderr, for a file or the journal.
	logs := daemon.NewLogBuffer(4096)
	// No time source has set the clock yet: IOS marks such times `*`
	// (the NTP client, once it runs, says otherwise).
	logs.SetClockSync(func() config.ClockSync { return config.ClockUnset })
	if f.consoleLog {
		logs.SetConsole(os.Stdout)
	}
	log := slog.New(logs.Handler(slog.NewTextHandler(os.Stderr, nil)))
	if f.initLog != "" {
		// The init's boot messages come before the daemon's own.
		initCtx, stopInit := context.WithCancel(context.Background())
		defer stopInit()
		daemon.FollowInitLog(initCtx, f.initLog, logs)
	}
	if err := os.MkdirAll(f.state, 0o700); err != nil {
		log.Error("state directory", "dir", f.state, "err", err)
	}
	restrictSecrets(f.config, f.state, log)
	pinsGo, err := ensureBPFFS(filepath.Dir(f.pinDir))
	if err != nil {
		return err
	}
	if pinsGo && f.keepMetering {
		log.Warn("the pins are in a bpffs this flowtapd mounted in a mount namespace of its own (ip netns exec, unshare -m), which goes away with it: a stop exports every flow and detaches from the ports despite --keep-metering; mount bpffs there in the host's mount namespace, or enter only the network namespace (nsenter --net)", "dir", filepath.Dir(f.pinDir))
	}
	keep := f.keepMetering && !pinsGo
	// Before anything touches the pins or the state: a second daemon must
	// change nothing of the first one's.
	lock, err := lockDirs(f.pinDir, f.state)
	if err != nil {
		return err
	}
	defer lock.release()
	running := &runningCopy{path: f.running, log: log}
	// One resolver for every line that names a host, at boot and after:
	// `show hosts` lists what it learned.
	hosts := &dnsclient.Cache{LeaseFile: f.dhcpLease}
	cfg := bootConfig(f, running, hosts, log)
	if _, err := daemon.SettingsFrom(cfg); err != nil {
		// The model is valid but cannot run here (a prefix-as file that is
		// not there, ...): keep the box manageable.
		cfg = runnable(cfg, err, log)
	}
	opts := daemon.ManagerOptions{
		Daemon: daemon.Options{PinDir: f.pinDir, Spool: true, StateDir: f.state, Logger: log}, StartupPath: f.config, Logs: logs, Version: version,
		Saved:           func(c config.Config) { running.setStartup(startupSum(f.config), c) },
		VolatileStartup: f.volatile || f.volatileWhy != "", VolatileWhy: f.volatileWhy,
		Hosts: hosts,
	}
	// reloading is set by `reload` on the appliance: the machine restarts
	// after an orderly stop, which exports every flow in the cache (a
	// reboot straight away lost them all, counted nowhere).
	// stopping is set once the orderly stop begins: ending the sessions
	// ends their input, and a console left at reload's [confirm] takes
	// that as a yes, which must not turn a kill -TERM into a reboot.
	var reloading, stopping atomic.Bool
	if f.rebootOnReload {
		opts.ReloadReason = lastReloadReason(f.state, filepath.Dir(f.control))
		opts.Reload = func() error {
			if stopping.Load() {
				return errors.New("flowtapd is stopping")
			}
			if reloading.Swap(true) {
				return nil
			}
			log.Info("reload requested: exporting every flow, then restarting the machine")
			if err := noteReload(f.state, reasonReload); err != nil {
				log.Warn("the next boot will not know it came from reload (show version: power-on)", "err", err)
			}
			// The sessions print %SYS-5-RELOAD (the console through the
			// flowtap client) once the command returns: give them a moment
			// before the stop closes them.
			go func() {
				time.Sleep(time.Second)
				sig <- syscall.SIGTERM
			}()
			return nil
		}
	}
	m, err := daemon.NewManager(opts, cfg)
	if err != nil {
		return err
	}
	log.Info("flowtapd running", "version", version, "persona", cfg.PlatformName(), "ports", m.Daemon().PortModes())

	plane, err := mgmtplane.Start(m, mgmtplane.Options{State: f.state, Control: f.control,
		SNMPListen: strings.Split(f.snmpListen, ","), SSHListen: f.sshListen, MetricsListen: f.metricsListen, NTPStep: f.ntpStep, Logger: log})
	if err != nil {
		m.Close(true)
		return err
	}
	m.OnApply(running.save)

	for s := range sig {
		if s == syscall.SIGHUP {
			reloadStartup(f, m, running, hosts, log)
			continue
		}
		break
	}
	// An orderly stop: the next start reads the startup-config, as a
	// router's reload does (a crash never gets here, and the next start
	// takes the running copy back).
	stopping.Store(true)
	running.discard()
	switch {
	case keep:
		log.Info("flowtapd stopping; the ports go on metering into the pinned flow table for the next start")
	case f.keepMetering:
		log.Warn("flowtapd stopping; exporting every flow and detaching from the ports despite --keep-metering: the pins would go with this daemon's mount namespace")
	default:
		log.Info("flowtapd stopping; exporting every flow and detaching from the ports")
	}
	plane.Close()
	err = m.Close(keep && !reloading.Load())
	if reloading.Load() && f.reloadExit != 0 {
		// The supervisor restarts the machine once it has stopped what
		// it runs (the image's init releases its DHCP lease).
		log.Info("reload: the supervisor restarts the machine", "exit", f.reloadExit)
		unix.Sync()
		os.Exit(f.reloadExit)
	}
	if reloading.Load() {
		restart(log)
	}
	return err
}

// restart reboots the machine (reload on the appliance), its disks synced.
// It returns only if the kernel refuses; flowtapd then exits and its
// supervisor starts it again.
func restart(log *slog.Logger) {
	// The last export datagrams are queued, not yet on the wire: a reboot
	// at once can leave them in the NIC's ring.
	time.Sleep(500 * time.Millisecond)
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART); err != nil {
		log.Error("reload: the machine does not restart", "err", err)
	}
}

// ensureBPFFS mounts bpffs where the pins live if nothing is mounted there.
// It says whether the pins go away with this process: a bpffs it mounted
// in a mount namespace that the process which started it is not in (ip
// netns exec makes one per command, with a fresh /sys and nothing on
// /sys/fs/bpf; a container's own) is gone, table and links with it, once
// the namespace is, so pins left there for the next daemon would lose
// what they hold. A supervisor in the daemon's namespace keeps it, and
// the pins, alive.
func ensureBPFFS(dir string) (pinsGo bool, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err == nil && st.Type == unix.BPF_FS_MAGIC {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("bpffs mount point: %w", err)
	}
	if err := unix.Mount("bpf", dir, "bpf", 0, ""); err != nil {
		return false, fmt.Errorf("mount bpffs on %s: %w", dir, err)
	}
	return ownMountNamespace(), nil
}

// ownMountNamespace says whether this process's mount namespace is not
// its parent's. If either cannot be read it says no: the daemon then
// behaves as before.
func ownMountNamespace() bool {
	self, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		return false
	}
	parent, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", os.Getppid()))
	return err == nil && self != parent
}
