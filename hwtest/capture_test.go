package hwtest

import (
	"context"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flowtap/flowtap/hwtest/replay"
	"github.com/flowtap/flowtap/internal/collector"
)

const (
	pcapDir = "../testdata/pcaps"
	// meterWait bounds the wait for the guest to meter what was fed.
	meterWait = 30 * time.Second
)

// capture is a pcap from testdata/pcaps as a monitored port takes it, and
// nfpcapd's flows for exactly those frames: what flowtap must export.
type capture struct {
	Name    string
	Frames  []replay.Frame
	Dropped int // frames too long for the port's MTU, left out
	Want    collector.Tuples
}

func loadCapture(t testing.TB, name string) *capture {
	t.Helper()
	frames, err := replay.ReadCapture(filepath.Join(pcapDir, name))
	if err != nil {
		t.Fatal(err)
	}
	c := &capture{Name: name}
	c.Frames, c.Dropped = replay.Fit(frames, replay.MaxFrame)
	fed := filepath.Join(t.TempDir(), "fed.pcap")
	if err := replay.WritePcap(fed, c.Frames); err != nil {
		t.Fatal(err)
	}
	c.Want = collector.Nfpcapd(t, fed)
	return c
}

// feeders keeps one connection per port socket for the life of a QEMU:
// a stream netdev's link goes down when its host end disconnects.
var feeders = struct {
	sync.Mutex
	conns map[string]net.Conn
}{conns: map[string]net.Conn{}}

// feed sends a capture's frames into a monitored port ("eth1", "eth2")
// once, as fast as the guest takes them.
func (p *probe) feed(t testing.TB, port string, c *capture) {
	t.Helper()
	sock := map[string]string{"eth1": p.Config.Eth1Socket, "eth2": p.Config.Eth2Socket}[port]
	if sock == "" {
		t.Fatalf("no host end for port %q", port)
	}
	feeders.Lock()
	defer feeders.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	for try := 0; ; try++ {
		conn := feeders.conns[sock]
		if conn == nil {
			var err error
			if conn, err = replay.Dial(ctx, sock); err != nil {
				t.Fatal(err)
			}
			feeders.conns[sock] = conn
		}
		n, err := replay.Send(ctx, conn, c.Frames, replay.Options{Loops: 1})
		if err == nil {
			t.Logf("fed %d frames of %s into %s in %s (%d too long for the port left out)",
				n, c.Name, port, time.Since(start).Round(time.Millisecond), c.Dropped)
			return
		}
		conn.Close()
		delete(feeders.conns, sock)
		if n > 0 || try > 0 {
			t.Fatalf("feed %s into %s: %v after %d frames", c.Name, port, err, n)
		}
		// The QEMU this connection went to has exited (a reboot): dial again.
	}
}
