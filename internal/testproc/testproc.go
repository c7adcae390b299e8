// Package testproc starts the processes tests need (flowtapd, collectors,
// generators, net-snmp and OpenSSH clients) so that they die with the test
// binary however it ends: a -timeout panic, a SIGKILL, a CI runner that
// gives up. Test support only.
//
// Why a spawner thread. The kernel's parent-death signal
// (PR_SET_PDEATHSIG) fires when the thread that forked the child exits,
// not when its process does. Tests lock goroutines to threads to work in
// network namespaces, and a locked goroutine that returns without
// unlocking takes its thread with it, so a child forked on a test's own
// thread with the signal set could be killed halfway through the test.
// One goroutine locked to its thread and never unlocked keeps that thread
// alive as long as the process; every fork happens there, so the signal
// fires exactly when the process dies, by any route, including those in
// which no Go code runs (SIGKILL, a runtime fatal error).
//
// Why the caller's network namespace and CPU set travel to it. A child
// gets the forking thread's namespace and affinity, and tests rely on
// that: testnet.Enter moves the test's thread into its namespace, and the
// daemons the test then starts must listen and attach there. The spawner
// takes on the caller's for the fork and goes back to its own, so a child
// starts where it would have from the caller's thread.
//
// Why a guard process. The signal reaches only the child itself, and the
// kernel drops it when a child execs a setuid or file-capability program.
// Tools that fork (trafgen forks a sender even for one CPU, nfacctd its
// memory plugin, tshark dumpcap, sshpass ssh; nfcapd without -D does not)
// would leave theirs behind. So each child
// leads a process group of its own, and a small sh beside it blocks
// reading a pipe whose only writer is this process: when the process dies
// the kernel closes the pipe, the read ends and the guard kills the group.
// The guard is also told when the leader exits, and then kills what is
// left of the group, so a forked helper never outlives its leader.
//
// What still escapes: a descendant that leaves the group itself (setsid,
// daemon(3), as nfcapd -D does); no test starts one that way. What is not
// a process (network namespaces, bpffs pins) is swept by the next run:
// see Sweep.
package testproc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// request asks the spawner to start cmd in the caller's network namespace
// (ns, an open /proc/thread-self/ns/net) with the caller's CPU set.
type request struct {
	cmd  *exec.Cmd
	ns   int
	cpus unix.CPUSet
	done chan error
}

// The spawner is the one piece of process-wide state here: the thread it
// owns exists once per process by nature (it must outlive every test),
// and a second one would only be a second thread to keep alive.
var (
	spawnOnce sync.Once
	spawnReqs chan request
)

func spawner() chan request {
	spawnOnce.Do(func() {
		spawnReqs = make(chan request)
		ready := make(chan struct{})
		go spawn(spawnReqs, ready)
		<-ready
	})
	return spawnReqs
}

// spawn owns its thread for the life of the process: it never unlocks and
// never returns.
func spawn(reqs chan request, ready chan<- struct{}) {
	runtime.LockOSThread()
	home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		panic(fmt.Sprintf("testproc: open the spawner's network namespace: %v", err))
	}
	var homeCPUs unix.CPUSet
	if err := unix.SchedGetaffinity(0, &homeCPUs); err != nil {
		panic(fmt.Sprintf("testproc: read the spawner's CPU set: %v", err))
	}
	close(ready)
	for r := range reqs {
		r.done <- forkAs(r, home, homeCPUs)
	}
}

// forkAs starts r.cmd with the requester's namespace and CPU set, then puts
// the spawner's back. A spawner left in a test's namespace would start
// every later child there, so failing to return is fatal.
func forkAs(r request, home int, homeCPUs unix.CPUSet) error {
	same, err := sameFile(r.ns, home)
	if err != nil {
		return err
	}
	if !same {
		if err := unix.Setns(r.ns, unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("enter the caller's network namespace: %w", err)
		}
		defer func() {
			if err := unix.Setns(home, unix.CLONE_NEWNET); err != nil {
				panic(fmt.Sprintf("testproc: spawner cannot return to its network namespace: %v", err))
			}
		}()
	}
	if r.cpus != homeCPUs {
		if err := unix.SchedSetaffinity(0, &r.cpus); err != nil {
			return fmt.Errorf("take on the caller's CPU set: %w", err)
		}
		defer func() {
			if err := unix.SchedSetaffinity(0, &homeCPUs); err != nil {
				panic(fmt.Sprintf("testproc: spawner cannot restore its CPU set: %v", err))
			}
		}()
	}
	return r.cmd.Start()
}

