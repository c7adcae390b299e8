package snmp

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testproc"
	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

// trapd is a snmptrapd printing what it receives, one notification a line.
type trapd struct {
	addr  netip.AddrPort
	lines chan string
}

func startTrapd(t *testing.T, conf string) *trapd {
	t.Helper()
	return startTrapdAt(t, conf, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(freeUDPPort(t))))
}

// startTrapdAt is startTrapd listening on addr.
func startTrapdAt(t *testing.T, conf string, addr netip.AddrPort) *trapd {
	t.Helper()
	path := collector.RequireTool(t, "snmptrapd", "snmptrapd")
	dir := t.TempDir()
	confFile := filepath.Join(dir, "snmptrapd.conf")
	if err := os.WriteFile(confFile, []byte("disableAuthorization yes\n"+conf), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	args := []string{"-f", "-Lo", "-n", "-C", "-c", confFile, "-m", "", "-On", "udp:" + addr.String()}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=/nonexistent", "SNMP_PERSISTENT_DIR="+filepath.Join(dir, "state"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	t.Logf("$ %s %s", path, strings.Join(args, " "))
	if err := testproc.Start(cmd); err != nil {
		t.Fatalf("start snmptrapd: %v", err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	td := &trapd{addr: addr, lines: make(chan string, 100)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		started := false
		for sc.Scan() {
			l := sc.Text()
			if !started && strings.Contains(l, "NET-SNMP version") {
				started = true
				close(ready)
			}
			td.lines <- l
		}
		close(td.lines)
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("snmptrapd did not start")
	}
	return td
}

// next waits for a notification whose snmpTrapOID is trapOID and returns
// its bindings by name.
func (td *trapd) next(t *testing.T, trapOID string) map[string]string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-td.lines:
			if !ok {
				t.Fatal("snmptrapd ended")
			}
			t.Logf("snmptrapd: %s", l)
			vbs := map[string]string{}
			for _, f := range strings.Split(l, "\t") {
				if k, v, ok := strings.Cut(f, " = "); ok {
					vbs[k] = v
				}
			}
			if vbs[".1.3.6.1.6.3.1.1.4.1.0"] == "OID: "+trapOID {
				return vbs
			}
		case <-deadline:
			t.Fatalf("no notification %s within 10 s", trapOID)
		}
	}
}

func wantBindings(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("binding %s = %q, want %q", k, got[k], v)
		}
	}
	if !strings.HasPrefix(got[".1.3.6.1.2.1.1.3.0"], "Timeticks: ") {
		t.Errorf("sysUpTime.0 missing: %v", got)
	}
}

func TestTrapsV2c(t *testing.T) {
	td := startTrapd(t, "")
	cfg := testConfig(newFakeBackend())
	cfg.Receivers = []Receiver{{Addr: td.addr, Community: "public"}}
	a, _, _ := startAgent(t, cfg)
	ctx := context.Background()
	if err := a.ColdStart(ctx); err != nil {
		t.Fatal(err)
	}
	td.next(t, ".1.3.6.1.6.3.1.1.5.1")
	if err := a.LinkDown(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// lo (ifIndex 1) is up, whatever the notification says happened.
	wantBindings(t, td.next(t, ".1.3.6.1.6.3.1.1.5.3"), map[string]string{
		".1.3.6.1.2.1.2.2.1.1.1": "INTEGER: 1",
		".1.3.6.1.2.1.2.2.1.7.1": "INTEGER: 1",
		".1.3.6.1.2.1.2.2.1.8.1": "INTEGER: 1",
	})
	if n := outTrapsSettled(a, 2); n != 2 {
		t.Errorf("snmpOutTraps %d, want 2", n)
	}
}

// TestInformsV3: snmptrapd is the authoritative engine for informs; the
// agent discovers it and Notify returns only once the Response came back.
func TestInformsV3(t *testing.T) {
	for _, u := range []User{
		{Name: "ftinform", Auth: AuthSHA, AuthPassword: authPass, Priv: PrivAES, PrivPassword: privPass},
		{Name: "ftinform256", Auth: AuthSHA256, AuthPassword: authPass, Priv: PrivAES, PrivPassword: privPass},
	} {
		t.Run(u.Auth.String(), func(t *testing.T) {
			td := startTrapd(t, fmt.Sprintf("createUser %s %s %s AES %s\n", u.Name, u.Auth, authPass, privPass))
			cfg := testConfig(newFakeBackend())
			cfg.Receivers = []Receiver{{Addr: td.addr, User: &u, Timeout: 2 * time.Second}}
			a, _, _ := startAgent(t, cfg)
			ctx := context.Background()
			if err := a.ColdStart(ctx); err != nil {
				t.Fatalf("inform coldStart: %v", err)
			}
			td.next(t, ".1.3.6.1.6.3.1.1.5.1")
			if err := a.CacheHighWater(ctx, 3700, 4096); err != nil {
				t.Fatalf("inform cache high water: %v", err)
			}
			wantBindings(t, td.next(t, "."+oidCacheHighWater.String()), map[string]string{
				".1.3.6.1.4.1.9.9.387.1.1.2.1.4.0": "Gauge32: 3700",
				".1.3.6.1.4.1.9.9.387.1.1.2.1.3.0": "Gauge32: 4096",
			})
		})
	}
	// A receiver that never answers: the inform is retried, then reported.
	cfg := testConfig(newFakeBackend())
	u := User{Name: "ftinform", Auth: AuthSHA, AuthPassword: authPass}
	cfg.Receivers = []Receiver{{Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(freeUDPPort(t))), User: &u, Timeout: 100 * time.Millisecond, Retries: 2}}
	a, _, _ := startAgent(t, cfg)
	if err := a.ColdStart(context.Background()); err == nil {
		t.Error("inform to nobody succeeded")
	}
}

// TestInformsV3RemoteKeys: a user given keys localized to the receiver's
// engine (IOS's remote user) gets its informs acknowledged by snmptrapd
// whose engine ID is fixed; a receiver with another engine ID is refused
// with the reason.
func TestInformsV3RemoteKeys(t *testing.T) {
	remoteID := []byte{0x80, 0x00, 0x1f, 0x88, 0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44}
	td := startTrapd(t, fmt.Sprintf("exactEngineID 0x%x\ncreateUser ftremote SHA %s AES %s\n", remoteID, authPass, privPass))
	ak, pk, err := usmkey.LocalizedKeys(usmkey.SHA1, authPass, privPass, remoteID)
	if err != nil {
		t.Fatal(err)
	}
	u := User{Name: "ftremote", Auth: AuthSHA, Priv: PrivAES, AuthKey: ak, PrivKey: pk}
	cfg := testConfig(newFakeBackend())
	cfg.Receivers = []Receiver{{Addr: td.addr, User: &u, EngineID: remoteID, Timeout: 2 * time.Second}}
	a, _, _ := startAgent(t, cfg)
	if err := a.ColdStart(context.Background()); err != nil {
		t.Fatalf("inform with remote keys: %v", err)
	}
	td.next(t, ".1.3.6.1.6.3.1.1.5.1")
	wrong := append([]byte(nil), remoteID...)
	wrong[len(wrong)-1]++
	if err := a.SetReceivers([]Receiver{{Addr: td.addr, User: &u, EngineID: wrong, Timeout: time.Second, Retries: -1}}); err != nil {
		t.Fatal(err)
	}
	if err := a.ColdStart(context.Background()); err == nil || !strings.Contains(err.Error(), "the user's keys are for") {
		t.Errorf("inform to an engine the keys are not for: %v", err)
	}
}
