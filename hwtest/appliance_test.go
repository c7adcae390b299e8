package hwtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/hwtest/vm"
)

// The appliance as an operator sets it up: a persistent disk holding the
// startup-config below, SSH and SNMP reached from the host through QEMU's
// forwarded ports, both monitored ports fed from the host.
const (
	probeHostname = "hwtest-probe"
	probeUser     = "admin"
	probePassword = "hwtest-secret"
	// Preferred host ports for the guest's SSH and SNMP (as make qemu
	// uses); a free port is taken instead when one is in use.
	sshHostPort  = 2222
	snmpHostPort = 1161
)

// probeConfig is the startup-config on the appliance's disk: both ports
// metered in the best XDP mode, NetFlow v9; the tests add the export
// destination (their own collector) and the timeouts they need.
const probeConfig = `hostname ` + probeHostname + `
username ` + probeUser + ` privilege 15 secret ` + probePassword + `
snmp-server community public RO
!
interface eth1
 ip flow ingress
!
interface eth2
 ip flow ingress
!
ip flow-cache timeout inactive 10
ip flow-cache timeout active 1
ip flow-export version 9
!
end
`

// applianceVM is booted once for every test that uses it (and again
// after a reload, from the same disk).
var applianceVM = &vm.Shared{Name: "appliance", Setup: setUpAppliance, ReadyTimeout: bootWait}

func setUpAppliance(t testing.TB, dir string) (vm.Config, error) {
	c := vm.Image(t)
	c.Eth1Socket, c.Eth2Socket = vm.SocketsIn(dir)
	for _, s := range []string{c.Eth1Socket, c.Eth2Socket} {
		if err := os.Remove(s); err != nil && !errors.Is(err, os.ErrNotExist) {
			return c, fmt.Errorf("stale socket: %w", err)
		}
	}
	c.Disk = filepath.Join(dir, "disk.img")
	if _, err := os.Stat(c.Disk); errors.Is(err, os.ErrNotExist) {
		if c.Disk, err = vm.MakeConfigDisk(dir, map[string]string{"startup-config": probeConfig}); err != nil {
			return c, err
		}
	}
	var err error
	if c.SSHPort, err = hostPort(t, "tcp", sshHostPort); err != nil {
		return c, err
	}
	if c.SNMPPort, err = hostPort(t, "udp", snmpHostPort); err != nil {
		return c, err
	}
	return c, nil
}

// hostPort returns the preferred loopback port when it is free, else a
// free one (another QEMU, such as make qemu's, may hold the preferred).
func hostPort(t testing.TB, network string, preferred int) (int, error) {
	listen := func(port int) (int, error) {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if network == "udp" {
			c, err := net.ListenPacket("udp", addr)
			if err != nil {
				return 0, err
			}
			defer c.Close()
			return c.LocalAddr().(*net.UDPAddr).Port, nil
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return 0, err
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port, nil
	}
	if p, err := listen(preferred); err == nil {
		return p, nil
	}
	p, err := listen(0)
	if err != nil {
		return 0, fmt.Errorf("no free %s port on 127.0.0.1: %w", network, err)
	}
	t.Logf("127.0.0.1:%d/%s is in use (another QEMU?): forwarding 127.0.0.1:%d/%s instead", preferred, network, p, network)
	return p, nil
}

// probe is the appliance VM as one test uses it.
type probe struct {
	*vm.VM
	sshAddr  string // host address forwarded to the guest's 22/tcp
	snmpAddr string // host address forwarded to the guest's 161/udp
}

// appliance returns the shared appliance VM for t, at its console prompt.
func appliance(t *testing.T) *probe {
	t.Helper()
	v := applianceVM.Use(t)
	return &probe{VM: v,
		sshAddr:  fmt.Sprintf("127.0.0.1:%d", v.Config.SSHPort),
		snmpAddr: fmt.Sprintf("127.0.0.1:%d", v.Config.SNMPPort),
	}
}
