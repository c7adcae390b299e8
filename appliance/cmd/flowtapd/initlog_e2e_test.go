package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestInitLogInShowLogging: the image's init writes its boot messages
// (which disk, a disk that does not mount, the default password's
// warning) to a file as well as the console; the daemon started with
// --init-log shows them in `show logging` with their own times, before
// its own start-up lines, and the lines the init logs later (a DHCP
// renewal) as they come. A disk that is there but does not mount makes
// write memory say so, not "no persistent disk".
func TestInitLogInShowLogging(t *testing.T) {
	dir := t.TempDir()
	initLog := filepath.Join(dir, "init.log")
	boot := time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	why := `persistent disk /dev/vda (ext4 "FLOWTAP") does not mount (mount /dev/vda (ext4) on /var/flowtap: invalid argument)`
	lines := "" +
		boot.Format(time.RFC3339Nano) + " 6 starting (image-test)\n" +
		boot.Add(time.Second).Format(time.RFC3339Nano) + " 4 config: " + why + ": using the built-in default config\n" +
		"garbage that is not a line of the init log\n" +
		boot.Add(2*time.Second).Format(time.RFC3339Nano) + " 4 config: warning: user admin has the built-in default password\n"
	if err := os.WriteFile(initLog, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemonArgs(t, "hostname probe\nusername admin secret letmein\nservice timestamps log datetime msec\n", "--init-log", initLog,
		"--startup-volatile", "--startup-volatile-why="+why)
	out := d.cli(t, "ios", "show logging\n")
	want := []string{
		`\*Mar  4 05:06:07\.890: %FLOWTAPINIT-6-INFO: starting \(image-test\)`,
		`\*Mar  4 05:06:08\.890: %FLOWTAPINIT-4-WARN: config: ` + regexp.QuoteMeta(why) + `: using the built-in default config`,
		`\*Mar  4 05:06:09\.890: %FLOWTAPINIT-4-WARN: config: warning: user admin has the built-in default password`,
		`%FLOWTAP-6-INFO: flowtapd running`,
	}
	at := 0
	for _, w := range want {
		loc := regexp.MustCompile(w).FindStringIndex(out[at:])
		if loc == nil {
			t.Fatalf("show logging has no line %q after byte %d (in order):\n%s", w, at, out)
		}
		at += loc[1]
	}
	if strings.Contains(out, "garbage") {
		t.Errorf("show logging took a line that is not the init log's:\n%s", out)
	}

	// A line the init logs later comes in as it is written.
	f, err := os.OpenFile(initLog, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(-time.Second)
	f.WriteString(later.Format(time.RFC3339Nano) + " 6 network: eth0 DHCP: 10.77.0.52 renewed by server 10.77.0.1: lease 2m0s\n")
	f.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.cli(t, "ios", "show logging\n"), "%FLOWTAPINIT-6-INFO: network: eth0 DHCP: 10.77.0.52 renewed by server 10.77.0.1") {
		if time.Now().After(deadline) {
			t.Fatalf("an init log line appended after the start is not in show logging:\n%s", d.cli(t, "ios", "show logging\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}

	wm := d.cli(t, "ios", "write memory\n")
	if !strings.Contains(wm, "% Warning: "+why+": the configuration was not saved and is lost at reload") || strings.Contains(wm, "no persistent disk") || strings.Contains(wm, "[OK]") {
		t.Errorf("write memory with a disk that does not mount:\n%s", wm)
	}
}
