// Command flowtap is the appliance's CLI client: interactive with no
// arguments, `flowtap -c "show ip cache flow"` for one command, and reading
// commands from stdin when it is not a terminal. The session itself runs in
// flowtapd; this program relays bytes over the control socket.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/flowtap/flowtap/cli/control"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "flowtap:", err)
		os.Exit(1)
	}
}

// options are flowtap's flags.
type options struct {
	cmds, sock     string
	junos, console bool
}

// flagSet declares flowtap's flags into o. A word in backquotes in a
// usage is what -help prints as the flag's argument (flag.UnquoteUsage),
// so backquotes name arguments only; IOS commands are in double quotes.
func flagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("flowtap", flag.ContinueOnError)
	fs.StringVar(&o.cmds, "c", "", "run these `COMMANDS` (one per line) and exit")
	fs.BoolVar(&o.junos, "junos", false, "use the JunOS dialect")
	fs.BoolVar(&o.console, "console", false, "run as the console line (flowtapd asks for a login under \"line con 0\" / \"login local\")")
	fs.StringVar(&o.sock, "socket", control.DefaultPath, "flowtapd control `SOCKET`")
	return fs
}

func run(args []string, stdin *os.File, stdout io.Writer) error {
	var o options
	if err := flagSet(&o).Parse(args); err != nil {
		return err
	}
	h := control.Hello{Dialect: "ios", Console: o.console}
	if o.junos {
		h.Dialect = "junos"
	}
	interactive := o.cmds == "" && term.IsTerminal(int(stdin.Fd()))
	if interactive {
		h.Interactive = true
		h.Width, h.Height, _ = term.GetSize(int(stdin.Fd()))
	}
	conn, err := control.Dial(o.sock, h)
	if err != nil {
		return err
	}
	defer conn.Close()

	if interactive {
		old, err := term.MakeRaw(int(stdin.Fd()))
		if err != nil {
			return fmt.Errorf("terminal raw mode: %w", err)
		}
		defer term.Restore(int(stdin.Fd()), old)
	}
	var in io.Reader = stdin
	if o.cmds != "" {
		in = strings.NewReader(o.cmds + "\n")
	}
	if o.console {
		return consoleRelay(o.sock, h, conn, in, stdout)
	}
	done := make(chan struct{})
	go func() {
		io.Copy(conn, in)
		if !interactive {
			conn.CloseWrite() // end of commands: the session ends after them
		}
		close(done)
	}()
	_, err = io.Copy(stdout, conn)
	if errors.Is(err, syscall.EPIPE) {
		// The reader of the output left (flowtap -c ... | head): as any
		// filter, stop quietly; the session ends with the connection.
		return nil
	}
	return err
}
