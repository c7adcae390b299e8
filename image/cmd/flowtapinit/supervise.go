package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
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

// supervise runs the daemon for ever, restarting it with backoff when it
// exits, and copies its output to the console ("flowtapd: " lines) and to
// /var/log/flowtapd.log.
func supervise(ctx context.Context, log *logger, newCmd func() *exec.Cmd) {
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
			copyLines(log, r, logFile)
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

// copyLines writes each line of r to the console as "flowtapd: line" and,
// when file is not nil, to file.
func copyLines(log *logger, r io.Reader, file io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		log.Raw("flowtapd: " + sc.Text())
		if file != nil {
			io.WriteString(file, sc.Text()+"\n")
		}
	}
	io.Copy(io.Discard, r)
}
