package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/cli/control"
)

// manyLines answers any command with more output than a pipe holds.
type manyLines struct{}

func (manyLines) Serve(_ context.Context, in io.Reader, out io.Writer, _ control.Terminal) error {
	io.Copy(io.Discard, in)
	for i := 0; i < 20000; i++ {
		if _, err := fmt.Fprintf(out, "line %d of a long screen\n", i); err != nil {
			return nil
		}
	}
	return nil
}

// TestReaderLeavesQuietly: `flowtap -c "show ..." | head` is an
// operator's everyday filter; when the reader leaves, flowtap stops
// without an error of its own (it printed "write /dev/stdout: splice:
// broken pipe" and exited 1).
func TestReaderLeavesQuietly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "control.sock")
	srv, err := control.Listen(path, func(control.Hello) (control.Session, error) { return manyLines{}, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader has gone before the output comes
	defer w.Close()
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := run([]string{"-socket", path, "-c", "show ip cache flow"}, stdin, w); err != nil {
		t.Errorf("flowtap with its reader gone: %v, want a quiet end", err)
	}
}

// TestFlagHelpNamesArguments: -help prints a backquoted word of a usage
// as the flag's argument, so only argument names may be backquoted (the
// console flag, a switch, printed "-console line con 0").
func TestFlagHelpNamesArguments(t *testing.T) {
	var o options
	flagSet(&o).VisitAll(func(f *flag.Flag) {
		name, _ := flag.UnquoteUsage(f)
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() && name != "" {
			t.Errorf("-help shows the switch -%s with an argument %q", f.Name, name)
		}
		if strings.ContainsAny(name, " :%") {
			t.Errorf("-help shows -%s's argument as %q", f.Name, name)
		}
	})
}
