package hwtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/internal/testproc"
)

// TestMakeHelpListsEveryTarget: `make help` is what a new operator types
// first, so every target the Makefiles declare phony (but the internal
// ones) must have its line there, and every line must name a real target.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	phony := map[string]bool{}
	for _, f := range []string{"Makefile", "mk/image.mk"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindAllStringSubmatch(string(b), -1) {
			for _, name := range strings.Fields(m[1]) {
				phony[name] = true
			}
		}
	}
	cmd := exec.Command("make", "-s", "help")
	cmd.Dir = ".."
	out, err := testproc.CombinedOutput(cmd)
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+make ([a-z-]+)\s`).FindAllStringSubmatch(string(out), -1) {
		listed[m[1]] = true
		if !phony[m[1]] {
			t.Errorf("make help lists %q, which no .PHONY line declares", m[1])
		}
	}
	internal := map[string]bool{"all": true, "help": true, "image-deps": true}
	for name := range phony {
		if !internal[name] && !listed[name] {
			t.Errorf("make help does not list the target %q", name)
		}
	}
}

// TestMakeQemuRefusesTakenPorts: with the host port that QEMU is to
// forward to the appliance's SSH or SNMP already taken (another make qemu,
// a test's VM), make qemu says which and how to pick another before it
// starts anything, instead of QEMU dying with "Could not set up host
// forwarding rule" after the collector and the replay started. No image
// is needed: the ports are checked first.
func TestMakeQemuRefusesTakenPorts(t *testing.T) {
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss (iproute2) not installed")
	}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	freeTCP, err := hostPort(t, "tcp", 0)
	if err != nil {
		t.Fatal(err)
	}
	freeUDP, err := hostPort(t, "udp", 0)
	if err != nil {
		t.Fatal(err)
	}
	takenTCP, takenUDP := tcp.Addr().(*net.TCPAddr).Port, udp.LocalAddr().(*net.UDPAddr).Port
	out := t.TempDir() // no image in it: a run that got past the ports says so
	for _, c := range []struct {
		ssh, snmp int
		want      string
	}{
		{takenTCP, freeUDP, fmt.Sprintf("make qemu: 127.0.0.1:%d/tcp (SSH to the appliance) is in use by another program (another make qemu?): SSH_PORT=N picks another", takenTCP)},
		{freeTCP, takenUDP, fmt.Sprintf("make qemu: 127.0.0.1:%d/udp (SNMP to the appliance) is in use by another program (another make qemu?): SNMP_PORT=N picks another", takenUDP)},
		{freeTCP, freeUDP, "make qemu: no image: " + out + "/vmlinuz is missing"},
	} {
		cmd := exec.Command("./image/qemu.sh")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "IMAGE_OUT="+out, "DISK=none", fmt.Sprintf("SSH_PORT=%d", c.ssh), fmt.Sprintf("SNMP_PORT=%d", c.snmp))
		screen, err := testproc.CombinedOutput(cmd)
		if err == nil || !strings.Contains(string(screen), c.want) {
			t.Errorf("make qemu with SSH_PORT=%d SNMP_PORT=%d: %v, want %q in:\n%s", c.ssh, c.snmp, err, c.want, screen)
		}
	}
}

// TestReadmeDemoMatchesMakeQemu: the README's demo commands name the
// ports make qemu forwards by default, the community and login of the
// image's built-in configuration, and the files the MIB walk loads, so
// that a change to any of them cannot leave the walk-through behind.
func TestReadmeDemoMatchesMakeQemu(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	readme, script, def := read("README.md"), read("image/qemu.sh"), read("image/startup-config.default")
	deflt := func(v string) string {
		m := regexp.MustCompile(v + `=\$\{` + v + `:-(\d+)\}`).FindStringSubmatch(script)
		if m == nil {
			t.Fatalf("image/qemu.sh sets no default %s", v)
		}
		return m[1]
	}
	ssh, snmp := deflt("SSH_PORT"), deflt("SNMP_PORT")
	if !strings.Contains(def, "snmp-server community public RO") {
		t.Fatal("the built-in configuration's community is not public: the README's walks would time out")
	}
	for _, want := range []string{
		"ssh -p " + ssh + " " + demoUser + "@127.0.0.1",
		"snmpwalk -v2c -c public 127.0.0.1:" + snmp + " 1.3.6.1.4.1.9.9.387",
		"snmpwalk -m FLOWTAP-MIB -M +mibs:testdata/mibs -v2c -c public 127.0.0.1:" + snmp + " flowtapDatapath",
		"nfdump -R out/flows -o line",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md lacks the demo command %q", want)
		}
	}
	for _, f := range []string{"mibs/FLOWTAP-MIB.my", "testdata/mibs/CISCO-NETFLOW-MIB.my"} {
		if _, err := os.Stat(filepath.Join("..", f)); err != nil {
			t.Errorf("the README's MIB walk needs %s: %v", f, err)
		}
	}
	if !regexp.MustCompile(`(?m)^flowtapDatapath\s+OBJECT IDENTIFIER`).MatchString(read("mibs/FLOWTAP-MIB.my")) {
		t.Error("FLOWTAP-MIB defines no flowtapDatapath, which the README walks")
	}
}
