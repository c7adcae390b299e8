package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestLoggerInitLog: every console line also goes to the init log with
// its wall-clock time and severity, those logged before the runtime
// directory existed included, for flowtapd's show logging.
func TestLoggerInitLog(t *testing.T) {
	var console bytes.Buffer
	l := newLogger(&console)
	at := time.Date(2026, 12, 6, 4, 27, 26, 123_000_000, time.UTC)
	l.now = func() time.Time { return at }
	l.Printf("starting (image-x)")
	path := filepath.Join(t.TempDir(), "init.log")
	l.attach(path)
	l.Warnf("config: warning: user %s has the built-in default password", "admin")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "2026-12-06T04:27:26.123Z 6 starting (image-x)\n" +
		"2026-12-06T04:27:26.123Z 4 config: warning: user admin has the built-in default password\n"
	if string(data) != want {
		t.Errorf("init log:\n%s\nwant:\n%s", data, want)
	}
	if !regexp.MustCompile(`(?m)^flowtapinit: \[ *\d+\.\d{3}\] starting \(image-x\)\nflowtapinit: \[ *\d+\.\d{3}\] config: warning: user admin`).Match(console.Bytes()) {
		t.Errorf("console:\n%s", console.String())
	}
}
