package control

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testproc"
)

// nobody is the unprivileged local user the test connects as.
const nobody = 65534

// TestPeerCredentials: a local user who is neither root nor the daemon's
// gets no session even when the socket's mode would let it connect (an
// operator's chmod 666 here; a connect between bind and chmod under a
// permissive umask is the same): the session is the console, privileged.
// Before, any process that could connect had the CLI. Root still has it.
func TestPeerCredentials(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test connects as another user: run it as root (make test does)")
	}
	// Not t.TempDir: its parent is root's alone, and nobody must reach
	// the socket and the binary.
	dir, err := os.MkdirTemp("", "control-peer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "control.sock")
	srv, err := Listen(path, func(h Hello) (Session, error) { return upper{h.Dialect}, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	// This test binary, where nobody can run it, dials as nobody
	// (TestPeerHelper).
	bin := copySelf(t, dir)
	cmd := exec.Command(bin, "-test.run=^TestPeerHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "CONTROL_PEER_SOCK="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := testproc.CombinedOutput(cmd)
	if err != nil {
		t.Fatalf("helper as nobody: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "SHOW PRIVILEGE") || !strings.Contains(string(out), "% Control socket: uid 65534 (pid ") {
		t.Errorf("nobody on a world-writable control socket:\n%s", out)
	}

	conn, err := Dial(path, Hello{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "show privilege\n")
	conn.CloseWrite()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, _ := io.ReadAll(conn); string(got) != "ios/false: SHOW PRIVILEGE\n" {
		t.Errorf("root: got %q", got)
	}
}

// TestDialRefusesForeignListener: a socket another user put at the
// control path (a --control in a directory others can write) gets no
// session from the client: Dial refuses it before the hello, so nothing
// the operator types reaches it. Before, the client talked to it.
func TestDialRefusesForeignListener(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test listens as another user: run it as root (make test does)")
	}
	dir, err := os.MkdirTemp("", "control-foreign-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	bin := copySelf(t, dir)
	path := filepath.Join(dir, "control.sock")
	cmd := exec.Command(bin, "-test.run=^TestPeerHelper$")
	cmd.Env = append(os.Environ(), "CONTROL_PEER_LISTEN="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := testproc.Start(cmd); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the helper never listened:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn, err := Dial(path, Hello{})
	if err == nil {
		conn.Close()
		t.Fatal("Dial talked to a socket uid 65534 listens on")
	}
	if !strings.Contains(err.Error(), "served by uid 65534") {
		t.Errorf("Dial's refusal: %v", err)
	}
}

// copySelf puts this test binary in dir, where another user can run it.
func copySelf(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "control.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestPeerHelper is the other user's side of TestPeerCredentials (a
// client) and TestDialRefusesForeignListener (a listener); it does
// nothing in a normal run.
func TestPeerHelper(t *testing.T) {
	if path := os.Getenv("CONTROL_PEER_LISTEN"); path != "" {
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		c, err := ln.Accept()
		if err == nil {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.ReadAll(c)
			c.Close()
		}
		return
	}
	path := os.Getenv("CONTROL_PEER_SOCK")
	if path == "" {
		t.Skip("run by TestPeerCredentials and TestDialRefusesForeignListener")
	}
	conn, err := Dial(path, Hello{Dialect: "ios"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "show privilege\n")
	conn.CloseWrite()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(conn)
	t.Logf("got %q", got)
	os.Stdout.Write(got)
}
