package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"
)

// Restart backoff: doubled after each quick death, reset once the daemon
// has stayed up for backoffReset.
const (
	backoffMin   = time.Second
	backoffMax   = 30 * time.Second
	backoffReset = time.Minute
)

// daemonCommand builds the flowtapd command line.
func daemonCommand(s settings, config string) func() *exec.Cmd {
	return func() *exec.Cmd {
		args := append([]string{"--config", config, "--state", s.StateDir}, strings.Fields(s.DaemonFlags)...)
		return exec.Command(s.Daemon, args...)
	}
}

// cliState tells whether the CLI runs on the console. While it does, the
// daemon's messages reach the console through it, in IOS form and with
// the operator's line redrawn after them (logging console, logging
// synchronous); the supervisor then keeps the daemon's own output for
// /var/log/flowtapd.log, where copying it onto the console would cut into
// what the operator types.
type cliState struct{ on atomic.Bool }

// supervise runs the daemon for ever, restarting it with backoff when it
// exits, and copies its output to /var/log/flowtapd.log and, while the
// CLI is not on the console (boot, the shell), to the console as
// "flowtapd: " lines.
func supervise(ctx context.Context, log *logger, newCmd func() *exec.Cmd, cli *cliState) {
	backoff := backoffMin
	logFile, err := os.OpenFile("/var/log/flowtapd.log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		log.Printf("supervisor: %v: daemon output goes to the console only", err)
		logFile = nil
	}
	for restarts := 0; ; restarts++ {
		cmd := newCmd()
		r, w := io.Pipe()
		cmd.Stdout, cmd.Stderr = w, w
		done := make(chan struct{})
		go func() {
			copyLines(log, r, logFile, cli)
			close(done)
		}()
		start := time.Now()
		err := cmd.Start()
		if err == nil {
			log.Printf("supervisor: started %s (pid %d)", strings.Join(cmd.Args, " "), cmd.Process.Pid)
			err = cmd.Wait()
		}
		w.Close()
		<-done
		if ctx.Err() != nil {
			return
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

// copyLines writes each line of r to the console as "flowtapd: line"
// unless the CLI is on the console and, when file is not nil, to file.
func copyLines(log *logger, r io.Reader, file io.Writer, cli *cliState) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if !cli.on.Load() {
			log.Raw("flowtapd: " + sc.Text())
		}
		if file != nil {
			io.WriteString(file, sc.Text()+"\n")
		}
	}
	io.Copy(io.Discard, r)
}
