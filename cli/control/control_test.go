package control

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
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
