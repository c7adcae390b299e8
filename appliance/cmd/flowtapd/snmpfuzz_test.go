package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/syncbuf"
	"github.com/flowtap/flowtap/internal/testproc"
)

// tlv is one BER element with a short or long definite length.
func tlv(tag byte, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	out := []byte{tag}
	switch n := len(body); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	default:
		out = append(out, 0x82, byte(n>>8), byte(n))
	}
	return append(out, body...)
}

func berInt(v uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, v)
	for len(b) > 1 && b[0] == 0 && b[1] < 0x80 {
		b = b[1:]
	}
	return tlv(0x02, b)
}

// sysDescr0 is 1.3.6.1.2.1.1.1.0 encoded.
var sysDescr0 = []byte{0x2b, 6, 1, 2, 1, 1, 1, 0}

// communityPDU is a v1/v2c message: version, community, PDU of type tag
// with its two middle integers (error status/index, or non-repeaters and
// max-repetitions) and one varbind for oid.
func communityPDU(version uint32, community string, tag byte, reqID, a, b uint32, oid []byte) []byte {
	vb := tlv(0x30, tlv(0x30, tlv(0x06, oid), []byte{0x05, 0x00}))
	return tlv(0x30, berInt(version), tlv(0x04, []byte(community)), tlv(tag, berInt(reqID), berInt(a), berInt(b), vb))
}

// v3Discovery is the engine ID probe every v3 manager sends first.
func v3Discovery() []byte {
	header := tlv(0x30, berInt(0x1234), berInt(65507), tlv(0x04, []byte{0x04}), berInt(3))
	usm := tlv(0x04, tlv(0x30, tlv(0x04, nil), berInt(0), berInt(0), tlv(0x04, nil), tlv(0x04, nil), tlv(0x04, nil)))
	scoped := tlv(0x30, tlv(0x04, nil), tlv(0x04, nil), tlv(0xa0, berInt(77), berInt(0), berInt(0), tlv(0x30)))
	return tlv(0x30, berInt(3), header, usm, scoped)
}

// FuzzLiveSNMP sends each input as one datagram to a running flowtapd's
// agent and then a valid Get, which must be answered: a crash (the
// process gone), a hang (no answer) or a recovered panic (its log line)
// fails the input. It runs only under -fuzz (go test -run '^$' -fuzz
// FuzzLiveSNMP -fuzztime 60s -parallel 1 ./appliance/cmd/flowtapd/),
// not in make test: each fuzz process starts its own daemon.
func FuzzLiveSNMP(f *testing.F) {
	if fl := flag.Lookup("test.fuzz"); fl == nil || fl.Value.String() == "" {
		f.Skip("a live fuzz: run it with -fuzz FuzzLiveSNMP")
	}
	if os.Geteuid() != 0 {
		f.Fatal("flowtapd needs root (bpffs): run as root")
	}
	seeds := [][]byte{
		communityPDU(1, "public", 0xa0, 1, 0, 0, sysDescr0),
		communityPDU(0, "public", 0xa1, 2, 0, 0, []byte{0x2b}),
		communityPDU(1, "public", 0xa5, 3, 0, 0x7fffffff, []byte{0x2b}),
		communityPDU(1, "private", 0xa3, 4, 0, 0, sysDescr0),
		communityPDU(1, "wrong", 0xa0, 5, 0, 0, sysDescr0),
		v3Discovery(),
		tlv(0x30, bytes.Repeat([]byte{0x30, 0x80}, 500)), // deep, indefinite nesting
		{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	dir := f.TempDir()
	bin := filepath.Join(dir, "flowtapd")
	if out, err := testproc.CombinedOutput(exec.Command("go", "build", "-o", bin, ".")); err != nil {
		f.Fatalf("build flowtapd: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "startup-config")
	if err := os.WriteFile(cfg, []byte("hostname fuzz\nsnmp-server community public RO\nsnmp-server community private RW\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	agent := pc.LocalAddr().String()
	pc.Close()
	pin := fmt.Sprintf("/sys/fs/bpf/flowtap-snmpfuzz-%d", os.Getpid())
	var log syncbuf.Buffer
	cmd := exec.Command(bin, "--config", cfg, "--running", filepath.Join(dir, "running-config"), "--state", filepath.Join(dir, "state"),
		"--pin-dir", pin, "--control", filepath.Join(dir, "control.sock"), "--ssh-listen", "127.0.0.1:0", "--snmp-listen", agent,
		"--dhcp-lease", filepath.Join(dir, "dhcp.lease"))
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := testproc.Start(cmd); err != nil {
		f.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	f.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		os.RemoveAll(pin)
	})
	to, err := net.ResolveUDPAddr("udp", agent)
	if err != nil {
		f.Fatal(err)
	}
	// Each input comes from its own address in 127.2.0.0/16 and each
	// probe from its own in 127.3.0.0/16: the agent's per-source limits
	// (a rate, and a source that fails too often is ignored for a while)
	// would otherwise drop most inputs before the decoder sees them, and
	// the probes.
	from := func(block byte, n uint32) *net.UDPAddr {
		return &net.UDPAddr{IP: []byte{127, block, byte(n >> 8), byte(n)}}
	}
	// alive sends a Get and waits for its answer.
	reqID := uint32(1 << 20)
	alive := func(wait time.Duration) error {
		reqID++
		id := berInt(reqID)
		conn, err := net.DialUDP("udp", from(3, reqID), to)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.Write(communityPDU(1, "public", 0xa0, reqID, 0, 0, sysDescr0)); err != nil {
			return err
		}
		buf := make([]byte, 65536)
		deadline := time.Now().Add(wait)
		for {
			conn.SetReadDeadline(deadline)
			n, err := conn.Read(buf)
			if err != nil {
				return fmt.Errorf("no answer to a valid Get: %w", err)
			}
			if bytes.Contains(buf[:n], id) && bytes.Contains(buf[:n], []byte("flowtap")) {
				return nil
			}
		}
	}
	for start := time.Now(); alive(200*time.Millisecond) != nil; {
		if time.Since(start) > 20*time.Second {
			f.Fatalf("the agent never answered; log:\n%s", log.String())
		}
	}
	var n uint32
	f.Fuzz(func(t *testing.T, pkt []byte) {
		if len(pkt) > 65507 {
			return
		}
		n++
		fc, err := net.DialUDP("udp", from(2, n), to)
		if err != nil {
			t.Fatal(err)
		}
		_, err = fc.Write(pkt)
		fc.Close()
		if err != nil {
			t.Fatal(err)
		}
		err = alive(5 * time.Second)
		select {
		case <-exited:
			t.Fatalf("flowtapd exited on % x; log:\n%s", pkt, log.String())
		default:
		}
		if err != nil {
			t.Fatalf("after % x: %v; log:\n%s", pkt, err, log.String())
		}
		if strings.Contains(log.String(), "panic") {
			t.Fatalf("after % x the agent recovered a panic:\n%s", pkt, log.String())
		}
	})
}
