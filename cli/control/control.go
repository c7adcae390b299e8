// Package control is the daemon's control socket: the `flowtap` client
// connects, says how it wants the session (dialect, terminal or not), and
// the daemon runs a CLI session over the connection. The same session
// code serves the console and SSH: the client only relays bytes.
package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/flowtap/flowtap/internal/accept"
)

// DefaultPath is where flowtapd listens (docs/architecture.md).
const DefaultPath = "/run/flowtap/control.sock"

// Hello is the first line a client sends, as JSON.
type Hello struct {
	Dialect     string `json:"dialect"`     // "ios" (default) or "junos"
	Interactive bool   `json:"interactive"` // a terminal: echo, editing, ?, Tab, paging
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	// Console says the client runs on the appliance's console line: the
	// daemon asks for a login there when `line con 0` has `login local`.
	Console bool `json:"console,omitempty"`
}

// MaxHello is the longest hello line, in bytes; a longer one is refused
// before it is buffered.
const MaxHello = 4096

// helloTimeout is how long a client may take to send its hello (the
// flowtap client sends it at once).
const helloTimeout = 30 * time.Second

// refusedHelloWait is how long a refused client's hello is waited for.
const refusedHelloWait = 2 * time.Second

// Terminal describes the session's terminal.
type Terminal struct {
	Interactive   bool
	Width, Height int
}

// Session runs one CLI session until the input ends or the user exits.
type Session interface {
	Serve(ctx context.Context, in io.Reader, out io.Writer, term Terminal) error
}

// Sessions makes a session for a hello (dialect, line); an unknown dialect
// is an error the client prints.
type Sessions func(h Hello) (Session, error)

// Server accepts control connections.
type Server struct {
	ln       net.Listener
	sessions Sessions
	log      *slog.Logger
	wg       sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{} // the sessions' connections, for Close
	closed bool
}

// Listen creates the socket (root only: the socket is the box's console)
// and serves sessions from it until Close.
func Listen(path string, sessions Sessions, log *slog.Logger) (*Server, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("control socket directory: %w", err)
	}
	os.Remove(path) // a stale socket from a daemon that died
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restrict %s: %w", path, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{ln: ln, sessions: sessions, log: log, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

func (s *Server) accept() {
	defer s.wg.Done()
	accept.Loop(s.ln, s.log, "control socket", func(c net.Conn) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			if why := refusePeer(c); why != "" {
				// The socket's mode is the first gate; this one holds
				// when the mode is not what Listen set (an operator's
				// chmod, a connect in the moment between bind and
				// chmod under a permissive umask): the session is the
				// box's console, privileged, so only root or the
				// daemon's own user may have one.
				s.log.Warn("control connection refused", "reason", why)
				// The hello is read first (briefly, bounded) so that
				// the client, which writes it before reading, is not
				// cut off by a broken pipe and prints the reason.
				c.SetReadDeadline(time.Now().Add(refusedHelloWait))
				bufio.NewReaderSize(c, MaxHello+1).ReadSlice('\n')
				fmt.Fprintf(c, "%% Control socket: %s\n", why)
				return
			}
			if !s.track(c) {
				return
			}
			defer s.untrack(c)
			if err := s.serve(c); err != nil {
				if peerGone(err) {
					// The operator's terminal closed (a window shut,
					// flowtap killed mid-screen): a vty that drops is no
					// warning on IOS, and the error is the kernel's.
					s.log.Debug("control session ended by the client", "err", err)
				} else {
					s.log.Warn("control session", "err", err)
				}
			}
		}()
	})
}

func (s *Server) serve(c net.Conn) error {
	// A client that connects and says nothing must not hold its
	// descriptor and goroutine for ever.
	c.SetReadDeadline(time.Now().Add(helloTimeout))
	r := bufio.NewReaderSize(c, MaxHello+1)
	line, err := r.ReadSlice('\n')
	c.SetReadDeadline(time.Time{})
	if errors.Is(err, bufio.ErrBufferFull) {
		fmt.Fprintf(c, "%% Control hello too long (max %d bytes)\n", MaxHello)
		return fmt.Errorf("hello longer than %d bytes", MaxHello)
	}
	if err != nil {
		return fmt.Errorf("read hello: %w", err)
	}
	var h Hello
	if err := json.Unmarshal(line, &h); err != nil {
		fmt.Fprintf(c, "%% bad control hello: %v\n", err)
		return fmt.Errorf("parse hello: %w", err)
	}
	if h.Dialect == "" {
		h.Dialect = "ios"
	}
	sess, err := s.sessions(h)
	if err != nil {
		fmt.Fprintf(c, "%% %v\n", err)
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return sess.Serve(ctx, r, c, Terminal{Interactive: h.Interactive, Width: h.Width, Height: h.Height})
}

// refusePeer says why the connecting process may not have a session:
// its user is neither root nor the daemon's. "" lets it in.
func refusePeer(c net.Conn) string {
	uid, pid, err := peerUser(c)
	if err != nil {
		return fmt.Sprintf("cannot tell who connected: %v", err)
	}
	if !trusted(uid) {
		return fmt.Sprintf("uid %d (pid %d) is not allowed a session", uid, pid)
	}
	return ""
}

// trusted: root, or the user this process runs as.
func trusted(uid uint32) bool { return uid == 0 || int(uid) == os.Geteuid() }

// peerUser is the user and process at the other end of a Unix socket
// (SO_PEERCRED: as they were at connect or listen).
func peerUser(c net.Conn) (uid uint32, pid int32, err error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, 0, fmt.Errorf("not a Unix socket: %T", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, 0, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, 0, err
	}
	if cerr != nil {
		return 0, 0, cerr
	}
	return cred.Uid, cred.Pid, nil
}

// peerGone reports whether err only says the client went away.
func peerGone(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// Close stops accepting and ends the sessions: each one's input ends, as
// if its client had hung up, so a command in progress finishes and its
// output is sent, and a session waiting for a line (the image's console
// always is) ends at once. Waiting for the clients to leave instead held
// flowtapd's orderly stop (SIGTERM, reload) for as long as anyone was
// logged in.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		if cr, ok := c.(interface{ CloseRead() error }); ok {
			cr.CloseRead()
		} else {
			c.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// Dial connects to the daemon and opens a session; the caller writes
// commands and reads the screen.
func Dial(path string, h Hello) (*net.UnixConn, error) {
	c, err := net.Dial("unix", path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("flowtapd is not running (no %s)", path)
		}
		// The socket a killed flowtapd left: the operator's question
		// is whether it runs, not what connect(2) said.
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("flowtapd is not running (nothing listens on %s, left by a daemon that stopped)", path)
		}
		return nil, fmt.Errorf("connect to flowtapd at %s: %w", path, err)
	}
	// What the operator types next may be a password: it goes only to a
	// listener that runs as root or as this user, not to a socket
	// someone else put at the path (a --control in a directory others
	// can write).
	if uid, pid, err := peerUser(c); err != nil || !trusted(uid) {
		c.Close()
		if err != nil {
			return nil, fmt.Errorf("connect to flowtapd at %s: cannot tell who listens: %w", path, err)
		}
		return nil, fmt.Errorf("%s is served by uid %d (pid %d), not by flowtapd: not connecting", path, uid, pid)
	}
	b, _ := json.Marshal(h)
	if _, err := c.Write(append(b, '\n')); err != nil {
		c.Close()
		return nil, fmt.Errorf("send hello: %w", err)
	}
	return c.(*net.UnixConn), nil
}
