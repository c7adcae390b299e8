package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Allow decides whether a reader may connect (the `access-class` list):
// from is the reader's address and port, to the endpoint's. Nil allows
// everyone.
type Allow func(from, to netip.AddrPort) bool

// Server serves /metrics.
type Server struct {
	srv    *http.Server
	ln     net.Listener
	denied atomic.Uint64
	done   chan struct{}
}

// Listen opens addr and serves the collector's metrics there; a reader
// the list refuses is disconnected before it can send a request, as
// `access-class` does to a vty.
func Listen(addr string, c prometheus.Collector, allow Allow, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	// The process's own health beside flowtap's counters, under the names
	// every Go exporter gives them (go_goroutines, go_memstats_*,
	// process_open_fds, process_resident_memory_bytes): a box left up for
	// months is watched for growth in them, a leak an operator can graph.
	for _, c := range []prometheus.Collector{c, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	s := &Server{ln: ln, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slogErrors{log}, ErrorHandling: promhttp.ContinueOnError}))
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(&aclListener{Listener: ln, allow: allow, denied: &s.denied}); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics: serve", "err", err)
		}
	}()
	return s, nil
}

// Addr is the bound address, useful when the port was 0.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Denied counts the connections the access list refused.
func (s *Server) Denied() uint64 { return s.denied.Load() }

// Close stops serving, letting a scrape in progress finish for a while.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}

type aclListener struct {
	net.Listener
	allow  Allow
	denied *atomic.Uint64
}

func (l *aclListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || l.allow == nil {
			return c, err
		}
		from, _ := netip.ParseAddrPort(c.RemoteAddr().String())
		to, _ := netip.ParseAddrPort(c.LocalAddr().String())
		if l.allow(netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), netip.AddrPortFrom(to.Addr().Unmap(), to.Port())) {
			return c, nil
		}
		l.denied.Add(1)
		c.Close()
	}
}

// slogErrors is promhttp's error log on slog.
type slogErrors struct{ log *slog.Logger }

func (e slogErrors) Println(v ...any) { e.log.Error("metrics: scrape", "err", fmt.Sprint(v...)) }
