package snmp

import (
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWriteFuzzSeeds records what net-snmp's tools send, through a relay
// in front of an agent configured like fuzzAgent. It runs only with
// SNMP_WRITE_SEEDS=1 and rewrites seedFile.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("SNMP_WRITE_SEEDS") == "" {
		t.Skip("set SNMP_WRITE_SEEDS=1 to record the fuzz seeds")
	}
	cfg := testConfig(newFakeBackend())
	cfg.Listen = []string{"127.0.0.1:0"}
	start := time.Now()
	cfg.Now = func() time.Time { return start } // engine time 0, as in fuzzAgent
	_, agentAddr, _ := startAgent(t, cfg)
	relay, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	upstream, err := net.Dial("udp4", agentAddr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var recorded []string
	var label string
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := relay.ReadFrom(buf)
			if err != nil {
				return
			}
			mu.Lock()
			recorded = append(recorded, label+" "+hex.EncodeToString(buf[:n]))
			mu.Unlock()
			upstream.Write(buf[:n])
			upstream.SetReadDeadline(time.Now().Add(time.Second))
			if m, err := upstream.Read(buf); err == nil {
				relay.WriteTo(buf[:m], from)
			}
		}
	}()
	addr := relay.LocalAddr().String()
	v3 := func(user, auth string) []string { return v3Args(user, auth, authPass, privPass) }
	runs := []struct {
		label, tool string
		args        []string
	}{
		{"v1-get", "snmpget", []string{"-v1", "-c", roCommunity, addr, ".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.2.2.1.10.1"}},
		{"v1-getnext", "snmpgetnext", []string{"-v1", "-c", roCommunity, addr, ".1.3.6.1.2.1.31.1.1.1.5"}},
		{"v2c-get", "snmpget", []string{"-v2c", "-c", roCommunity, addr, ".1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.99.0", oidInactiveTimeout}},
		{"v2c-walk", "snmpwalk", []string{"-v2c", "-c", roCommunity, addr, ".1.3.6.1.4.1.9.9.387.1.1"}},
		{"v2c-bulk", "snmpbulkget", []string{"-v2c", "-c", roCommunity, "-Cn1", "-Cr8", addr, ".1.3.6.1.2.1.1", ".1.3.6.1.4.1.9.9.387.1.7.8"}},
		{"v2c-set", "snmpset", []string{"-v2c", "-c", rwCommunity, addr, oidInactiveTimeout, "u", "30", oidSysContact, "s", "seed"}},
		{"v2c-set-row", "snmpset", []string{"-v2c", "-c", rwCommunity, addr, ".1.3.6.1.4.1.9.9.387.1.2.3.1.4.0.1.4.192.0.2.1.2055", "i", "6"}},
		{"v2c-wrongcommunity", "snmpget", []string{"-v2c", "-c", "nope", "-t", "0.2", "-r", "0", addr, ".1.3.6.1.2.1.1.1.0"}},
		{"v3-sha-get", "snmpget", append(v3(userSHA, "SHA"), addr, ".1.3.6.1.2.1.1.5.0")},
		{"v3-sha256-bulk", "snmpbulkget", append(v3(userSHA256, "SHA-256"), "-Cr20", addr, ".1.3.6.1.2.1.2.2")},
		{"v3-sha256-set", "snmpset", append(v3(userSHA256, "SHA-256"), addr, ".1.3.6.1.4.1.9.9.387.1.7.2.0", "u", "20")},
	}
	for _, r := range runs {
		mu.Lock()
		label = r.label
		mu.Unlock()
		run(t, r.tool, r.args...)
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	text := fmt.Sprintf("# Requests from net-snmp %s tools to an agent like fuzzAgent\n# (engine ID %x, boots 1, engine time 0). Recorded by TestWriteFuzzSeeds.\n%s\n",
		"5.9", testEngineID, strings.Join(recorded, "\n"))
	if err := os.WriteFile(seedFile, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d requests", len(recorded))
}
