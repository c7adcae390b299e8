package main

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
)

// TestTapBiflowTimesInNfdump: nfdump reads a biflow destination's
// records at their own (forward) times: a conversation at its
// initiator's first packet, not its responder's, and a direction that
// went out alone at its own, not in 1970 (the reverse times, zero).
func TestTapBiflowTimesInNfdump(t *testing.T) {
	v := testnet.Enter(t)
	_, srcB := v.AddPair(t, "vmonb", "vsrcb")
	b := *v
	b.SrcIndex = srcB
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname tapnfd
username admin privilege 15 secret letmein
flowtap tap uplink
 fibre a %s
 fibre b vmonb
!
ip flow-export version ipfix
ip flow-export destination %s %d biflow
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	d.waitMeteringN(t, v.Mon, 1)
	d.waitMeteringN(t, "vmonb", 1)
	// The meter's stamps are a millisecond tick off the monotonic clock,
	// converted to wall time: they may read a few ms before time.Now.
	began := time.Now().Add(-50 * time.Millisecond)
	v.Send(t, [][]byte{udpBetween([4]byte{10, 8, 0, 1}, [4]byte{192, 0, 2, 9}, 4000, 53)})
	time.Sleep(300 * time.Millisecond)
	answered := time.Now().Add(-100 * time.Millisecond) // the initiator's is well before
	b.Send(t, [][]byte{udpBetween([4]byte{192, 0, 2, 9}, [4]byte{10, 8, 0, 1}, 53, 4000)})
	v.Send(t, udpFrames([4]byte{10, 8, 0, 7}, 4000, 2)) // no answer: alone
	time.Sleep(200 * time.Millisecond)
	d.stop(t, syscall.SIGTERM)
	files, _ := capd.Close(t)
	rows := nfdumpRows(t, files, "%ts|%sa|%pkt|%opkt")
	slices.Sort(rows)
	if len(rows) != 2 {
		t.Fatalf("nfdump rows %q, want the conversation and the lone direction", rows)
	}
	for _, row := range rows {
		f := strings.Split(row, "|") // nfdumpRows splits the date from the time too
		if len(f) != 5 {
			t.Fatalf("nfdump row %q", row)
		}
		ts, err := time.ParseInLocation("2006-01-02 15:04:05.000", f[0]+" "+f[1], time.Local)
		f = f[1:]
		if err != nil {
			t.Fatalf("%q: %v", row, err)
		}
		switch {
		case f[1] == "10.8.0.1" && strings.Join(f[2:], "|") == "1|1":
			if ts.Before(began) || !ts.Before(answered) {
				t.Errorf("%q: the conversation begins at %v, want its initiator's first packet (%v, before the answer at %v)", row, ts, began, answered)
			}
		case f[1] == "10.8.0.7" && strings.Join(f[2:], "|") == "2|0":
			if ts.Before(began) {
				t.Errorf("%q: the lone direction begins at %v, want its own first packet (after %v)", row, ts, began)
			}
		default:
			t.Errorf("unexpected row %q", row)
		}
	}
}
