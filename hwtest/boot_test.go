package hwtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/hwtest/vm"
	"github.com/flowtap/flowtap/image/build"
)

// bootTarget is the boot-time goal to the console prompt under TCG: a
// figure the boot test logs, not a pass mark (speed goals live in
// benchmarks). bootWait is how long a boot may take before a test calls
// it hung: on the 2-core CI machine, loaded by other tests and another
// QEMU, a boot has taken over 45 s to its prompt.
const (
	bootTarget = 10 * time.Second
	bootWait   = 3 * time.Minute
)

// bootDiskless starts the image with no persistent disk and both
// monitored ports' host ends as sockets, for this test alone.
func bootDiskless(t *testing.T) *vm.VM {
	t.Helper()
	c := vm.Image(t)
	c.Eth1Socket, c.Eth2Socket = vm.Sockets(t)
	return vm.Start(t, c)
}

// TestBootToPrompt: with no persistent disk the image reaches the CLI
// prompt on the console within the boot limit, having loaded the virtio
// drivers, set the links up and started flowtapd on the built-in config.
func TestBootToPrompt(t *testing.T) {
	v := bootDiskless(t)
	took, prog := v.WaitReady(bootWait)
	t.Logf("FIGURE boot to prompt: %.2fs (target %s)", took.Seconds(), bootTarget)
	if took > bootTarget {
		t.Logf("boot to prompt is over the %s target", bootTarget)
	}
	if prog != "/bin/flowtap" {
		t.Errorf("console runs %s, want the flowtap CLI (/bin/flowtap)", prog)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`flowtapinit: .* modules: loaded .*\bvirtio_net\b`),
		regexp.MustCompile(`flowtapinit: .* network: links up: eth0 eth1 eth2`),
		regexp.MustCompile(`flowtapinit: .* config: no persistent disk .*built-in default config`),
		regexp.MustCompile(`flowtapinit: .* supervisor: started /bin/flowtapd --config /etc/flowtap/startup-config.default`),
	} {
		if len(v.Lines(want)) == 0 {
			t.Errorf("console has no line matching %q", want)
		}
	}
	// The firmware turns the terminal's line wrap off (ESC [?7l); the image
	// turns it on again before the CLI prints, or every line wider than
	// make qemu's terminal is cut at its edge.
	text := v.Console.Text()
	wrapOff, wrapOn, ready := strings.LastIndex(text, "\x1b[?7l"), strings.LastIndex(text, "\x1b[?7h"), strings.Index(text, "console ready")
	t.Logf("line wrap: last turned off at byte %d, on at %d, console ready at %d", wrapOff, wrapOn, ready)
	if wrapOn < wrapOff || wrapOn < 0 || wrapOn > ready {
		t.Errorf("the console's line wrap is not turned back on (ESC [?7h) after the firmware's ESC [?7l and before the CLI")
	}
	// The image's flowtapd says which image it is: image- and the start of
	// the inputs digest out/manifest.txt records (not the unstamped "dev").
	repo, err := vm.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(build.Defaults(repo).Out, build.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	digest := regexp.MustCompile(`(?m)^inputs ([0-9a-f]+)$`).FindSubmatch(manifest)
	if digest == nil {
		t.Fatalf("no inputs digest in the manifest:\n%s", manifest)
	}
	version := build.ImageVersion(string(digest[1]))
	// (A prebuilt daemon, HWTEST_FLOWTAPD_BIN, carries its own version.)
	if os.Getenv(vm.EnvDaemonBin) == "" && len(v.Lines(regexp.MustCompile(`%FLOWTAP-6-INFO: flowtapd running: version `+regexp.QuoteMeta(version)+`, `))) == 0 {
		t.Errorf("the console has no flowtapd running line with version %s", version)
	}
	if len(v.Lines(regexp.MustCompile(`flowtapinit: .* starting \(`+regexp.QuoteMeta(version)+` kernel `))) == 0 {
		t.Errorf("flowtapinit's starting line does not name the image %s", version)
	}
	// quiet (the kernel command line's, as make qemu's): the kernel's
	// warnings stay off the console, where they would land in the CLI's
	// prompt; the XDP attach on a virtio NIC always logs one.
	if kw := v.Lines(regexp.MustCompile(`\[\s*\d+\.\d+\] .*XDP request \d+ queues`)); len(kw) > 0 {
		t.Errorf("kernel warnings reach the console under quiet: %q", kw)
	}
	// u-root's init mounted cgroup v1 memory and cpuset controllers this
	// kernel has only in v2, and the kernel's errors reached the console
	// at every boot; the image's u-root leaves them out.
	if ce := v.Lines(regexp.MustCompile(`cgroup: |u-root init: error`)); len(ce) > 0 {
		t.Errorf("cgroup or init errors on the console at boot: %q", ce)
	}
	// The built-in default config's login is documented: the console
	// says so at every boot that runs it, and how to change it.
	if len(v.Lines(regexp.MustCompile(`flowtapinit: .* config: warning: user admin has the built-in default password .*write memory`))) == 0 {
		t.Errorf("the console does not warn that user admin has the built-in default password")
	}
	if len(v.Lines(regexp.MustCompile(`supervisor: started .* --startup-volatile`))) == 0 {
		t.Errorf("flowtapd was not told its startup-config is in RAM (--startup-volatile)")
	}
	// Without a disk, write memory warns instead of printing [OK].
	off := v.Console.Len()
	v.Type("write memory\r")
	_, end := v.ExpectFrom(regexp.MustCompile(`write memory\r\n(?s:.*)\r\nflowtap#`), off, consoleWait)
	if screen := v.Console.Text()[off:end]; !regexp.MustCompile(`% Warning: no persistent disk: the configuration was not saved`).MatchString(screen) ||
		regexp.MustCompile(`\[OK\]`).MatchString(screen) {
		t.Errorf("write memory without a disk:\n%s", screen)
	}
}
