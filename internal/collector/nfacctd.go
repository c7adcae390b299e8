package collector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testproc"
)

// NfacctdFields is what the tests ask pmacct's nfacctd to keep per flow:
// every primitive flowtap's records carry, the flow's own times (so that
// no two flows fold into one row) and the export header's sequence
// number and version.
var NfacctdFields = []string{
	"src_host", "dst_host", "src_port", "dst_port", "proto", "tos", "tcpflags",
	"in_iface", "out_iface", "src_as", "dst_as", "src_mask", "dst_mask",
	"peer_src_ip", "sampling_rate", "timestamp_start", "timestamp_end",
	"export_proto_seqno", "export_proto_version", "export_proto_sysid",
}

// Nfacctd is pmacct's NetFlow/IPFIX collector on a loopback UDP port. It
// keeps each flow it decodes in its memory plugin's table, read with
// pmacct's own client (pmacct -s) as an operator reads it.
type Nfacctd struct {
	Addr   netip.AddrPort
	dir    string
	pipe   string
	log    string
	client string
	cmd    *exec.Cmd
	exited chan struct{}
	stderr *bytes.Buffer
}

// NfacctdRow is one row of the memory table as pmacct -s -O json prints
// it, numbers kept as json.Number.
type NfacctdRow map[string]any

// Str is the row's field as text ("" when absent).
func (r NfacctdRow) Str(k string) string {
	v, ok := r[k]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Uint is the row's numeric field (0 when absent or not a number).
func (r NfacctdRow) Uint(k string) uint64 {
	n, _ := strconv.ParseUint(r.Str(k), 10, 64)
	return n
}

// Time is one of the row's timestamps ("2024-01-01T00:00:11.000000Z").
func (r NfacctdRow) Time(k string) time.Time {
	t, _ := time.Parse("2006-01-02T15:04:05.000000Z", r.Str(k))
	return t
}

// StartNfacctd starts nfacctd on 127.0.0.1 at a free port with a private
// configuration: sequence checks on (they are off by default), counters
// renormalised by the exporter's sampling rate, AS numbers and masks taken
// from the records. extra lines are added to the configuration.
func StartNfacctd(t testing.TB, extra ...string) *Nfacctd {
	t.Helper()
	bin := RequireTool(t, "nfacctd", "pmacct")
	client := RequireTool(t, "pmacct", "pmacct")
	for try := 0; try < 5; try++ {
		if n, ok := startNfacctd(t, bin, client, extra); ok {
			return n
		}
	}
	t.Fatal("nfacctd could not bind a loopback port in 5 tries")
	return nil
}

func startNfacctd(t testing.TB, bin, client string, extra []string) (*Nfacctd, bool) {
	port := freeUDPPort(t)
	dir := t.TempDir()
	n := &Nfacctd{Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port), dir: dir, client: client,
		pipe: filepath.Join(dir, "imt.pipe"), log: filepath.Join(dir, "nfacctd.log"),
		exited: make(chan struct{}), stderr: &bytes.Buffer{}}
	conf := []string{
		"daemonize: false",
		"logfile: " + n.log,
		"nfacctd_ip: 127.0.0.1",
		fmt.Sprintf("nfacctd_port: %d", port),
		"nfacctd_disable_checks: false",
		"nfacctd_renormalize: true",
		"nfacctd_as: netflow",
		"nfacctd_net: netflow",
		"timestamps_utc: true",
		"plugins: memory[flows]",
		"aggregate[flows]: " + strings.Join(NfacctdFields, ", "),
		"imt_path[flows]: " + n.pipe,
		// No bound on the table: by default it holds 16 pools of 8 KiB,
		// about 1,200 of these rows, and drops the rest unsaid.
		"imt_mem_pools_number[flows]: 0",
	}
	conf = append(conf, extra...)
	cf := filepath.Join(dir, "nfacctd.conf")
	if err := os.WriteFile(cf, []byte(strings.Join(conf, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n.cmd = exec.Command(bin, "-f", cf)
	n.cmd.Stdout, n.cmd.Stderr = n.stderr, n.stderr
	// Its own process group: the plugin is a child of its own, and
	// Close ends both at once.
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := testproc.Start(n.cmd); err != nil {
		t.Fatalf("start nfacctd: %v", err)
	}
	go func() { n.cmd.Wait(); close(n.exited) }()
	t.Cleanup(n.Close)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			if strings.Contains(n.Log(), "bind()") {
				return nil, false
			}
			t.Fatalf("nfacctd exited at start-up; log:\n%s", n.Log())
		case <-time.After(20 * time.Millisecond):
		}
		if strings.Contains(n.Log(), "waiting for NetFlow/IPFIX data on") {
			if _, err := os.Stat(n.pipe); err == nil {
				return n, true
			}
		}
	}
	t.Fatalf("nfacctd did not start listening on %s; log:\n%s", n.Addr, n.Log())
	return nil, false
}

// Close ends nfacctd and its plugin (SIGKILL to the process group: the
// table lives in memory and nothing is left to write).
func (n *Nfacctd) Close() {
	select {
	case <-n.exited:
	default:
		syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		<-n.exited
	}
	// The plugin outlives a killed core for a moment.
	syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
}

// Log is what nfacctd logged so far (its log file and its stderr).
func (n *Nfacctd) Log() string {
	b, _ := os.ReadFile(n.log)
	return string(b) + n.stderr.String()
}

// Complaints are the log's warnings and errors: what nfacctd says is
// wrong with what it was sent.
func (n *Nfacctd) Complaints() []string {
	var out []string
	for _, l := range strings.Split(n.Log(), "\n") {
		if strings.Contains(l, " WARN ") || strings.Contains(l, " ERROR ") {
			out = append(out, l)
		}
	}
	return out
}

// Rows reads the memory table now. Keep tables to a few hundred rows:
// the plugin answers with one non-blocking write to the client's socket,
// and a larger answer fails ("Failed during write", logged as a warning,
// which Complaints reports) and comes back cut short.
func (n *Nfacctd) Rows(t testing.TB) []NfacctdRow {
	t.Helper()
	// pmacct 1.7.7's client now and then dies of a segmentation fault
	// reading a table that is being filled (more often with -l, the
	// plugin locking the table while it answers): read again. WaitRows
	// reads until two reads agree.
	var out []byte
	var err error
	for try := 0; try < 5; try++ {
		out, err = testproc.Output(exec.Command(n.client, "-p", n.pipe, "-s", "-O", "json"))
		if !crashed(err) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("pmacct -s: %v\n%s\nnfacctd log:\n%s", err, out, n.Log())
	}
	var rows []NfacctdRow
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		var r NfacctdRow
		if err := d.Decode(&r); err != nil {
			t.Fatalf("pmacct JSON row %q: %v", line, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// WaitRows reads the table until it holds want rows, or more, the same
// number twice in a row, or 10 s passed (the core hands flows to the
// plugin in batches).
func (n *Nfacctd) WaitRows(t testing.TB, want int) []NfacctdRow {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last := -1
	for {
		rows := n.Rows(t)
		if (len(rows) >= want && len(rows) == last) || time.Now().After(deadline) {
			return rows
		}
		last = len(rows)
		select {
		case <-n.exited:
			t.Fatalf("nfacctd exited; log:\n%s", n.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// crashed says whether err is a process killed by a signal.
func crashed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}
