package accept

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
)

// TestLoopSurvivesEMFILE: with the process out of file descriptors the
// loop logs, backs off and keeps going; the connections that waited are
// served once descriptors are free, and closing the listener ends it.
func TestLoopSurvivesEMFILE(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var clients []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String()) // waits in the backlog
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	// Lower the limit to what is open now, then fill the table.
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	lim := old
	lim.Cur = 256
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
	var fill []*os.File
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			break
		}
		fill = append(fill, f)
	}
	var log syncbuf.Buffer
	served := make(chan net.Conn, 3)
	done := make(chan struct{})
	go func() {
		Loop(ln, slog.New(slog.NewTextHandler(&log, nil)), "test", func(c net.Conn) { served <- c })
		close(done)
	}()
	time.Sleep(100 * time.Millisecond) // a few failed accepts
	for _, f := range fill {
		f.Close()
	}
	for range 3 {
		select {
		case c := <-served:
			c.Close()
		case <-time.After(20 * time.Second):
			t.Fatalf("a waiting connection was not served after descriptors were freed; log:\n%s", log.String())
		}
	}
	for _, w := range []string{"test cannot accept: backing off", "too many open files", "test accepting again"} {
		if !bytes.Contains([]byte(log.String()), []byte(w)) {
			t.Errorf("log lacks %q:\n%s", w, log.String())
		}
	}
	ln.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("closing the listener did not end the loop")
	}
}
