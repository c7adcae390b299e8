package ios

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/control"
)

// TestErrorHabits: `?` in and after a word (the words a prefix may
// complete, sorted as IOS lists them), and the error lines an IOS operator knows by heart, at both
// prompts and from configuration mode: an ambiguous abbreviation (two
// spaces after the colon), an incomplete command, a lone word that is no
// command (IOS takes it for a host to telnet to), a bad word later in a
// line longer than the terminal (the caret counts from the prompt, so it
// wraps with the line) and a bad filter verb after a pipe; logout ends
// the session as exit does.
func TestErrorHabits(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, true)
	long := "show ip cache flow " + strings.Repeat("a", 70) + " b"
	got := transcript(s, `
c?
sh?
show?
show ip fl?
show ip flow ?
c
s
show
foo
foo bar
`+long+`
show ip flow export | inclde x
show running-config | include
configure terminal
do foo
do c
access-list 101 permit tcp host 192.0.2.100 host 198.51.100.200 range 1000 2000 bogus
exit
disable
foo
configure terminal
logout
`)
	goldenScreen(t, "habits-errors", got)
	if !s.ended {
		t.Error("logout did not end the session")
	}
}

// TestTerminalHabits: at a terminal 8 rows high, --More-- takes space (a
// page), Return (a line) and stops at any other key, which is not typed
// at the next prompt; `terminal history size 2` keeps show history and
// the arrows (and Ctrl-P) to the last two commands; configuration mode
// recalls its own lines, exec its own, as IOS keeps a history per mode; Ctrl-Z leaves
// configuration mode, Ctrl-C too with ^C; Tab completes a word only when
// one keyword fits; `terminal length 0` pages no more and `terminal no
// length` pages again at the terminal's length.
func TestTerminalHabits(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, true)
	keys := "show ip cache flow\r" + "\r" + " " + "x" +
		"terminal history size 2\r" + "show clock\r" + "show history\r" +
		"\x10\x10\x10\x1b[A\r" +
		"configure terminal\r" + "\x1a" + "configure terminal\r" + "interface eth1\r" + "\x03" +
		"configure terminal\r" + "\x1b[A\r" + "\x1a" + // config mode recalls its own lines

		"c\t\x15" + "sh\tcl\t\r" + // Tab: "sh" becomes "show ", "c" and "cl" (class-map, clock) stay
		"terminal length 0\r" + "show ip cache flow | include Total\r" +
		"terminal no length\r" + "terminal width 132\r" + "terminal no width\r" + "show ip cache flow\r" + "q" + "terminal length 0\r" + "terminal no history size\r" + "show history\r" +
		"exit\r"
	var out bytes.Buffer
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true, Width: 80, Height: 8}); err != nil {
		t.Fatal(err)
	}
	goldenScreen(t, "habits-terminal", strings.ReplaceAll(out.String(), "\r\n", "\n"))
}

// TestConfigHabits: `show running-config interface NAME` (IOS's header,
// the block, end), `write erase` and `erase startup-config` with IOS's
// warning and [confirm] (n keeps the startup-config), `copy
// running-config startup-config`'s question, `write terminal`, `do` from
// an interface, `end` and `exit` out of nested modes, and IOS's `_` in a
// filter's regular expression.
func TestConfigHabits(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1"}}
	s := NewSession(f, true)
	got := transcript(s, `
configure terminal
interface eth1
description uplink tap
do show running-config interface eth1
exit
interface eth2
end
show running-config interface ETH1
show running-config interface eth9
show running-config | include _tap
copy running-config startup-config
write terminal
configure terminal
line vty 0 4
exit
default interface eth1
do show running-config interface eth1
do show clock ?
no e?
archive
log config
exit
exit
policy-map P
class class-default
exit
end
`)
	goldenScreen(t, "habits-config", got)
	if f.saved != 1 {
		t.Errorf("saved %d times: want 1", f.saved)
	}
	// At a terminal: n keeps the startup-config, Return erases it.
	var out bytes.Buffer
	keys := "write erase\rn" + "erase startup-config\r\r" +
		"copy running-config startup-config\r\r" + "copy running-config startup-config\rflash:x\r" + "exit\r"
	if err := s.Serve(context.Background(), strings.NewReader(keys), &out, control.Terminal{Interactive: true, Width: 80, Height: 24}); err != nil {
		t.Fatal(err)
	}
	want := "\ntap1#write erase\nErasing the nvram filesystem will remove all configuration files! Continue? [confirm]\n" +
		"tap1#erase startup-config\nErasing the nvram filesystem will remove all configuration files! Continue? [confirm]\n" +
		"[OK]\nErase of nvram: complete\n" +
		"tap1#copy running-config startup-config\nDestination filename [startup-config]? \nBuilding configuration...\n[OK]\n" +
		"tap1#copy running-config startup-config\nDestination filename [startup-config]? flash:x\n" +
		"% flowtap keeps one saved configuration: the destination is startup-config\n" +
		"tap1#exit\n"
	if got := strings.ReplaceAll(out.String(), "\r\n", "\n"); got != want {
		t.Errorf("write erase at a terminal:\n%q\nwant\n%q", got, want)
	}
	if f.erased != 1 || f.saved != 2 {
		t.Errorf("erased %d times, saved %d: want 1 and 2", f.erased, f.saved)
	}
}
