package ios

import (
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
)

// TestPrivilegeConfigure: `privilege configure|interface level 5 ...`
// lets a level-5 user enter those commands (and their `no` forms) and no
// others; `?` lists only them; level 1 still cannot configure.
func TestPrivilegeConfigure(t *testing.T) {
	f := &fakeBackend{cfg: config.Config{Hostname: "tap1",
		ExecLevels: []config.ExecLevel{{Command: "configure terminal", Level: 5}},
		ModeLevels: []config.ModeLevel{{Mode: config.ModeConfigure, Command: "interface", Level: 5},
			{Mode: config.ModeInterface, Command: "description", Level: 5},
			{Mode: config.ModeConfigure, Command: "logging host", Level: 5},
			{Mode: config.ModeConfigure, Command: "hostname", Level: 7},
			// `ip` begins `ipv6` but is another command: not lowered.
			{Mode: config.ModeConfigure, Command: "ipv6 access-list", Level: 5}}}}
	s, _ := vtySession(f, "op5", 5)
	got := transcript(s, `
configure terminal
?
logging ?
lo?
hostname x
ip flow-export destination 192.0.2.1 9995
loggi h 192.0.2.7
no logging host 192.0.2.7
interface eth1
 ?
 description uplink A
 ip flow ingress
 logging host 192.0.2.1
no logging host 192.0.2.1
logging buffered 8192
snmp-server community x RO
end`)
	want := `tap1#configure terminal
Enter configuration commands, one per line.  End with CNTL/Z.
tap1(config)#?
  default    Set a command to its defaults
  end        Exit from configure mode
  exit       Exit from configure mode
  interface  Select an interface to configure
  ipv6       Global IPv6 configuration commands
  logging    Modify message logging facilities
  no         Negate a command or set its defaults
tap1(config)#logging ?
  host  Set syslog server IP address and parameters
tap1(config)#lo?
logging
tap1(config)#hostname x
             ^
% Invalid input detected at '^' marker.
tap1(config)#ip flow-export destination 192.0.2.1 9995
             ^
% Invalid input detected at '^' marker.
tap1(config)#loggi h 192.0.2.7
tap1(config)#no logging host 192.0.2.7
tap1(config)#interface eth1
tap1(config-if)# ?
  default      Set a command to its defaults
  description  Interface specific description
  exit         Exit from interface configuration mode
  no           Negate a command or set its defaults
tap1(config-if)# description uplink A
tap1(config-if)# ip flow ingress
                 ^
% Invalid input detected at '^' marker.
tap1(config-if)# logging host 192.0.2.1
tap1(config)#no logging host 192.0.2.1
tap1(config)#logging buffered 8192
             ^
% Invalid input detected at '^' marker.
tap1(config)#snmp-server community x RO
             ^
% Invalid input detected at '^' marker.
tap1(config)#end
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
	if it, _ := f.cfg.Interface("eth1"); it.Description != "uplink A" || it.Ingress {
		t.Errorf("eth1: %+v", it)
	}
	if len(f.cfg.Logging.Hosts) != 0 {
		t.Errorf("logging hosts %v", f.cfg.Logging.Hosts)
	}
	// Given show running-config, the user sees what it may configure.
	f.cfg.ExecLevels = append(f.cfg.ExecLevels, config.ExecLevel{Command: "show running-config", Level: 5})
	f.cfg.Logging.Hosts = nil
	transcript(s, "configure terminal\nlogging host 192.0.2.9\ninterface eth2\n ip flow ingress\nend")
	f.cfg.Interfaces[0].Ingress = true
	got = transcript(s, "show running-config")
	want = `tap1#show running-config
Building configuration...

Current configuration : 87 bytes
!
interface eth1
 description uplink A
!
interface eth2
!
logging host 192.0.2.9
!
end
`
	if got != want {
		t.Errorf("running-config at level 5:\n%s\nwant:\n%s\nwhole:\n%s", got, want, f.RunningConfig())
	}
	one, _ := vtySession(f, "op1", 1)
	if got := transcript(one, "configure terminal"); got != "tap1>configure terminal\n     ^\n% Invalid input detected at '^' marker.\n" {
		t.Errorf("level 1: %q", got)
	}
}
