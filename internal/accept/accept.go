// Package accept is the accept loop the management servers share: a
// listener that runs out of file descriptors (EMFILE, ENFILE) or memory
// backs off and tries again instead of ending, and says so in the log, so
// a flood of connections cannot take SSH or the local CLI down for good.
package accept

import (
	"errors"
	"log/slog"
	"net"
	"time"
)

// Backoff bounds: short enough that service resumes as soon as
// descriptors free up, long enough not to spin on a full table.
const (
	minBackoff = 5 * time.Millisecond
	maxBackoff = time.Second
)

// Loop accepts connections on ln and hands each to serve (which owns it)
// until ln is closed. what names the server in the log.
func Loop(ln net.Listener, log *slog.Logger, what string, serve func(net.Conn)) {
	var delay time.Duration
	var failed int
	for {
		c, err := ln.Accept()
		if err == nil {
			if failed > 0 {
				log.Warn(what+" accepting again", "failed", failed)
				failed = 0
			}
			delay = 0
			serve(c)
			continue
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		// Every other accept error is the kernel refusing one connection
		// (descriptors, memory, an aborted handshake): the listener is
		// still good.
		if failed == 0 {
			log.Error(what+" cannot accept: backing off", "err", err)
		}
		failed++
		delay = min(max(2*delay, minBackoff), maxBackoff)
		time.Sleep(delay)
	}
}
