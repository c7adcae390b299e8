package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowtap/flowtap/internal/testproc"
)

// TsharkCflow decodes export packets (UDP payloads sent to port) with
// tshark's NetFlow/IPFIX dissector and returns, per packet, each
// requested field's values in order.
func TsharkCflow(t testing.TB, payloads [][]byte, port uint16, fields ...string) []map[string][]string {
	t.Helper()
	tshark := RequireTool(t, "tshark", "tshark")
	path := filepath.Join(t.TempDir(), "export.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65536, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	stamp := time.Now()
	for i, p := range payloads {
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IP{127, 0, 0, 1}, DstIP: net.IP{127, 0, 0, 1}}
		udp := &layers.UDP{SrcPort: 50000, DstPort: layers.UDPPort(port)}
		udp.SetNetworkLayerForChecksum(ip)
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, udp, gopacket.Payload(p)); err != nil {
			t.Fatal(err)
		}
		ci := gopacket.CaptureInfo{Timestamp: stamp.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}
		if err := w.WritePacket(ci, buf.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	args := []string{"-r", path, "-d", fmt.Sprintf("udp.port==%d,cflow", port), "-T", "json"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tshark, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := testproc.Output(cmd)
	if err != nil {
		t.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var pkts []struct {
		Source struct {
			Layers map[string][]string `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(out, &pkts); err != nil {
		t.Fatalf("tshark JSON: %v\n%s", err, out)
	}
	res := make([]map[string][]string, len(pkts))
	for i, p := range pkts {
		res[i] = p.Source.Layers
	}
	return res
}

// TsharkPcapFields reads the packets of a capture file that match
// filter (a display filter) with tshark, with preferences prefs ("name:
// value", each passed with -o), and returns each packet's fields in the
// order asked, "" where a packet has none: the truth a test holds an
// export against.
func TsharkPcapFields(t testing.TB, pcap, filter string, prefs []string, fields ...string) [][]string {
	t.Helper()
	tshark := RequireTool(t, "tshark", "tshark")
	args := []string{"-r", pcap}
	for _, p := range prefs {
		args = append(args, "-o", p)
	}
	args = append(args, "-Y", filter, "-T", "fields", "-E", "separator=|")
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := testproc.Output(exec.CommandContext(ctx, tshark, args...))
	if err != nil {
		t.Fatalf("tshark -r %s: %v", pcap, err)
	}
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(l, "|")
		if len(f) != len(fields) {
			t.Fatalf("tshark line %q: %d fields, want %d", l, len(f), len(fields))
		}
		rows = append(rows, f)
	}
	return rows
}

// TsharkCflowRecords is TsharkCflow a data record at a time: each record's
// fields by name, the first field counting the records of a packet ("?"
// where a record has fewer values of a field than of the first).
func TsharkCflowRecords(t testing.TB, payloads [][]byte, port uint16, fields ...string) []map[string]string {
	t.Helper()
	var recs []map[string]string
	for _, p := range TsharkCflow(t, payloads, port, fields...) {
		for j := range p[fields[0]] {
			r := make(map[string]string, len(fields))
			for _, f := range fields {
				r[f] = "?"
				if vs := p[f]; j < len(vs) {
					r[f] = vs[j]
				}
			}
			recs = append(recs, r)
		}
	}
	return recs
}
