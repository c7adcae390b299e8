package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/cli/control"
)

// Restart waits: how long the console waits for a restarted flowtapd, and
// how long after a session ends it watches whether the daemon is exiting.
const (
	restartWait = 60 * time.Second
	exitWatch   = 500 * time.Millisecond
)

// consoleRelay is the console line: when the daemon dies under a session
// the console waits for the supervisor to restart it and opens a new
// session (which asks for a login again under `login local`) instead of
// ending, because what runs on the console after the CLI is a shell. A
// session that ends while its daemon lives (exit without login local)
// ends the CLI as before.
func consoleRelay(sock string, h control.Hello, conn *net.UnixConn, in io.Reader, out io.Writer) error {
	keys := make(chan []byte)
	go func() {
		defer close(keys)
		for {
			b := make([]byte, 256)
			n, err := in.Read(b)
			if n > 0 {
				keys <- b[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		pid := peerPID(conn)
		if !relay(conn, keys, out) {
			return nil // the input ended
		}
		conn.Close()
		// A daemon in an orderly stop (kill -TERM, reload) removes its
		// socket before it ends the sessions, then exports its flows for
		// longer than exitWatch: that is a stop too, not an exit.
		if pid <= 0 || !(socketGone(sock) || dying(pid)) {
			return nil
		}
		io.WriteString(out, "\r\n% flowtapd stopped: waiting for it to restart\r\n")
		var err error
		if conn, err = redial(sock, h, keys); err != nil {
			return err
		}
	}
}

// relay copies keys to the session and the session to out until the
// session ends (true) or the keys do (false).
func relay(conn *net.UnixConn, keys <-chan []byte, out io.Writer) bool {
	done := make(chan struct{})
	go func() {
		io.Copy(out, conn)
		close(done)
	}()
	for {
		select {
		case b, ok := <-keys:
			if !ok {
				conn.CloseWrite()
				<-done
				conn.Close()
				return false
			}
			conn.Write(b)
		case <-done:
			return true
		}
	}
}

// redial waits for the daemon's socket to answer again; keys typed
// meanwhile are dropped, as a console drops them when nothing reads.
func redial(sock string, h control.Hello, keys <-chan []byte) (*net.UnixConn, error) {
	deadline := time.Now().Add(restartWait)
	for {
		if c, err := control.Dial(sock, h); err == nil {
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("flowtapd did not come back within %v", restartWait)
		}
		wait := time.After(200 * time.Millisecond)
	drain:
		for {
			select {
			case _, ok := <-keys:
				if !ok {
					return nil, errors.New("the console input ended")
				}
			case <-wait:
				break drain
			}
		}
	}
}

// peerPID is the daemon's process at the other end of the socket.
func peerPID(c *net.UnixConn) int {
	raw, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	pid := 0
	raw.Control(func(fd uintptr) {
		if cred, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED); err == nil {
			pid = int(cred.Pid)
		}
	})
	return pid
}

// dying reports whether pid exits within exitWatch: a daemon's sockets
// close while it exits, a little before it is gone.
// socketGone reports whether the control socket's file is gone: the
// daemon has closed it to stop.
func socketGone(sock string) bool {
	_, err := os.Stat(sock)
	return errors.Is(err, fs.ErrNotExist)
}

func dying(pid int) bool {
	deadline := time.Now().Add(exitWatch)
	for {
		if errors.Is(unix.Kill(pid, 0), unix.ESRCH) {
			return true
		}
		// An exited process not yet reaped is a zombie: the state follows
		// the command name in parentheses in /proc/PID/stat.
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && (f[0] == "Z" || f[0] == "X") {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
