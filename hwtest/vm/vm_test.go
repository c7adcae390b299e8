package vm

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestArgs(t *testing.T) {
	c := Config{Kernel: "k", Initramfs: "i", SSHPort: 2222, SNMPPort: 1161, Eth1Socket: "/s/eth1.sock", Disk: "d.img"}
	a := strings.Join(c.Args(), " ")
	for _, want := range []string{
		"-accel tcg", "-kernel k -initrd i",
		"hostfwd=tcp:127.0.0.1:2222-:22", "hostfwd=udp:127.0.0.1:1161-:161",
		"virtio-net-pci,netdev=mgmt,addr=0x3", "stream,id=mon1,server=on,addr.type=unix,addr.path=/s/eth1.sock",
		"virtio-net-pci,netdev=mon1,addr=0x4", "user,id=mon2,restrict=on", "virtio-net-pci,netdev=mon2,addr=0x5",
		"file=d.img,if=virtio,format=raw", "-serial stdio",
		"flowtap.mgmt=" + DefaultMgmt,
	} {
		if !strings.Contains(a, want) {
			t.Errorf("QEMU command line lacks %q:\n%s", want, a)
		}
	}
	if strings.Contains(a, "kvm") {
		t.Errorf("QEMU command line asks for KVM: %s", a)
	}
}

func TestShellQuote(t *testing.T) {
	got := ShellQuote([]string{"qemu", "-append", "console=ttyS0 quiet", "it's"})
	if want := `qemu -append 'console=ttyS0 quiet' 'it'\''s'`; got != want {
		t.Errorf("ShellQuote = %s, want %s", got, want)
	}
}

func TestConsoleExpect(t *testing.T) {
	var logged []string
	c := newConsole(time.Now(), func(f string, a ...any) { logged = append(logged, f) })
	go func() {
		c.write([]byte("flowtapinit: [   9.760] console ready after 9.760s: /bin/f"))
		time.Sleep(10 * time.Millisecond)
		c.write([]byte("lowtap\r\nflowtap# "))
	}()
	m, off, err := c.Expect(ConsoleReady, 0, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m[2] != "/bin/flowtap" {
		t.Errorf("program %q, want /bin/flowtap (a line is matched once complete)", m[2])
	}
	if _, _, err := c.Expect(Prompt, off, 5*time.Second); err != nil {
		t.Error(err)
	}
	if _, _, err := c.Expect(regexp.MustCompile("never"), 0, 50*time.Millisecond); err == nil {
		t.Error("Expect of text never printed: no error")
	}
}

func TestPrompt(t *testing.T) {
	for s, want := range map[string]bool{
		"flowtap# ": true, "Router>": true, "$ ": true, "/# ": true,
		"flowtapd: eth1 attached (tried: x) #": false, "no prompt here": false,
	} {
		if got := Prompt.MatchString(s); got != want {
			t.Errorf("Prompt matches %q: %v, want %v", s, got, want)
		}
	}
}

func TestConsoleHoldsLinesWithoutLog(t *testing.T) {
	var logged []string
	logf := func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }
	c := newConsole(time.Now(), logf)
	c.write([]byte("one\n"))
	c.SetLog(nil)
	c.write([]byte("two\nthree\n"))
	if len(logged) != 1 {
		t.Fatalf("logged %q while no log was set", logged)
	}
	c.SetLog(logf)
	c.write([]byte("four\n"))
	want := []string{"one", "console: 2 lines", "two", "three", "four"}
	if len(logged) != len(want) {
		t.Fatalf("logged %q, want lines ending in %q", logged, want)
	}
	for i, w := range want {
		if !strings.Contains(logged[i], w) {
			t.Errorf("log line %d is %q, want it to hold %q", i, logged[i], w)
		}
	}
}
