package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// seedJunOSFile is the NANOG39 seed's JunOS 8.x cflowd configuration as
// the issue describes it: interfaces, a catch-all firewall filter that
// samples, sampling input family inet at rate 1 with a 5000 pps cap, a
// cflowd v5 server and the services PIC whose address sources the
// export. PORT, COLLECTOR and CPORT are filled in by the test: the
// Ethernet port becomes the test's veth, the collector a local nfcapd.
// The cfgfile package's unit test loads the same file.
const seedJunOSFile = "../../../testdata/configs/seed-junos.conf"

// TestSeedJunOSExportsEveryPacket: the seed's brace configuration, pasted
// into `load override terminal` and committed, loads with no error (the
// IOS-only login survives the override), and at rate 1 every packet sent
// to the port reaches the v5 collector.
func TestSeedJunOSExportsEveryPacket(t *testing.T) {
	v := testnet.Enter(t)
	// The services PIC's source-address must be local for the export
	// socket to bind to it.
	if out, err := testproc.CombinedOutput(exec.Command("ip", "addr", "add", "192.0.2.1/32", "dev", "lo")); err != nil {
		t.Fatalf("ip addr add: %v\n%s", err, out)
	}
	seed, err := os.ReadFile(seedJunOSFile)
	if err != nil {
		t.Fatal(err)
	}
	capd := collector.StartNfcapd(t)
	cfg := strings.NewReplacer("PORT", v.Mon, "COLLECTOR", capd.Addr.Addr().String(), "CPORT", fmt.Sprint(capd.Addr.Port())).Replace(string(seed))
	d := startDaemon(t, "hostname e2e\nusername admin privilege 15 secret letmein\n")
	out := d.cli(t, "junos", "configure\nload override terminal\n"+cfg+"\x04\ncommit and-quit\n")
	if !strings.Contains(out, "\nload complete\n") || !strings.Contains(out, "commit complete") || strings.Contains(out, "error") {
		t.Fatalf("the seed did not load and commit cleanly:\n%s", out)
	}
	if run := d.cli(t, "ios", "show running-config | include username\n"); !strings.Contains(run, "username admin") {
		t.Errorf("load override dropped the IOS-only login: %q", run)
	}
	run := d.cli(t, "junos", "show configuration | display set\n")
	for _, want := range []string{"set forwarding-options sampling input rate 1\n", "filter catch_all term default then sample"} {
		if !strings.Contains(run, want) {
			t.Errorf("running configuration lacks %q:\n%s", want, run)
		}
	}

	const n = 300
	var frames [][]byte
	for i := 0; i < n; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 0, byte(1 + i%3)}, uint16(4000+i%3), 10))
	}
	v.Send(t, frames)
	time.Sleep(500 * time.Millisecond)
	// Stopping exports every flow in the cache.
	d.stop(t, os.Interrupt)
	files, logs := capd.Close(t)
	if len(files) == 0 {
		t.Fatalf("nfcapd wrote no file; log:\n%s", logs)
	}
	got := collector.Tuples{}
	for _, f := range files {
		for k, c := range collector.Nfdump(t, "-r", f) {
			got.Add(k, c.Packets, c.Bytes)
		}
		// %ra is the exporter's address: the services PIC's.
		out, err := testproc.Output(exec.Command("nfdump", "-r", f, "-q", "-o", "fmt:%ra"))
		if err != nil {
			t.Fatalf("nfdump -r %s: %v", f, err)
		}
		if len(strings.Fields(string(out))) == 0 {
			t.Errorf("nfdump printed no exporter address for %s", f)
		}
		for _, ra := range strings.Fields(string(out)) {
			if ra != "192.0.2.1" {
				t.Errorf("a flow came from %s, not the services PIC's 192.0.2.1", ra)
			}
		}
	}
	want := collector.Tuples{}
	for i := 0; i < 3; i++ {
		want.Add(collector.Tuple{Proto: 17, Src: netip.AddrFrom4([4]byte{10, 0, 0, byte(1 + i)}), Dst: netip.MustParseAddr("192.0.2.9"),
			SrcPort: uint16(4000 + i), DstPort: 53}, 100, 100*38)
	}
	for _, x := range collector.Compare(got, want) {
		t.Errorf("%s: collector %v, sent %v", x.Tuple, x.Ours, x.Their)
	}
}
