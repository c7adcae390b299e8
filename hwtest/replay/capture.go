// Package replay feeds Ethernet frames from a capture into the host end
// of a QEMU stream netdev (the appliance's monitored ports in hwtest and
// make qemu): each frame goes as a 4-byte big-endian length and the frame.
package replay

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Frame is one captured Ethernet frame.
type Frame struct {
	Time time.Time
	Data []byte
}

// MaxFrame is the largest frame a port with the default 1500-byte MTU
// takes: 1500 and the Ethernet header (no FCS in captures).
const MaxFrame = 1514

// ReadCapture reads every frame of a pcap or pcapng file with Ethernet
// link type.
func ReadCapture(path string) ([]Frame, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read capture: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("read capture %s: %w", path, err)
	}
	var read func() ([]byte, time.Time, error)
	var link layers.LinkType
	if string(magic) == "\x0a\x0d\x0d\x0a" {
		r, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, fmt.Errorf("read pcapng %s: %w", path, err)
		}
		link = r.LinkType()
		read = func() ([]byte, time.Time, error) {
			d, ci, err := r.ReadPacketData()
			return d, ci.Timestamp, err
		}
	} else {
		r, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read pcap %s: %w", path, err)
		}
		link = r.LinkType()
		read = func() ([]byte, time.Time, error) {
			d, ci, err := r.ReadPacketData()
			return d, ci.Timestamp, err
		}
	}
	if link != layers.LinkTypeEthernet {
		return nil, fmt.Errorf("capture %s has link type %s: only Ethernet frames can be fed to a NIC", path, link)
	}
	var frames []Frame
	for {
		d, ts, err := read()
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return frames, fmt.Errorf("read capture %s frame %d: %w", path, len(frames)+1, err)
		}
		frames = append(frames, Frame{Time: ts, Data: append([]byte(nil), d...)})
	}
}

// Fit keeps the frames a port can receive: at least an Ethernet header
// and at most max bytes. It returns them and how many it dropped.
func Fit(frames []Frame, max int) (kept []Frame, dropped int) {
	for _, f := range frames {
		if len(f.Data) < 14 || len(f.Data) > max {
			dropped++
			continue
		}
		kept = append(kept, f)
	}
	return kept, dropped
}

// WritePcap writes frames as an Ethernet pcap: what was fed, for meters
// run on the host (nfpcapd) to compare with.
func WritePcap(path string, frames []Frame) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write pcap: %w", err)
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		f.Close()
		return fmt.Errorf("write pcap %s: %w", path, err)
	}
	for _, fr := range frames {
		ci := gopacket.CaptureInfo{Timestamp: fr.Time, CaptureLength: len(fr.Data), Length: len(fr.Data)}
		if err := w.WritePacket(ci, fr.Data); err != nil {
			f.Close()
			return fmt.Errorf("write pcap %s: %w", path, err)
		}
	}
	return f.Close()
}
