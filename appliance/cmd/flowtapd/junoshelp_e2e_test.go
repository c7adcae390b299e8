package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/cli/control"
)

// TestJunOSQuestionMark: `?` typed in an interactive JunOS session of the
// real daemon lists the configuration grammar's statements with their
// descriptions, at the edit level too, rollback's configurations with
// their commit times, and the operational commands',
// with the box's links where an interface name goes.
func TestJunOSQuestionMark(t *testing.T) {
	d := startDaemon(t, "hostname qtap\nusername admin secret letmein\n")
	conn, err := control.Dial(filepath.Join(d.dir, "control.sock"), control.Hello{Dialect: "junos", Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "show services accounting ?\x15show interfaces lo?\x15configure\rrollback ?\x15"+
		"set forwarding-options sampling ?\x15edit firewall family inet filter F term T\rset from ?\x15"+
		"set frob\rexit configuration-mode\rexit\r")
	conn.CloseWrite()
	b, _ := io.ReadAll(conn)
	conn.Close()
	screen := strings.ReplaceAll(string(b), "\r\n", "\n")
	for _, want := range []string{
		"Possible completions:\n  aggregation          Show aggregation information\n  errors               Show error information\n",
		"Possible completions:\n  apply-groups         Groups from which to inherit configuration data\n  apply-groups-except  Don't inherit configuration data from these groups\n  family               Protocol family\n  input                Setting for packet sampling\n" +
			"  instance             Sampling instance (flowtap takes one)\n" +
			"  output               Setting for sampling output\n  overload-protection  Sample fewer flows while the meter is overloaded (flowtap)\n",
		"[edit firewall family inet filter F term T]\n",
		// An interface name's start: the box's links it begins.
		"Possible completions:\n  lo\n",
		"Possible completions:\n  apply-groups         Groups from which to inherit configuration data\n  apply-groups-except  Don't inherit configuration data from these groups\n  destination-address  Match IP destination address\n",
		"  tcp-initial          Match initial packet of a TCP connection\n",
		// rollback ?: the configurations it can load, with when each
		// was committed (the boot's is rollback 0).
		"rollback ?\nPossible completions:\n  <[Enter]>            Execute this command\n  0                    20",
		// A bad word: the statement with the edit level, the caret under it.
		"set firewall family inet filter F term T frob\n" + strings.Repeat(" ", 41) + "^\nsyntax error.\n",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("the session lacks\n%s\nin\n%s", want, screen)
		}
	}
}
