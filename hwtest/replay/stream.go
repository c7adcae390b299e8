package replay

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Dial connects to the unix socket where QEMU listens for a port's host
// end, retrying until it accepts or ctx ends (QEMU may still be starting).
func Dial(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "unix", path)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to %s: %w (last: %v)", path, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// WriteFrame sends one frame in QEMU's stream framing.
func WriteFrame(w io.Writer, frame []byte) error {
	buf := make([]byte, 4+len(frame))
	binary.BigEndian.PutUint32(buf, uint32(len(frame)))
	copy(buf[4:], frame)
	_, err := w.Write(buf)
	return err
}

// Options pace a replay.
type Options struct {
	// Rate is frames per second; 0 sends as fast as the socket takes them
	// (QEMU stops reading while the guest's receive ring is full, so
	// nothing is lost on the way in either case).
	Rate float64
	// Loops is how many times the capture is sent; 0 means until ctx ends.
	Loops int
}

// Send writes the frames to w and returns how many it wrote. It ends when
// the loops are done, ctx ends (no error) or the peer goes away (error).
func Send(ctx context.Context, w io.Writer, frames []Frame, o Options) (int, error) {
	if len(frames) == 0 {
		return 0, errors.New("replay: no frames")
	}
	var gap time.Duration
	if o.Rate > 0 {
		gap = time.Duration(float64(time.Second) / o.Rate)
	}
	next := time.Now()
	sent := 0
	for loop := 0; o.Loops == 0 || loop < o.Loops; loop++ {
		for _, f := range frames {
			if ctx.Err() != nil {
				return sent, nil
			}
			if gap > 0 {
				next = next.Add(gap)
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
			}
			if err := WriteFrame(w, f.Data); err != nil {
				return sent, fmt.Errorf("replay frame %d: %w", sent+1, err)
			}
			sent++
		}
	}
	return sent, nil
}
