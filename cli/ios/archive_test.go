package ios

import (
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestConfigLogger: nothing is logged until `archive` / ` log config` /
// `  logging enable`, as on IOS; then `show archive log config all` lists
// each accepted command with its session, user and line, sub-mode
// commands indented and secrets masked; syslog hears of them only with
// `notify syslog`; `logging size` keeps the newest.
func TestConfigLogger(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s, log := vtySession(f, "admin", 15)
	transcript(s, `
clear ip flow stats
configure terminal
hostname tap2
archive
 log config
  logging enable
  hidekeys
interface eth1
 ip flow ingress
 bogus words
username oper secret 0 operpass
end
clear ip flow stats`)
	if strings.Contains(log.String(), "CFGLOG") {
		t.Errorf("syslog heard of commands without notify syslog:\n%s", log.String())
	}
	other, _ := vtySession(f, "oper", 15)
	transcript(other, "configure terminal\narchive\nlog config\nnotify syslog\nend")
	got := transcript(s, "show archive log config all")
	want := `tap2#show archive log config all
 idx   sess           user@line      Logged command
    1      1             admin@vty0  |  logging enable
    2      1             admin@vty0  |  hidekeys
    3      1             admin@vty0  |interface eth1
    4      1             admin@vty0  | ip flow ingress
    5      1             admin@vty0  |username oper secret *****
    6      1             admin@vty0  |end
    7      1             admin@vty0  |clear ip flow stats
    8      2              oper@vty0  |configure terminal
    9      2              oper@vty0  |archive
   10      2              oper@vty0  | log config
   11      2              oper@vty0  |  notify syslog
   12      2              oper@vty0  |end
   13      1             admin@vty0  |show archive log config all
`
	if got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(log.String(), "%PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:show archive log config all") {
		t.Errorf("with notify syslog the command was not logged:\n%s", log.String())
	}
	if strings.Contains(log.String()+got, "operpass") {
		t.Error("a secret reached a log")
	}

	transcript(s, "configure terminal\narchive\nlog config\nlogging size 2\nend")
	got = transcript(s, "show archive log config all")
	want = `tap2#show archive log config all
 idx   sess           user@line      Logged command
   18      1             admin@vty0  |end
   19      1             admin@vty0  |show archive log config all
`
	if got != want {
		t.Errorf("after logging size 2:\n%s\nwant:\n%s", got, want)
	}

	// One record, a range, one user's (oper's were dropped for size);
	// clear empties it and numbering goes on.
	transcript(s, "configure terminal\narchive\nlog config\nlogging size 10\nend")
	got = transcript(s, "show archive log config 21 22\nshow archive log config 24\nshow archive log config user oper\nclear archive log config\nshow archive log config all")
	want = `tap2#show archive log config 21 22
 idx   sess           user@line      Logged command
   21      1             admin@vty0  |archive
   22      1             admin@vty0  | log config
tap2#show archive log config 24
 idx   sess           user@line      Logged command
   24      1             admin@vty0  |end
tap2#show archive log config user oper
 idx   sess           user@line      Logged command
tap2#clear archive log config
tap2#show archive log config all
 idx   sess           user@line      Logged command
   29      1             admin@vty0  |show archive log config all
`
	if got != want {
		t.Errorf("selections:\n%s\nwant:\n%s", got, want)
	}
}
