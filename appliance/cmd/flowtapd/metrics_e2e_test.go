package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/flowtap/flowtap/internal/testnet"
)

// TestPrometheusAgreesWithCLI turns the endpoint on with `ip http
// metrics`, scrapes it from an address its access list permits, and
// finds the screens' figures: frames seen, flows in the cache, records
// exported. An address the list denies gets no answer.
func TestPrometheusAgreesWithCLI(t *testing.T) {
	v := testnet.Enter(t)
	coll, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	port := freeTCP(t)[len("127.0.0.1:"):]
	d := startDaemon(t, fmt.Sprintf(`hostname promtap
username admin secret letmein
access-list 10 permit 127.0.0.2
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination 127.0.0.1 %d
ip http metrics port %s access-class 10
`, v.Mon, coll.LocalAddr().(*net.UDPAddr).Port, port))
	get := func(src string) ([]byte, error) { return metricsGet(src, port) }
	scrape := func() map[string]*dto.MetricFamily { return scrapeMetrics(t, "127.0.0.2", port) }
	one := func(fams map[string]*dto.MetricFamily, name string) string {
		f := fams[name]
		if f == nil || len(f.Metric) == 0 {
			t.Fatalf("no %s", name)
		}
		m := f.Metric[0]
		if m.Counter != nil {
			return fmt.Sprint(m.Counter.GetValue())
		}
		return fmt.Sprint(m.Gauge.GetValue())
	}
	scrape() // up

	var frames [][]byte
	for i := 0; i < 6; i++ {
		frames = append(frames, udpFrame([4]byte{10, 0, 1, byte(i + 1)}, 5000, 100))
	}
	v.Send(t, frames)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if strings.Contains(d.cli(t, "ios", "show ip flow datapath | include frames seen\n"), " 6 frames seen") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the meter never saw the 6 frames:\n%s", d.cli(t, "ios", "show ip flow datapath\n"))
		}
	}
	fams := scrape()
	screen := d.cli(t, "ios", "show ip flow datapath\n")
	if m := regexp.MustCompile(`(\d+) frames seen`).FindStringSubmatch(screen); m == nil || m[1] != one(fams, "flowtap_datapath_frames_total") {
		t.Errorf("frames: screen %v, flowtap_datapath_frames_total %s", m, one(fams, "flowtap_datapath_frames_total"))
	}
	cache := d.cli(t, "ios", "show ip cache flow | include active,\n")
	if got := one(fams, "flowtap_cache_active_flows"); !strings.HasPrefix(strings.TrimSpace(cache), got+" active,") || got != "6" {
		t.Errorf("flowtap_cache_active_flows %s; show ip cache flow %q", got, cache)
	}
	d.cli(t, "ios", "clear mls netflow\n")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if strings.HasPrefix(d.cli(t, "ios", "show ip flow export | include exported\n"), "  6 flows") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the flows were not exported:\n%s", d.cli(t, "ios", "show ip flow export\n"))
		}
	}
	fams = scrape()
	exp := d.cli(t, "ios", "show ip flow export | include exported\n")
	if want := fmt.Sprintf("  %s flows exported in %s udp datagrams\n", one(fams, "flowtap_export_records_total"), one(fams, "flowtap_export_packets_total")); exp != want {
		t.Errorf("show ip flow export %q; Prometheus says %q", exp, want)
	}

	// 127.0.0.1 is not in access-list 10: no answer, and the list counts it.
	if body, err := get("127.0.0.1"); err == nil {
		t.Errorf("a reader access-list 10 denies got an answer:\n%.200s", body)
	}
	// The three scrapes went through the list's permit entry.
	if acl := d.cli(t, "ios", "show access-lists 10\n"); !strings.Contains(acl, "10 permit 127.0.0.2 (3 matches)") {
		t.Errorf("show access-lists 10:\n%s", acl)
	}
}

// metricsGet reads /metrics on 127.0.0.1:port from address src. The
// request is made on the calling goroutine, whose thread is in the test's
// network namespace (http.Transport would dial from another).
func metricsGet(src, port string) ([]byte, error) {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := dialer.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /metrics HTTP/1.0\r\nHost: probe\r\n\r\n"); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// scrapeMetrics reads /metrics from src, waiting up to 20 s for the
// endpoint, and parses it with the client library's parser.
func scrapeMetrics(t *testing.T, src, port string) map[string]*dto.MetricFamily {
	t.Helper()
	var body []byte
	var err error
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if body, err = metricsGet(src, port); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the endpoint does not answer an allowed reader: %v", err)
		}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("expfmt: %v\n%s", err, body)
	}
	return fams
}
