package snmp

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/internal/mibfiles"
	"github.com/flowtap/flowtap/internal/testproc"
)

const hostModules = "HOST-RESOURCES-MIB:HOST-RESOURCES-TYPES:UCD-SNMP-MIB:SNMPv2-MIB"

func cmdOut(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := testproc.Output(exec.Command(name, args...))
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return strings.TrimSpace(string(out))
}

// TestNetSNMPWalkHostResources walks HOST-RESOURCES-MIB, UCD-SNMP-MIB's
// memory, load and CPU objects and sysORTable with the MIB files, and
// checks the figures against the host's own tools: getconf for the
// cores, free for memory, df for the disk, ps for the process.
func TestNetSNMPWalkHostResources(t *testing.T) {
	b := newFakeBackend()
	cfg := testConfig(b)
	disk := t.TempDir()
	cfg.HostDisks = []string{disk}
	_, v4, _ := startAgent(t, cfg)
	walk := func(root string) map[string]string {
		out, err := mibfiles.Run(t, hostModules, "snmpbulkwalk", "-v2c", "-c", roCommunity, "-Os", "-OQ", v4, root)
		if err != nil {
			t.Fatalf("snmpbulkwalk %s: %v", root, err)
		}
		got := map[string]string{}
		for _, l := range lines(out) {
			if strings.Contains(l, "Wrong Type") {
				t.Errorf("net-snmp says the agent's syntax is not the MIB's: %s", l)
			}
			if k, v, ok := strings.Cut(l, " = "); ok {
				got[k] = v
			}
		}
		return got
	}
	hr := walk("host")
	ucd := walk("ucdavis")
	sys := walk("system")

	// One hrProcessorLoad per online core, each 0..100.
	cores, _ := strconv.Atoi(cmdOut(t, "getconf", "_NPROCESSORS_ONLN"))
	for i := 0; i < cores; i++ {
		idx := strconv.Itoa(hrProcessorBase + i)
		l, err := strconv.Atoi(hr["hrProcessorLoad."+idx])
		if err != nil || l < 0 || l > 100 {
			t.Errorf("hrProcessorLoad.%s = %q", idx, hr["hrProcessorLoad."+idx])
		}
		if hr["hrDeviceType."+idx] != "hrDeviceProcessor" {
			t.Errorf("hrDeviceType.%s = %q", idx, hr["hrDeviceType."+idx])
		}
	}
	if _, extra := hr["hrProcessorLoad."+strconv.Itoa(hrProcessorBase+cores)]; extra {
		t.Errorf("more hrProcessorLoad rows than the %d online cores", cores)
	}

	// Memory as free -k counts it.
	var memTotal, swapTotal string
	for _, l := range strings.Split(cmdOut(t, "free", "-k"), "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "Mem:" {
			memTotal = f[1]
		}
		if len(f) > 1 && f[0] == "Swap:" {
			swapTotal = f[1]
		}
	}
	for name, want := range map[string]string{
		"hrMemorySize.0":             memTotal + " KBytes",
		"hrStorageSize.1":            memTotal,
		"hrStorageType.1":            "hrStorageRam",
		"hrStorageAllocationUnits.1": "1024 Bytes",
		"hrStorageSize.3":            swapTotal,
		"hrStorageDescr.31":          disk,
		"hrStorageType.31":           "hrStorageFixedDisk",
	} {
		if hr[name] != want {
			t.Errorf("%s = %q, want %q", name, hr[name], want)
		}
	}
	if want := memTotal + " kB"; ucd["memTotalReal.0"] != want {
		t.Errorf("memTotalReal.0 = %q, want %q", ucd["memTotalReal.0"], want)
	}
	// The disk: units times size is df's size.
	unit := strings.TrimSuffix(hr["hrStorageAllocationUnits.31"], " Bytes")
	u, _ := strconv.ParseUint(unit, 10, 64)
	n, _ := strconv.ParseUint(hr["hrStorageSize.31"], 10, 64)
	if df := strings.Fields(strings.Split(cmdOut(t, "df", "-B1", "--output=size", disk), "\n")[1])[0]; strconv.FormatUint(u*n, 10) != df {
		t.Errorf("hrStorage disk %d x %d bytes; df says %s", n, u, df)
	}

	// hrSWRun: this process, as ps names it.
	pid := strconv.Itoa(os.Getpid())
	if want := `"` + cmdOut(t, "ps", "-o", "comm=", "-p", pid) + `"`; hr["hrSWRunName."+pid] != want {
		t.Errorf("hrSWRunName.%s = %q, want %s", pid, hr["hrSWRunName."+pid], want)
	}
	if hr["hrSWRunType."+pid] != "application" || hr["hrSWRunStatus."+pid] != "running" {
		t.Errorf("hrSWRunType/Status.%s = %q/%q", pid, hr["hrSWRunType."+pid], hr["hrSWRunStatus."+pid])
	}
	if kb := strings.TrimSuffix(hr["hrSWRunPerfMem."+pid], " KBytes"); kb == "" || kb == "0" {
		t.Errorf("hrSWRunPerfMem.%s = %q", pid, hr["hrSWRunPerfMem."+pid])
	}

	// The load averages, in both forms.
	for i := 1; i <= 3; i++ {
		s := strconv.Itoa(i)
		if !regexp.MustCompile(`^\d+\.\d\d$`).MatchString(ucd["laLoad."+s]) || ucd["laLoadInt."+s] == "" {
			t.Errorf("laLoad.%s = %q, laLoadInt = %q", s, ucd["laLoad."+s], ucd["laLoadInt."+s])
		}
		if strings.Replace(strings.TrimLeft(ucd["laLoad."+s], "0"), ".", "", 1) != strings.TrimLeft(ucd["laLoadInt."+s], "0") {
			t.Errorf("laLoad.%s %s is not laLoadInt %s / 100", s, ucd["laLoad."+s], ucd["laLoadInt."+s])
		}
	}
	if ucd["ssCpuRawIdle.0"] == "" {
		t.Errorf("no ssCpuRawIdle")
	}

	// sysORTable names the modules served, the host ones among them.
	var ids []string
	for k, v := range sys {
		if strings.HasPrefix(k, "sysORID.") {
			ids = append(ids, v)
		}
	}
	joined := strings.Join(ids, " ")
	for _, want := range []string{"hostResourcesMibModule", "ucdavis", "snmpMIB"} {
		if !strings.Contains(joined, want) {
			t.Errorf("sysORTable lacks %s: %v", want, ids)
		}
	}
	t.Logf("hrProcessorLoad: %s %s; memory %s KiB", hr["hrProcessorLoad.196608"], hr["hrProcessorLoad.196609"], memTotal)
}

// TestHrSystemUptimeWraps: a host up for 497 days and 20 minutes reads
// 20 minutes in hrSystemUptime, as TimeTicks wrap at 2^32 hundredths;
// before, it stuck at 4294967295 from day 497 on.
func TestHrSystemUptimeWraps(t *testing.T) {
	for _, tc := range []struct {
		up   time.Duration
		want uint32
	}{
		{time.Hour, 360000},
		{(1<<32 - 1) * 10 * time.Millisecond, 1<<32 - 1},
		{(1<<32+123456)*10*time.Millisecond + 5*time.Millisecond, 123456},
	} {
		if got := ticks(tc.up); got != tc.want {
			t.Errorf("ticks(%v) = %d, want %d", tc.up, got, tc.want)
		}
	}
}
