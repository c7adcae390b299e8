package hwtest

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/hwtest/vm"
)

// brokenFlowtapDisk is a disk that looks like the persistent one (an ext4
// superblock's magic and the FLOWTAP label) but does not mount: the rest
// of its superblock is zeroes, as after a failed write to the disk.
func brokenFlowtapDisk(t *testing.T) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "broken.img")
	b := make([]byte, 16<<20)
	binary.LittleEndian.PutUint16(b[1024+0x38:], 0xEF53)
	copy(b[1024+0x78:], "FLOWTAP")
	if err := os.WriteFile(img, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return img
}

// TestBootMessagesInShowLogging: flowtapinit's own boot lines reach `show
// logging` with their times, as a router's boot messages do, not only the
// console: here the disk labelled FLOWTAP that does not mount and the
// built-in default password's warning. And write memory says that the
// disk does not mount, not that there is no persistent disk.
func TestBootMessagesInShowLogging(t *testing.T) {
	c := vm.Image(t)
	c.Eth1Socket, c.Eth2Socket = vm.SocketsIn(vm.SocketDir(t))
	c.Disk = brokenFlowtapDisk(t)
	v := vm.Start(t, c)
	v.WaitReady(bootWait)
	if len(v.Lines(regexp.MustCompile(`flowtapinit: .* config: persistent disk /dev/vda \(ext4 "FLOWTAP"\) does not mount \(`))) == 0 {
		t.Errorf("the console does not say the FLOWTAP disk does not mount")
	}
	run := func(line string) string {
		t.Helper()
		off := v.Console.Len()
		v.Type(line + "\r")
		_, end := v.ExpectFrom(regexp.MustCompile(regexp.QuoteMeta(line)+`\r?\n`), off, consoleWait)
		m, stop := v.ExpectFrom(defaultPrompt, end, consoleWait)
		return strings.ReplaceAll(v.Console.Text()[end:stop-len(m[0])], "\r", "")
	}
	run("terminal length 0")
	logging := run("show logging")
	stamp := `\*?[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d(\.\d{3})?: `
	for _, want := range []string{
		stamp + `%FLOWTAPINIT-4-WARN: config: persistent disk /dev/vda \(ext4 "FLOWTAP"\) does not mount \(.*\): using the built-in default config`,
		stamp + `%FLOWTAPINIT-4-WARN: config: warning: user admin has the built-in default password`,
	} {
		if !regexp.MustCompile(want).MatchString(logging) {
			t.Errorf("show logging has no line matching %q:\n%s", want, logging)
		}
	}
	wm := run("write memory")
	if !regexp.MustCompile(`% Warning: persistent disk /dev/vda \(ext4 "FLOWTAP"\) does not mount \(.*\): the configuration was not saved`).MatchString(wm) ||
		strings.Contains(wm, "no persistent disk") || strings.Contains(wm, "[OK]") {
		t.Errorf("write memory with a FLOWTAP disk that does not mount:\n%s", wm)
	}
}
