package junos

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/show"
)

var update = flag.Bool("update", false, "rewrite golden transcripts")

// fakeBackend keeps a real model and its commit history.
type fakeBackend struct {
	history []config.Config
	// restore is what a waiting commit confirmed rolls back to; expire
	// does it as the timer would.
	restore  *config.Config
	deadline time.Time
	commits  []show.CommitEntry // the history's, newest last
	cleared  int                // clear services accounting statistics
	dir      string             // where load FILE finds a name alone
}

func (f *fakeBackend) WriteFile(name string, data []byte) error {
	return os.WriteFile(filepath.Join(f.dir, name), data, 0o600)
}

func (f *fakeBackend) ReadFile(name string) ([]byte, error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(f.dir, name)
	}
	return os.ReadFile(name)
}

func (f *fakeBackend) CommitConfirmed(c config.Config, wait time.Duration, by show.CommitEntry) error {
	if f.restore == nil {
		r := f.Running()
		f.restore = &r
	}
	f.deadline = time.Now().Add(wait)
	by.ConfirmMinutes = int(wait / time.Minute)
	return f.Commit(c, by)
}
func (f *fakeBackend) Confirm() bool {
	ok := f.restore != nil
	f.restore, f.deadline = nil, time.Time{}
	return ok
}
func (f *fakeBackend) ConfirmDeadline() time.Time { return f.deadline }
func (f *fakeBackend) expire() {
	if f.restore != nil {
		r := *f.restore
		f.Confirm()
		f.Commit(r, show.CommitEntry{User: "root", Via: "other"})
	}
}

func (f *fakeBackend) Hostname() string       { return f.Running().HostnameOrDefault() }
func (f *fakeBackend) Running() config.Config { return f.history[len(f.history)-1] }
func (f *fakeBackend) Commit(c config.Config, by show.CommitEntry) error {
	f.history = append(f.history, c)
	if by.When.IsZero() {
		// A clock of its own: minute n for the nth commit.
		by.When = time.Date(2026, 11, 22, 12, len(f.history)-1, 0, 0, time.UTC)
	}
	for len(f.commits) < len(f.history)-1 {
		f.commits = append(f.commits, show.CommitEntry{When: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC), User: "root", Via: "other"})
	}
	f.commits = append(f.commits, by)
	return nil
}
func (f *fakeBackend) ClearAccounting() { f.cleared++ }
func (f *fakeBackend) Commits() []show.CommitEntry {
	out := slices.Clone(f.commits)
	slices.Reverse(out)
	return out
}
func (f *fakeBackend) Rollback(n int) (config.Config, error) {
	if n >= len(f.history) {
		return config.Config{}, fmt.Errorf("rollback %d does not exist", n)
	}
	return f.history[len(f.history)-1-n], nil
}
func (f *fakeBackend) FirewallFilter(name string) ([]show.FirewallCounter, error) {
	return nil, fmt.Errorf("error: filter %s is not configured", name)
}
func (f *fakeBackend) ClearFirewall(name string) error {
	return fmt.Errorf("error: filter %s is not configured", name)
}
func (f *fakeBackend) Sampling() []show.SamplingInstance {
	return []show.SamplingInstance{
		{Name: "global", Mode: "none", Rate: 1, PacketsObserved: 7, PacketsSelected: 7},
		{Name: "sampling instance", ID: 1, Mode: "deterministic", Rate: 1000, RunLength: 2, MaxPacketsPerSecond: 5000, PacketsObserved: 30000, PacketsSelected: 90},
	}
}

