package control

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// upper is a session that answers each line in capitals, prefixed with
// the dialect and terminal it was given.
type upper struct{ dialect string }

func (u upper) Serve(_ context.Context, in io.Reader, out io.Writer, term Terminal) error {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		fmt.Fprintf(out, "%s/%v: %s\n", u.dialect, term.Interactive, strings.ToUpper(sc.Text()))
	}
	return nil
}

func TestSessionOverSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	srv, err := Listen(path, func(h Hello) (Session, error) {
		d := h.Dialect
		if d != "ios" && d != "junos" {
			return nil, fmt.Errorf("unknown dialect %q", d)
		}
		return upper{d}, nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, c := range []struct {
		hello Hello
		in    string
		want  string
	}{
		{Hello{}, "show version\nshow clock\n", "ios/false: SHOW VERSION\nios/false: SHOW CLOCK\n"},
		{Hello{Dialect: "junos", Interactive: true}, "show services accounting flow\n", "junos/true: SHOW SERVICES ACCOUNTING FLOW\n"},
		{Hello{Dialect: "cisco-nxos"}, "", "% unknown dialect \"cisco-nxos\"\n"},
	} {
		conn, err := Dial(path, c.hello)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, c.in)
		conn.CloseWrite()
		got, _ := io.ReadAll(conn)
		conn.Close()
		if string(got) != c.want {
			t.Errorf("%+v: got %q, want %q", c.hello, got, c.want)
		}
	}
	if _, err := Dial(filepath.Join(t.TempDir(), "none.sock"), Hello{}); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("dial without a daemon: %v", err)
	}
}

// TestHelloTooLong: a 100 MB hello is refused with a message after at
// most MaxHello bytes are read; the server's memory does not follow it.
func TestHelloTooLong(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	srv, err := Listen(path, func(h Hello) (Session, error) { return upper{h.Dialect}, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	go func() {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range (100 << 20) / len(chunk) {
			if _, err := c.Write(chunk); err != nil {
				return // the server hung up: expected
			}
		}
	}()
	reply, _ := bufio.NewReader(c).ReadString('\n')
	runtime.ReadMemStats(&after)
	if reply != "% Control hello too long (max 4096 bytes)\n" {
		t.Fatalf("reply %q", reply)
	}
	grew := int64(after.TotalAlloc - before.TotalAlloc)
	t.Logf("FIGURE control hello of 100 MB: %d bytes allocated while refusing it", grew)
	if grew > 16<<20 {
		t.Errorf("refusing the hello allocated %d bytes", grew)
	}
}

// screenful writes a long screen, as `show ip cache verbose flow` does,
// and returns what the connection says when the client is gone.
type screenful struct{}

func (screenful) Serve(_ context.Context, in io.Reader, out io.Writer, _ Terminal) error {
	bufio.NewReader(in).ReadString('\n')
	line := strings.Repeat("x", 79) + "\n"
	for range 1 << 16 {
		if _, err := io.WriteString(out, line); err != nil {
			return err
		}
	}
	_, err := in.Read(make([]byte, 1))
	return err
}

// TestClientGoneIsNoWarning: an operator who closes the terminal while a
// long screen streams ends the session; the server logs no warning with
// the kernel's "connection reset by peer" (it reached show logging and
// the syslog hosts as %FLOWTAP-4-WARN).
func TestClientGoneIsNoWarning(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	path := filepath.Join(t.TempDir(), "control.sock")
	srv, err := Listen(path, func(Hello) (Session, error) { return screenful{}, nil }, log)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := Dial(path, Hello{})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "show ip cache verbose flow\n")
	buf := make([]byte, 4096)
	io.ReadFull(conn, buf) // the screen has begun
	conn.Close()           // unread data: the kernel resets the connection
	srv.Close()            // waits for the session to end
	if got := logs.String(); got != "" {
		t.Errorf("a client that left was logged:\n%s", got)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCloseEndsSessions: Close returns while a client is connected and
// idle at its prompt (the image's console always is), ending the session
// as if the client had hung up; a command in progress still sends its
// output. Before, Close waited for every client to leave, and flowtapd's
// orderly stop (kill -TERM, reload) hung behind the console.
func TestCloseEndsSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	srv, err := Listen(path, func(h Hello) (Session, error) { return upper{h.Dialect}, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := Dial(path, Hello{Interactive: true, Console: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "show clock\n")
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || line != "ios/true: SHOW CLOCK\n" {
		t.Fatalf("before Close: %q, %v", line, err)
	}
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close still waits for an idle session 30 s on")
	}
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Errorf("after Close the client reads %q, %v; want the end of the session", rest, err)
	}
	if _, err := Dial(path, Hello{}); err == nil {
		t.Errorf("a client connects after Close")
	}
}

// A socket file nobody listens on (a killed flowtapd's) is "not running",
// not connect(2)'s "connection refused".
func TestDialStaleSocketSaysNotRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	_, err = Dial(path, Hello{})
	if err == nil || !strings.Contains(err.Error(), "flowtapd is not running") || strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Dial to a stale socket: %v", err)
	}
}
