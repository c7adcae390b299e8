package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowtap/flowtap/mgmt/dhcplease"
)

// Restart backoff: doubled after each quick death, reset once the daemon
// has stayed up for backoffReset.
const (
	backoffMin   = time.Second
	backoffMax   = 30 * time.Second
	backoffReset = time.Minute
)

// ReloadExit is the status flowtapd exits with after reload's orderly
// stop (--reload-exit): flowtapinit then gives its DHCP lease back and
// restarts the machine itself.
const ReloadExit = 75

// daemonCommand builds the flowtapd command line.
// extra are more flags, each one argument (a reason with spaces).
func daemonCommand(s settings, config string, extra ...string) func() *exec.Cmd {
	return func() *exec.Cmd {
		args := append([]string{"--config", config, "--state", s.StateDir, "--console-log"}, strings.Fields(s.DaemonFlags)...)
		if s.InitLog != "" {
			args = append(args, "--init-log", s.InitLog)
		}
		// The lease the DHCP client keeps: its name servers and domain
		// resolve host names when the configuration names none.
		args = append(args, "--dhcp-lease", dhcplease.Path(s.RunDir, s.MgmtLink))
		args = append(args, fmt.Sprintf("--reload-exit=%d", ReloadExit))
		args = append(args, extra...)
		return exec.Command(s.Daemon, args...)
	}
}

// cliState tells whether the CLI runs on the console. While its session
// is attached (the daemon marks that in its message stream), the daemon's
// messages reach the console through it, in IOS form and with the
// operator's line redrawn after them (logging console, logging
// synchronous); while the CLI runs, the supervisor keeps the daemon's
// other output for /var/log/flowtapd.log, where copying it onto the
// console would cut into what the operator types.
type cliState struct{ on atomic.Bool }

// supervise runs the daemon for ever, restarting it with backoff when it
// exits. The daemon writes its messages twice (--console-log): in IOS's
// form on stdout, which goes to the console as "flowtapd: " lines while
// the CLI is not there, and structured on stderr, which goes to
// logPath (/var/log/flowtapd.log, kept under logMax). Anything else on stderr (a panic, the reason it
// exits) goes to both.
//
// A daemon that exits with ReloadExit was told to reload: onReload (when
// set) stops what flowtapinit runs and restarts the machine.
func supervise(ctx context.Context, log *logger, newCmd func() *exec.Cmd, cli *cliState, logPath string, onReload func()) {
	backoff := backoffMin
	var logFile io.Writer
	if f, err := openRotatingLog(logPath, logMax); err != nil {
		log.Printf("supervisor: %v: daemon output goes to the console only", err)
	} else {
		logFile = f
	}
	for restarts := 0; ; restarts++ {
		cmd := newCmd()
		or, ow := io.Pipe()
		er, ew := io.Pipe()
		cmd.Stdout, cmd.Stderr = ow, ew
		var copying sync.WaitGroup
		copying.Add(2)
		go func() {
			// The messages: up to the daemon's mark that the console's
			// CLI session shows them, and again from its mark that the
			// session ended (a new daemon starts unmarked).
			attached := false
			copyLines(log, or, nil, func(l string) (console, keep bool) {
				switch l {
				case consoleAttached:
					attached = true
					return false, false
				case consoleDetached:
					attached = false
					return false, false
				}
				return !attached, true
			})
			copying.Done()
		}()
		go func() {
			copyLines(log, er, logFile, func(l string) (console, keep bool) {
				return !cli.on.Load() && !structured(l), true
			})
			copying.Done()
		}()
		start := time.Now()
		err := cmd.Start()
		if err == nil {
			log.Printf("supervisor: started %s (pid %d)", strings.Join(cmd.Args, " "), cmd.Process.Pid)
			err = cmd.Wait()
		}
		ow.Close()
		ew.Close()
		copying.Wait()
		if ctx.Err() != nil {
			return
		}
		var exit *exec.ExitError
		if onReload != nil && errors.As(err, &exit) && exit.ExitCode() == ReloadExit {
			log.Printf("supervisor: flowtapd stopped for reload: restarting the machine")
			onReload()
		}
		ran := time.Since(start)
		if ran > backoffReset {
			backoff = backoffMin
		}
		log.Printf("supervisor: flowtapd exited after %s: %v; restart %d in %s",
			ran.Round(time.Millisecond), exitReason(err), restarts+1, backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, backoffMax)
	}
}

func exitReason(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// structured tells a log record in slog's text form (the daemon's
// stderr) from other output.
func structured(line string) bool { return strings.HasPrefix(line, "time=") }

// copyLines writes each line of r to the console as "flowtapd: line"
// when show says so and, when file is not nil and show keeps the line,
// to file.
func copyLines(log *logger, r io.Reader, file io.Writer, show func(line string) (console, keep bool)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		console, keep := show(sc.Text())
		if console {
			log.Raw("flowtapd: " + sc.Text())
		}
		if file != nil && keep {
			io.WriteString(file, sc.Text()+"\n")
		}
	}
	io.Copy(io.Discard, r)
}

// The daemon's marks on its message stream (daemon.ConsoleAttached and
// daemon.ConsoleDetached; flowtapinit does not link the daemon's package)
// around the messages the console's CLI session shows itself.
const (
	consoleAttached = "--- flowtapd: console session attached ---"
	consoleDetached = "--- flowtapd: console session detached ---"
)

// logMax is how large the daemon's log file grows before it is moved to
// FILE.1, the one before that being dropped. /var/log is in the
// initramfs, in RAM: appended to for as long as the box ran (every login,
// change, link and collector event), the file took memory that nothing
// gave back until the appliance ran out of it.
const logMax = 1 << 20

// rotatingLog is an append-only log file of at most max bytes, and the
// one before it.
type rotatingLog struct {
	mu   sync.Mutex
	path string
	max  int64
	f    *os.File
	size int64
}

func openRotatingLog(path string, max int64) (*rotatingLog, error) {
	l := &rotatingLog{path: path, max: max}
	if err := l.open(os.O_APPEND); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *rotatingLog) open(mode int) error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|mode, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Write appends p, moving the file to FILE.1 first when p would take it
// past max. A failed move keeps writing where it can: losing the log is
// better than stopping the daemon's output.
func (l *rotatingLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.size > 0 && l.size+int64(len(p)) > l.max {
		l.f.Close()
		os.Rename(l.path, l.path+".1")
		if err := l.open(os.O_TRUNC); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}
