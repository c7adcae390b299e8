package replay

import (
	"bytes"
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteFrame(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFrame(&b, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 0, 0, 3, 1, 2, 3}; !bytes.Equal(b.Bytes(), want) {
		t.Errorf("frame on the wire % x, want % x", b.Bytes(), want)
	}
}

func TestFit(t *testing.T) {
	frames := []Frame{{Data: make([]byte, 13)}, {Data: make([]byte, 60)}, {Data: make([]byte, MaxFrame)}, {Data: make([]byte, MaxFrame+1)}}
	kept, dropped := Fit(frames, MaxFrame)
	if len(kept) != 2 || dropped != 2 {
		t.Errorf("Fit kept %d, dropped %d; want 2 and 2", len(kept), dropped)
	}
}

func TestPcapRoundTrip(t *testing.T) {
	in := []Frame{
		{Time: time.Unix(1700000000, 123000), Data: bytes.Repeat([]byte{0xab}, 60)},
		{Time: time.Unix(1700000001, 0), Data: bytes.Repeat([]byte{0xcd}, 1514)},
	}
	f := filepath.Join(t.TempDir(), "x.pcap")
	if err := WritePcap(f, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadCapture(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d frames, wrote %d", len(out), len(in))
	}
	for i := range in {
		if !bytes.Equal(out[i].Data, in[i].Data) || !out[i].Time.Equal(in[i].Time) {
			t.Errorf("frame %d changed: %v %d bytes, want %v %d bytes", i, out[i].Time, len(out[i].Data), in[i].Time, len(in[i].Data))
		}
	}
}

func TestReadCaptureRealPcaps(t *testing.T) {
	for _, name := range []string{"zeek-wikipedia.pcap", "ndpi-sites.pcapng"} {
		frames, err := ReadCapture(filepath.Join("../../testdata/pcaps", name))
		if err != nil {
			t.Fatal(err)
		}
		if len(frames) == 0 {
			t.Errorf("%s: no frames", name)
		}
	}
}

func TestSendLoops(t *testing.T) {
	frames := []Frame{{Data: []byte{1}}, {Data: []byte{2, 2}}}
	var b bytes.Buffer
	n, err := Send(context.Background(), &b, frames, Options{Loops: 3})
	if err != nil || n != 6 {
		t.Fatalf("Send = %d, %v; want 6 frames", n, err)
	}
	var lens []uint32
	for r := bytes.NewReader(b.Bytes()); r.Len() > 0; {
		var l uint32
		binary.Read(r, binary.BigEndian, &l)
		r.Seek(int64(l), 1)
		lens = append(lens, l)
	}
	if len(lens) != 6 || lens[0] != 1 || lens[1] != 2 {
		t.Errorf("lengths on the wire %v", lens)
	}
}
