package collector

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// PcapPacket is one frame of a capture file and when it was captured.
type PcapPacket struct {
	Data []byte
	Time time.Time
}

// ReadPcap returns every frame of a classic (not pcapng) capture file.
func ReadPcap(t testing.TB, path string) []PcapPacket {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var pkts []PcapPacket
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return pkts
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		pkts = append(pkts, PcapPacket{Data: data, Time: ci.Timestamp})
	}
}
