package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/collector"
	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// orphanHelperEnv makes a re-executed test binary the one that gets
// killed in TestKilledTestLeavesNoDaemon.
const orphanHelperEnv = "FLOWTAP_E2E_ORPHAN_HELPER"

func TestKilledTestLeavesNoDaemonHelper(t *testing.T) {
	if os.Getenv(orphanHelperEnv) == "" {
		t.Skip("run by TestKilledTestLeavesNoDaemon")
	}
	v := testnet.Enter(t)
	capd := collector.StartNfcapd(t)
	d := startDaemon(t, fmt.Sprintf(`hostname orphan
username admin secret letmein
interface %s
 ip flow ingress
!
ip flow-export version 9
ip flow-export destination %s %d
`, v.Mon, capd.Addr.Addr(), capd.Addr.Port()))
	fmt.Printf("pids %d %d\n", d.cmd.Process.Pid, capd.Pid())
	select {}
}

// TestKilledTestLeavesNoDaemon SIGKILLs a test binary that runs flowtapd
// (XDP attached in the test's namespace, pins in bpffs) and nfcapd, as a
// -timeout past its grace or a CI runner does: no Cleanup runs, and
// session 14 found both daemons still running afterwards. Both must be
// gone within a second.
func TestKilledTestLeavesNoDaemon(t *testing.T) {
	helper := exec.Command(os.Args[0], "-test.run=^TestKilledTestLeavesNoDaemonHelper$", "-test.count=1")
	helper.Env = append(os.Environ(), orphanHelperEnv+"=1")
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	helper.Stderr = os.Stderr
	if err := testproc.Start(helper); err != nil {
		t.Fatal(err)
	}
	hpid := helper.Process.Pid
	// What the killed binary leaves that is not a process: the next
	// binary's testnet.Enter sweeps it; this test removes its own.
	t.Cleanup(func() {
		testproc.Run(exec.Command("ip", "netns", "del", fmt.Sprintf("flowtap-test-%d-1", hpid)))
		os.RemoveAll(filepath.Join("/sys/fs/bpf", fmt.Sprintf("flowtap-e2e-%d", hpid)))
	})
	lines := make(chan string, 1)
	go func() {
		// The helper's test log shares its stdout: pass it on until the
		// pids come.
		var said strings.Builder
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "pids ") {
				lines <- sc.Text()
				return
			}
			said.WriteString(sc.Text() + "\n")
		}
		lines <- said.String()
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(2 * time.Minute):
		helper.Process.Kill()
		helper.Wait()
		t.Fatal("the helper test binary did not start flowtapd and nfcapd in 2 minutes")
	}
	var pids []int
	for _, f := range strings.Fields(strings.TrimPrefix(line, "pids ")) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	if len(pids) != 2 {
		helper.Process.Kill()
		helper.Wait()
		t.Fatalf("helper said %q, want flowtapd's and nfcapd's pids", line)
	}
	t.Cleanup(func() {
		for _, p := range pids {
			if running(p) {
				syscall.Kill(p, syscall.SIGKILL)
			}
		}
	})
	for _, p := range pids {
		if !running(p) {
			t.Fatalf("process %d not running before the kill", p)
		}
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	helper.Wait()
	deadline := time.Now().Add(time.Second)
	for i, p := range pids {
		for running(p) {
			if time.Now().After(deadline) {
				t.Fatalf("%s (pid %d) still runs a second after its test binary was killed", []string{"flowtapd", "nfcapd"}[i], p)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// running says whether pid runs; a zombie has finished.
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}
