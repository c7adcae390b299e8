package collector

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestNfcapdNoRotation: nfcapd rotates its file on wall-clock
// multiples of -t, and a test whose flows land in two files reads one of
// them as "No matching flows" (CI failed so at midnight with -t 3600).
// NfcapdArgs must put the next rotation beyond any test run.
func TestNfcapdNoRotation(t *testing.T) {
	args := NfcapdArgs(t.TempDir(), "127.0.0.1", 9995)
	if !slices.Contains(args, "-t") {
		t.Fatalf("nfcapd %v: no -t, so the default 300 s rotation", args)
	}
	tv := args[slices.Index(args, "-t")+1]
	iv, err := strconv.ParseInt(tv, 10, 32)
	if err != nil {
		t.Fatalf("-t %q is not an int nfcapd's atoi takes: %v", tv, err)
	}
	now := time.Now().Unix()
	next := time.Unix((now/iv+1)*iv, 0)
	if until := time.Until(next); until < 5*365*24*time.Hour {
		t.Errorf("nfcapd -t %s rotates next at %s, in %v", tv, next.UTC(), until.Round(time.Hour))
	}
}

// TestNfcapdOneFile: the real nfcapd takes NoRotation and Close finds the
// one file it wrote, which nfdump reads (as no flows, nothing being sent).
func TestNfcapdOneFile(t *testing.T) {
	n := StartNfcapd(t)
	files, logs := n.Close(t)
	if len(files) != 1 {
		t.Fatalf("nfcapd wrote %v; log:\n%s", files, logs)
	}
	if got := Nfdump(t, "-r", files[0]); len(got) != 0 {
		t.Errorf("nfdump read %v from an idle collector's file", got)
	}
}