func sameFile(a, b int) (bool, error) {
	var sa, sb unix.Stat_t
	if err := unix.Fstat(a, &sa); err != nil {
		return false, fmt.Errorf("stat network namespace: %w", err)
	}
	if err := unix.Fstat(b, &sb); err != nil {
		return false, fmt.Errorf("stat network namespace: %w", err)
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino, nil
}

// callerState reads the network namespace and CPU set of the calling
// goroutine's thread: the ones cmd.Start would have given the child.
func callerState() (ns int, cpus unix.CPUSet, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ns, err = unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, cpus, fmt.Errorf("open the caller's network namespace: %w", err)
	}
	if err := unix.SchedGetaffinity(0, &cpus); err != nil {
		unix.Close(ns)
		return -1, cpus, fmt.Errorf("read the caller's CPU set: %w", err)
	}
	return ns, cpus, nil
}

// Start is cmd.Start for a child that must not outlive this process: cmd
// and its process group are killed when the process dies, and whatever is
// left of the group when cmd exits. cmd gets its own process group unless
// it asks for a session (Setsid) or an existing group (Setpgid with a
// Pgid), which it keeps; in the last case only cmd itself is tied. The
// caller still Waits for cmd as usual.
func Start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	a := cmd.SysProcAttr
	a.Pdeathsig = syscall.SIGKILL
	ownGroup := a.Setsid || a.Pgid == 0
	if !a.Setsid && a.Pgid == 0 {
		a.Setpgid = true
	}
	ns, cpus, err := callerState()
	if err != nil {
		return err
	}
	defer unix.Close(ns)
	done := make(chan error, 1)
	spawner() <- request{cmd: cmd, ns: ns, cpus: cpus, done: done}
	if err := <-done; err != nil {
		return err
	}
	if !ownGroup {
		return nil
	}
	if err := guard(cmd.Process.Pid); err != nil {
		// The child runs untied to its group; kill it rather than leave a
		// test depending on a half-kept promise.
		cmd.Process.Kill()
		cmd.Wait()
		return err
	}
	return nil
}

// guard starts the sh that kills process group pgid when this process dies
// or when the group's leader (pid pgid) exits, whichever comes first.
func guard(pgid int) error {
	pidfd, err := unix.PidfdOpen(pgid, 0)
	if err != nil {
		return fmt.Errorf("pidfd for process %d: %w", pgid, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		unix.Close(pidfd)
		return fmt.Errorf("guard pipe: %w", err)
	}
	// `read` returns at a line (the leader exited) or at end of file (this
	// process died); either way the group goes. Its own group keeps it out
	// of a terminal's ^C to the test, which must not kill it first.
	g := exec.Command("sh", "-c", `read -r _; kill -s KILL -- -"$1" 2>/dev/null; exit 0`, "flowtap-testproc-guard", strconv.Itoa(pgid))
	g.Stdin = r
	g.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = g.Start()
	r.Close()
	if err != nil {
		w.Close()
		unix.Close(pidfd)
		return fmt.Errorf("start process group guard: %w", err)
	}
	go func() {
		waitExit(pidfd)
		unix.Close(pidfd)
		w.Write([]byte("exited\n")) //nolint:errcheck // a guard already gone has nothing left to do
		w.Close()
		g.Wait() //nolint:errcheck // its status says nothing about the child
	}()
	return nil
}

// waitExit blocks until the process behind pidfd has exited.
func waitExit(pidfd int) {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if err == nil || !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

// Run is cmd.Run through Start.
func Run(cmd *exec.Cmd) error {
	if err := Start(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}

// Output is cmd.Output through Start: stdout, and on an exit error the
// start of stderr in it, as exec.Cmd.Output does.
func Output(cmd *exec.Cmd) ([]byte, error) {
	if cmd.Stdout != nil {
		return nil, errors.New("testproc: Stdout already set")
	}
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	captureErr := cmd.Stderr == nil
	if captureErr {
		cmd.Stderr = &errb
	}
	err := Run(cmd)
	var ee *exec.ExitError
	if captureErr && errors.As(err, &ee) {
		ee.Stderr = errb.Bytes()
	}
	return out.Bytes(), err
}

// CombinedOutput is cmd.CombinedOutput through Start.
func CombinedOutput(cmd *exec.Cmd) ([]byte, error) {
	if cmd.Stdout != nil || cmd.Stderr != nil {
		return nil, errors.New("testproc: Stdout or Stderr already set")
	}
	var b bytes.Buffer
	cmd.Stdout = &b
	cmd.Stderr = &b
	err := Run(cmd)
	return b.Bytes(), err
}
