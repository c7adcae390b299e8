// Command flowtap is the appliance's CLI client: interactive with no
// arguments, `flowtap -c "show ip cache flow"` for one command, and reading
// commands from stdin when it is not a terminal. The session itself runs in
// flowtapd; this program relays bytes over the control socket.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/flowtap/flowtap/cli/control"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "flowtap:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin *os.File, stdout io.Writer) error {
	fs := flag.NewFlagSet("flowtap", flag.ContinueOnError)
	cmds := fs.String("c", "", "run these commands (one per line) and exit")
	junos := fs.Bool("junos", false, "use the JunOS dialect")
	console := fs.Bool("console", false, "run as the console line (flowtapd asks for a login under `line con 0` / `login local`)")
	sock := fs.String("socket", control.DefaultPath, "flowtapd control socket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h := control.Hello{Dialect: "ios", Console: *console}
	if *junos {
		h.Dialect = "junos"
	}
	interactive := *cmds == "" && term.IsTerminal(int(stdin.Fd()))
	if interactive {
		h.Interactive = true
		h.Width, h.Height, _ = term.GetSize(int(stdin.Fd()))
	}
	conn, err := control.Dial(*sock, h)
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
	if *cmds != "" {
		in = strings.NewReader(*cmds + "\n")
	}
	if *console {
		return consoleRelay(*sock, h, conn, in, stdout)
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
	return err
}
