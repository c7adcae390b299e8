package mgmtplane

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
)

// users implements mgmt/ssh's Users over the running config: the
// configured accounts, read at each login (SSH and the console's login).
type users struct{ m *daemon.Manager }

func (u users) find(name string) (config.User, bool) {
	for _, us := range u.m.Config().Users {
		if us.Name == name {
			return us, true
		}
	}
	return config.User{}, false
}

func (u users) CheckPassword(name, password string) bool {
	return u.m.Config().CheckLogin(name, password)
}

// NoPassword is `username NAME nopassword`.
func (u users) NoPassword(name string) bool { return u.m.Config().NoPasswordLogin(name) }

// Privilege is the user's level (IOS's default 1 when not configured); 0
// and false for no such user.
func (u users) Privilege(name string) (int, bool) {
	us, ok := u.find(name)
	if !ok {
		return 0, false
	}
	if us.Privilege == 0 {
		return config.DefaultPrivilege, true
	}
	return us.Privilege, true
}

// LoginBlock is `login block-for`.
func (u users) LoginBlock() (time.Duration, int, time.Duration) {
	b := u.m.Config().LoginBlock
	return b.BlockFor, b.Attempts, b.Within
}

// ExecTimeout is `line vty` `exec-timeout` (10 minutes unless set; 0
// for exec-timeout 0 0, never).
func (u users) ExecTimeout() time.Duration { return u.m.Config().VTY.IdleLimit() }

// LoginLimits are `ip ssh time-out` and `ip ssh authentication-retries`,
// IOS's 120 s and 3 when not configured.
func (u users) LoginLimits() (time.Duration, int) {
	s := u.m.Config().SSH
	window, tries := s.Timeout, s.AuthRetries
	if window == 0 {
		window = config.DefaultSSHTimeout
	}
	if tries == 0 {
		tries = config.DefaultSSHAuthRetries
	}
	return window, tries
}

func (u users) CheckKey(name string, key ssh.PublicKey) bool {
	us, ok := u.find(name)
	if !ok {
		return false
	}
	for _, k := range us.Keys {
		blob, err := base64.StdEncoding.DecodeString(k.Blob)
		if err == nil && bytes.Equal(blob, key.Marshal()) {
			return true
		}
	}
	return false
}

// Refuses is why `line vty` takes no SSH login: `transport input none`
// or `login` with no line password.
func (u users) Refuses() string { return u.m.Config().VTY.RefusesSSH() }

// VTYPrivilege is the level an SSH login starts at: the user's own
// `privilege`, else `line vty` `privilege level`, else IOS's 1.
func (u users) VTYPrivilege(name string) (int, bool) {
	us, ok := u.find(name)
	if !ok {
		return 0, false
	}
	if us.Privilege != 0 {
		return us.Privilege, true
	}
	if p := u.m.Config().VTY.Privilege; p != 0 {
		return p, true
	}
	return config.DefaultPrivilege, true
}

// Permit applies `line vty` `access-class`, standard or extended. An
// extended list sees TCP from the client to the address it connected to,
// on the configured SSH port (the appliance's; a test's --ssh-listen port
// is not what its lists name).
func (u users) Permit(from, to netip.Addr) bool {
	c := u.m.Config()
	port := c.SSH.Port
	if port == 0 {
		port = config.DefaultSSHPort
	}
	return u.m.ACL().Permits(c, c.VTY.AccessClass, config.Packet{Src: from, Dst: to, Protocol: 6, DstPort: uint16(port)})
}