func (f *fakeBackend) Aggregations() []show.AggregationView { return nil }
func (f *fakeBackend) Taps() []show.TapView {
	return []show.TapView{{Name: "uplink", IfIndex: 64001, Fibres: []show.FibreView{
		{Side: "A", Port: "ge-0/0/1", Present: true, AdminUp: true, Carrier: true, Received: true, LastInput: time.Second, Flows: 2, Packets: 7, Bytes: 266},
		{Side: "B", Port: "ge-0/0/2", Present: true, AdminUp: true, Carrier: true, SilentFor: 40 * time.Second, PartnerReceives: "A"},
	}}}
}
func (f *fakeBackend) SNMPCounters() show.SNMPCounters {
	return show.SNMPCounters{"snmpInPkts": 41, "snmpInBadVersions": 1, "usmStatsWrongDigests": 3, "snmpOutPkts": 40, "snmpOutGetResponses": 39,
		"snmpOutTraps": 1, show.SNMPRateLimited: 7}
}

// Interfaces are two links whose counters differ in every field the
// screens print.
func (f *fakeBackend) Interfaces() ([]show.Interface, error) {
	return []show.Interface{
		{Name: "eth0", Index: 2, AdminUp: true, Carrier: true, ProtocolUp: true, MAC: net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56},
			Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.2.15/24")}, MTU: 1500, SpeedMbps: 1000, Duplex: "full",
			RxPackets: 1200, RxBytes: 96000, TxPackets: 1100, TxBytes: 88000},
		{Name: "eth1", Index: 3, AdminUp: true, Carrier: true, ProtocolUp: true, Description: "span from core1",
			MAC: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0, 1, 0}, MTU: 1500, SpeedMbps: 10000, Duplex: "full",
			Metering: "ingress, passive tap, XDP native", HasXDPDrops: true, XDPDrops: 987640, InBps: 8000, InPps: 10,
			RxPackets: 987654, RxBytes: 812345678, RxErrors: 2, RxCRC: 2, RxMissed: 7, RxDropped: 3, RxOverrun: 1, RxFrame: 4,
			TxPackets: 5, TxBytes: 600, TxErrors: 6, TxDropped: 8, Collisions: 9, TxCarrier: 11, CarrierTransitions: 13},
	}, nil
}

func (f *fakeBackend) Accounting() show.AccountingView {
	var st show.CacheStats
	st.Active, st.Added = 2, 9
	return show.AccountingView{Cache: show.CacheView{Now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), Stats: st}}
}

func TestTranscript(t *testing.T) {
	base, err := junosconf.Parse("base", []byte("set system host-name jtap\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBackend{history: []config.Config{base}}
	s := NewSession(f, "ops")
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(`
show services accounting flow
show services accounting flow | match Active
show services accounting frobs
configure
edit forwarding-options sampling
set input rate 100
set family inet output flow-server 192.0.2.7 port 2055
set family inet output flow-server 192.0.2.7 version 9
set input frobnicate 3
show | compare
show | display set
commit check
commit
top
show | display set | count
delete forwarding-options sampling input rate
show | compare
rollback 1
show | compare
exit
show configuration | display set | match flow-server
exit`), "\n") {
		b.WriteString(s.Prompt() + line + "\n")
		b.WriteString(s.Exec(line))
	}
	path := "testdata/transcript.golden"
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("transcript differs; got:\n%s", b.String())
	}
	// The commit is the model the IOS CLI shows.
	ios := ios.RunningConfig(f.history[1])
	if !strings.Contains(ios, "ip flow-export destination 192.0.2.7 2055") {
		t.Errorf("JunOS commit not in the IOS running-config:\n%s", ios)
	}
	if !s.ended {
		t.Error("exit did not end the session")
	}
}

func (f *fakeBackend) Resolver() config.Resolver { return nil }
func (f *fakeBackend) LookupAddr(a netip.Addr) ([]string, error) {
	var out []string
	for _, h := range f.Running().Names.Hosts {
		if slices.Contains(h.Addrs, a) {
			out = append(out, h.Name)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("3(NXDOMAIN)")
	}
	return out, nil
}
func (f *fakeBackend) LookupHost(name string) ([]netip.Addr, error) {
	if a, ok := f.Running().Names.Host(name); ok {
		return []netip.Addr{a}, nil
	}
	return nil, errors.New("3(NXDOMAIN)")
}
