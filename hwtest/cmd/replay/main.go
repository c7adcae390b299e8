// Command replay feeds a capture's Ethernet frames into the host end of a
// monitored port of the appliance under QEMU (a stream netdev on a unix
// socket), looped and paced: make qemu's demo traffic source.
//
//	replay -socket out/eth1.sock -pcap testdata/pcaps/ndpi-gnutella.pcap -rate 200 -loops 0
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/flowtap/flowtap/hwtest/replay"
)

func main() {
	sock := flag.String("socket", "out/eth1.sock", "unix socket where QEMU listens for the port's host end")
	pcap := flag.String("pcap", "", "capture to replay (pcap or pcapng, Ethernet)")
	rate := flag.Float64("rate", 200, "frames per second; 0 for as fast as the guest takes them")
	loops := flag.Int("loops", 0, "times to send the capture; 0 loops until interrupted")
	wait := flag.Duration("wait", 5*time.Minute, "how long to wait for QEMU's socket")
	flag.Parse()
	if err := run(*sock, *pcap, *rate, *loops, *wait); err != nil {
		log.Fatalf("replay: %v", err)
	}
}

func run(sock, pcap string, rate float64, loops int, wait time.Duration) error {
	if pcap == "" {
		return errors.New("-pcap FILE is required")
	}
	frames, err := replay.ReadCapture(pcap)
	if err != nil {
		return err
	}
	frames, dropped := replay.Fit(frames, replay.MaxFrame)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	conn, err := replay.Dial(dctx, sock)
	if err != nil {
		return err
	}
	defer conn.Close()
	go func() { <-ctx.Done(); conn.Close() }()
	fmt.Fprintf(os.Stderr, "replay: %s: %d frames (%d over %d bytes left out) to %s at %g/s\n",
		pcap, len(frames), dropped, replay.MaxFrame, sock, rate)
	n, err := replay.Send(ctx, conn, frames, replay.Options{Rate: rate, Loops: loops})
	fmt.Fprintf(os.Stderr, "replay: sent %d frames\n", n)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
