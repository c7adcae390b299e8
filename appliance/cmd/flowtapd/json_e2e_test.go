package main

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestJSONOverControlSocket asks a running flowtapd for `show ip flow
// export | json` and the text screen and checks both name the same
// destination and counters; and the JunOS `| display json` the same way.
func TestJSONOverControlSocket(t *testing.T) {
	v := testnet.Enter(t)
	// A listening collector, so the export is not refused by ICMP.
	coll, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	host, port, _ := net.SplitHostPort(coll.LocalAddr().String())
	d := startDaemon(t, fmt.Sprintf("hostname jsontap\nusername admin secret letmein\nip flow-export version 9\nip flow-export destination %s %s\ninterface %s\n ip flow ingress\n!\n", host, port, v.Mon))

	// Meter 8 frames in two flows, then wait until the datapath counted
	// them all and export them.
	var frames [][]byte
	for i := 0; i < 5; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, 1}, 4000, 10))
	}
	for i := 0; i < 3; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, 2}, 5000, 100))
	}
	v.Send(t, frames)
	var dp map[string]any
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out := d.cli(t, "ios", "show ip flow datapath | json\n")
		dp = nil
		if err := json.Unmarshal([]byte(out), &dp); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if dp["metered_packets"] == 8.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("datapath never metered 8 frames: %v", dp)
		}
	}
	dtext := d.cli(t, "ios", "show ip flow datapath\n")
	if want := fmt.Sprintf("%v frames seen (%v bytes)", dp["frames"], dp["frame_bytes"]); !strings.Contains(dtext, want) {
		t.Errorf("datapath text lacks %q:\n%s", want, dtext)
	}
	if dp["frames"] != 8.0 {
		t.Errorf("frames = %v, want 8", dp["frames"])
	}
	d.cli(t, "ios", "clear mls netflow\n")
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(d.cli(t, "ios", "show ip flow export\n"), "2 flows exported"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the 2 flows were never exported:\n%s", d.cli(t, "ios", "show ip flow export\n"))
		}
	}

	out := d.cli(t, "ios", "show ip flow export | json\n")
	text := d.cli(t, "ios", "show ip flow export\n")
	t.Logf("json:\n%s\ntext:\n%s", out, text)
	var ex struct {
		Version int
		Table   struct {
			Destinations []struct {
				Collector                string
				Packets, Records, Errors uint64
			} `json:"ROW_destination"`
		} `json:"TABLE_destination"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &ex); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if ex.Version != 9 || len(ex.Table.Destinations) != 1 || ex.Table.Destinations[0].Collector != net.JoinHostPort(host, port) || ex.Table.Destinations[0].Records != 2 {
		t.Fatalf("json = %+v", ex)
	}
	dst := ex.Table.Destinations[0]
	for _, want := range []string{
		fmt.Sprintf("Destination(1)  %s (%s)", host, port),
		fmt.Sprintf("%d flows exported in %d udp datagrams", dst.Records, dst.Packets),
		fmt.Sprintf("%d export packets were dropped due to send errors", dst.Errors),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text screen lacks %q", want)
		}
	}

	jout := d.cli(t, "junos", "show services accounting flow | display json\n")
	jtext := d.cli(t, "junos", "show services accounting flow\n")
	t.Logf("json:\n%s\ntext:\n%s", jout, jtext)
	var a map[string]uint64
	if err := json.Unmarshal([]byte(jout[strings.Index(jout, "{"):]), &a); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, jout)
	}
	if a["flows_exported"] != 2 || a["total_flows"] != 2 || a["flow_packets"] != 8 {
		t.Errorf("accounting json = %v", a)
	}
	if want := fmt.Sprintf("Flow packets: %d, Flow bytes: %d", a["flow_packets"], a["flow_bytes"]); !strings.Contains(jtext, want) {
		t.Errorf("text screen lacks %q", want)
	}
	if want := fmt.Sprintf("Active flows: %d, Total flows: %d", a["active_flows"], a["total_flows"]); !strings.Contains(jtext, want) {
		t.Errorf("text screen lacks %q", want)
	}
	if want := fmt.Sprintf("Flows exported: %d, Flows packets exported: %d", a["flows_exported"], a["flows_packets_exported"]); !strings.Contains(jtext, want) {
		t.Errorf("text screen lacks %q", want)
	}
}
