package daemon

import (
	"bytes"
	"encoding/base64"
	"net/netip"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/appliance/config"
)

// SSHUsers are the configured accounts, read at each login.
func (m *Manager) SSHUsers() SSHUsers { return SSHUsers{m} }

// SSHUsers implements mgmt/ssh's Users over the running config.
type SSHUsers struct{ m *Manager }

func (u SSHUsers) find(name string) (config.User, bool) {
	for _, us := range u.m.Config().Users {
		if us.Name == name {
			return us, true
		}
	}
	return config.User{}, false
}

func (u SSHUsers) CheckPassword(name, password string) bool {
	us, ok := u.find(name)
	return ok && us.Secret.IsSet() && us.Secret.Verify(password)
}

func (u SSHUsers) CheckKey(name string, key ssh.PublicKey) bool {
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

// Permit applies `line vty` `access-class`.
func (u SSHUsers) Permit(a netip.Addr) bool {
	c := u.m.Config()
	return c.ManagementPermits(c.VTY.AccessClass, a)
}
