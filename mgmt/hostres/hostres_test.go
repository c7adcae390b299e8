package hostres

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/testproc"
)

// tool runs a command-line tool whose figures this package must agree
// with: procps's free and ps, coreutils' df, getconf.
func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := testproc.Output(exec.Command(name, args...))
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return strings.TrimSpace(string(out))
}

func TestMemoryAgreesWithFree(t *testing.T) {
	m, err := ReadMemory()
	if err != nil {
		t.Fatal(err)
	}
	// free -k: "Mem:  total used free shared buff/cache available".
	var mem, swap []string
	for _, l := range strings.Split(tool(t, "free", "-k"), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 1 && f[0] == "Mem:":
			mem = f
		case len(f) > 1 && f[0] == "Swap:":
			swap = f
		}
	}
	if mem == nil || swap == nil {
		t.Fatal("free -k printed no Mem: or Swap: line")
	}
	if mem[1] != strconv.FormatUint(m.Total, 10) || swap[1] != strconv.FormatUint(m.SwapTotal, 10) {
		t.Errorf("MemTotal %d KiB, SwapTotal %d KiB; free -k says %s and %s", m.Total, m.SwapTotal, mem[1], swap[1])
	}
	t.Logf("memory %+v", m)
}

func TestFileSystemAgreesWithDf(t *testing.T) {
	dir := t.TempDir()
	fs, err := ReadFileSystem(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(strings.Split(tool(t, "df", "-B1", "--output=size", dir), "\n")[1])
	if size := strconv.FormatUint(fs.Blocks*fs.BlockSize, 10); f[0] != size {
		t.Errorf("size %s bytes; df says %s", size, f[0])
	}
	t.Logf("%s: %d blocks of %d, %d used", dir, fs.Blocks, fs.BlockSize, fs.Used)
}

func TestProcessAgreesWithPs(t *testing.T) {
	pid := os.Getpid()
	p, err := ReadProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if want := tool(t, "ps", "-o", "comm=", "-p", strconv.Itoa(pid)); p.Name != want {
		t.Errorf("name %q; ps says %q", p.Name, want)
	}
	exe, _ := os.Executable()
	if p.Path != exe {
		t.Errorf("path %q; os.Executable says %q", p.Path, exe)
	}
	if want := strings.Join(os.Args[1:], " "); p.Parameters != want {
		t.Errorf("parameters %q, want %q", p.Parameters, want)
	}
	if p.RSSKiB == 0 {
		t.Errorf("a running test has no resident memory: %+v", p)
	}
	// top's columns against ps's: threads, nice, virtual size (KiB,
	// which moves a little as the runtime maps memory).
	f := strings.Fields(tool(t, "ps", "-o", "nlwp=,ni=,vsz=,stat=", "-p", strconv.Itoa(pid)))
	// The state is the moment's (this process runs as it reads itself).
	if len(f) < 4 || f[1] != strconv.Itoa(p.Nice) || !strings.ContainsRune("RSD", rune(p.State)) {
		t.Errorf("nice %d, state %c; ps says %q", p.Nice, p.State, f)
	}
	if threads, _ := strconv.Atoi(f[0]); threads < 1 || p.Threads < 1 {
		t.Errorf("threads %d; ps says %s", p.Threads, f[0])
	}
	if vsz, _ := strconv.ParseUint(f[2], 10, 64); p.VSizeKiB == 0 || p.VSizeKiB > vsz*2 || vsz > p.VSizeKiB*2 {
		t.Errorf("vsize %d KiB; ps says %s", p.VSizeKiB, f[2])
	}
	t.Logf("%+v", p)
}

// TestProcessStates: the states counted add up to the processes there
// are (give or take those that come and go meanwhile), and the last pid
// is at least one the kernel gave out.
func TestProcessStates(t *testing.T) {
	st, err := ProcessStates()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := Processes()
	sum := 0
	for _, c := range st {
		sum += c
	}
	if sum == 0 || sum < n-10 || sum > n+10 {
		t.Errorf("states %v add to %d; %d processes", st, sum, n)
	}
	if last, err := LastPID(); err != nil || last < 1 {
		t.Errorf("LastPID = %d, %v", last, err)
	}
}

func TestCPULoadPerCore(t *testing.T) {
	n, err := strconv.Atoi(tool(t, "getconf", "_NPROCESSORS_ONLN"))
	if err != nil {
		t.Fatal(err)
	}
	var c CPULoad
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx, 100*time.Millisecond); close(done) }()
	// Keep a core busy meanwhile, so the window holds real work.
	stop := time.Now().Add(time.Second)
	for time.Now().Before(stop) {
	}
	cancel()
	<-done
	load, err := c.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(load) != n {
		t.Fatalf("%d cores' load, getconf says %d online", len(load), n)
	}
	sum := 0
	for i, l := range load {
		if l < 0 || l > 100 {
			t.Errorf("core %d: load %d%%", i, l)
		}
		sum += l
	}
	// This goroutine spun for a second: some core was busy.
	if sum == 0 {
		t.Errorf("no core was busy while one spun: %v", load)
	}
	t.Logf("load per core over the last second: %v", load)
}

func TestLoadAverageAndUptime(t *testing.T) {
	la, err := LoadAverage()
	if err != nil {
		t.Fatal(err)
	}
	up, err := Uptime()
	if err != nil || up <= 0 {
		t.Fatalf("uptime %v, %v", up, err)
	}
	n, err := Processes()
	if err != nil || n < 1 {
		t.Fatalf("%d processes, %v", n, err)
	}
	t.Logf("load %v, up %v, %d processes", la, up, n)
}

// TestBootTime: the real /proc/stat's btime is in the past, and agrees
// with /proc/uptime to within a couple of seconds.
func TestBootTime(t *testing.T) {
	boot, err := BootTime()
	if err != nil {
		t.Fatal(err)
	}
	up, err := Uptime()
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(boot) - up; d < -2*time.Second || d > 2*time.Second {
		t.Errorf("boot %v, %v ago; uptime %v", boot, time.Since(boot), up)
	}
}
