package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ConsoleReady starts the line flowtapinit prints when the console's CLI
// (or shell) is about to prompt; tests wait for it.
const ConsoleReady = "console ready"

// console runs the CLI on the console, a shell whenever the CLI exits,
// and the CLI again when the shell exits; only a shell when the image has
// no CLI.
func console(ctx context.Context, log *logger, s settings, cli *cliState) error {
	sock := filepath.Join(s.RunDir, "control.sock")
	if waitFile(sock, 15*time.Second) {
		log.Printf("daemon control socket %s is up", sock)
	} else {
		log.Printf("daemon control socket %s is not up after 15s: the CLI may not answer", sock)
	}
	_, err := os.Stat(s.CLI)
	haveCLI := err == nil
	prog := s.CLI
	if !haveCLI {
		log.Printf("no CLI at %s: the console runs a shell", s.CLI)
		prog = s.Shell
	}
	log.Printf("%s after %.3fs: %s", ConsoleReady, uptime(), prog)
	for ctx.Err() == nil {
		if haveCLI {
			cli.on.Store(true)
			err := runOnConsole(s.CLI, s.Console, "--console")
			cli.on.Store(false)
			log.Printf("CLI exited (%s): starting a shell; 'exit' returns to the CLI", exitReason(err))
		}
		start := time.Now()
		err := runOnConsole(s.Shell, s.Console)
		if !haveCLI {
			log.Printf("shell exited (%s): starting another", exitReason(err))
		}
		if time.Since(start) < time.Second {
			time.Sleep(time.Second) // no spinning when a program dies at once
		}
	}
	return ctx.Err()
}

// runOnConsole runs a program in its own session on a freshly opened
// console device as its controlling terminal (so that it gets ^C and job
// control), as getty does: the terminal is hung up when the session ends.
func runOnConsole(prog, dev string, args ...string) error {
	tty, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("open console %s: %w", dev, err)
	}
	defer tty.Close()
	cmd := exec.Command(prog, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.Env = os.Environ()
	if os.Getenv("TERM") == "" {
		cmd.Env = append(cmd.Env, "TERM=linux")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", prog, err)
	}
	return nil
}

func waitFile(path string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat(path); err == nil {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// consoleDevice is the kernel's primary console (the last of
// /sys/class/tty/console/active, ttyS0 under QEMU), /dev/console if unknown.
func consoleDevice() string {
	data, err := os.ReadFile("/sys/class/tty/console/active")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return "/dev/" + f[len(f)-1]
	}
	return "/dev/console"
}
