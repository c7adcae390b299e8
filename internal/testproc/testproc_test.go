package testproc_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testnet"
	"github.com/flowtap/flowtap/internal/testproc"
)

// helperEnv makes a re-executed test binary act as the test process that
// gets killed: it starts a forking child through testproc, reports the
// pids, and waits to be killed.
const helperEnv = "FLOWTAP_TESTPROC_HELPER"

func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by TestChildrenDieWithTestBinary")
	}
	// The leader (sh) forks a sleep of its own, as trafgen forks its
	// sender: both must go.
	cmd := exec.Command("sh", "-c", `sleep 1000 & echo "$$ $!"; wait`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if err := testproc.Start(cmd); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	// Passed on only now that Start has returned: a kill before that
	// would test a half-started child.
	line, _ := bufio.NewReader(out).ReadString('\n')
	fmt.Print(line)
	select {}
}

// TestChildrenDieWithTestBinary kills a test binary with SIGKILL, as a
// -timeout past its grace or a CI runner does, so none of its Go code
// runs, and checks that its child and grandchild are gone within a second.
func TestChildrenDieWithTestBinary(t *testing.T) {
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	helper.Env = append(os.Environ(), helperEnv+"=1")
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		helper.Process.Kill()
		helper.Wait()
		t.Fatalf("read the helper's pids: %v (got %q)", err, line)
	}
	var pids []int
	for _, f := range strings.Fields(line) {
		p, err := strconv.Atoi(f)
		if err != nil {
			helper.Process.Kill()
			helper.Wait()
			t.Fatalf("helper said %q", line)
		}
		pids = append(pids, p)
	}
	if len(pids) != 2 {
		t.Fatalf("helper said %q, want two pids", line)
	}
	// Whatever happens below, nothing this test made outlives it.
	t.Cleanup(func() {
		for _, p := range pids {
			if alive(p) {
				syscall.Kill(p, syscall.SIGKILL)
			}
		}
	})
	for _, p := range pids {
		if !alive(p) {
			t.Fatalf("process %d is not running before the kill", p)
		}
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	helper.Wait()
	deadline := time.Now().Add(time.Second)
	for _, p := range pids {
		for alive(p) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d (of sh %d and its sleep %d) still runs a second after its test binary was killed", p, pids[0], pids[1])
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// alive says whether pid runs: a zombie has finished, whether or not its
// new parent has reaped it yet.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// TestChildOutlivesItsStartersThread starts a child from a goroutine that
// locks its thread and returns without unlocking, so Go ends the thread:
// the parent-death signal set on a fork from that thread would kill the
// child then, halfway through the test that wanted it.
func TestChildOutlivesItsStartersThread(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		started <- testproc.Start(cmd)
	}()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	select {
	case err := <-exited:
		t.Fatalf("child died when the thread that asked for it ended: %v", err)
	case <-time.After(time.Second):
	}
}

// TestLeaderExitTakesGroup: a forked helper left behind by a leader that
// exits goes with it.
func TestLeaderExitTakesGroup(t *testing.T) {
	cmd := exec.Command("sh", "-c", `sleep 1000 >/dev/null & echo $!`)
	out, err := testproc.Output(cmd)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("sh said %q", out)
	}
	deadline := time.Now().Add(time.Second)
	for alive(p) {
		if time.Now().After(deadline) {
			syscall.Kill(p, syscall.SIGKILL)
			t.Fatalf("sleep %d still runs a second after its leader exited", p)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestChildStartsInCallersNamespace: a test that entered a namespace gets
// its children there, as cmd.Start from its own thread would.
func TestChildStartsInCallersNamespace(t *testing.T) {
	root, err := os.Readlink("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	testnet.Enter(t)
	want, err := os.Readlink("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if want == root {
		t.Fatal("testnet.Enter left the thread in the root namespace")
	}
	out, err := testproc.CombinedOutput(exec.Command("readlink", "/proc/self/ns/net"))
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("child in %s, want the caller's %s", got, want)
	}
	// And the spawner went home: a child from an unlocked goroutine
	// starts in the root namespace.
	got := make(chan string)
	go func() {
		out, err := testproc.Output(exec.Command("readlink", "/proc/self/ns/net"))
		if err != nil {
			got <- err.Error()
			return
		}
		got <- strings.TrimSpace(string(out))
	}()
	if g := <-got; g != root {
		t.Errorf("child of an unlocked goroutine in %s, want the root namespace %s", g, root)
	}
}
