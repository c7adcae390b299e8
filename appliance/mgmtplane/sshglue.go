package mgmtplane

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/daemon"
)

// users implements mgmt/ssh's Users over the running config: the
// configured accounts, read at each login (SSH and the console's login).
// lines (nil for the console) are the open sessions: the checks made
// before a login apply the settings of the vty line it would be given.
type users struct {
	m     *daemon.Manager
	lines *lineTable
	// failures counts the failed logins (the plane's, shared by SSH and
	// the console); nil counts nothing and logs each.
	failures *atomic.Uint64
	// successes counts the successful logins likewise, for `login
	// on-success log every N`.
	successes *atomic.Uint64
}

// nextLine is the vty line an SSH connection arriving now would be given
// (IOS's lowest free line that takes SSH); ok is false when none is
// free, any when no line takes SSH at all.
func (u users) nextLine(c config.Config) (l config.VTYLine, ok, any bool) {
	busy := func(int) bool { return false }
	if u.lines != nil {
		busy = u.lines.vtyBusy()
	}
	n, ok, any := c.VTY.SSHLine(busy)
	return c.VTY.Line(n), ok, any
}

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

// LineLogin reports whether the line the next connection gets logs in
// with its own password (`login` and `password`).
func (u users) LineLogin() bool {
	l, ok, _ := u.nextLine(u.m.Config())
	return ok && l.Login == config.VTYLoginLine
}

// CheckLinePassword checks password against the line the next connection
// gets.
func (u users) CheckLinePassword(password string) bool {
	l, ok, _ := u.nextLine(u.m.Config())
	return ok && l.Login == config.VTYLoginLine && l.Password.Verify(password)
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

// LogFailure counts a failed login and reports whether `login
// on-failure log [every N]` logs it.
func (u users) LogFailure() bool {
	n := uint64(1)
	if u.failures != nil {
		n = u.failures.Add(1)
	}
	return u.m.Config().LoginFailureLog.Logs(n)
}

// LogSuccess counts a successful login and reports whether `login
// on-success log [every N]` logs it.
func (u users) LogSuccess() bool {
	n := uint64(1)
	if u.successes != nil {
		n = u.successes.Add(1)
	}
	return u.m.Config().LoginSuccessLog.Logs(n)
}

// LoginBlock is `login block-for`.
func (u users) LoginBlock() (time.Duration, int, time.Duration) {
	b := u.m.Config().LoginBlock
	return b.BlockFor, b.Attempts, b.Within
}

// ExecTimeout is `line vty 0` `exec-timeout` (10 minutes unless set; 0
// for exec-timeout 0 0, never). An SSH session is timed by its own
// line's instead (tracked.IdleLimit); this is for one without a line.
func (u users) ExecTimeout() time.Duration { return u.m.Config().VTY.IdleLimit() }

// LoginLimits are `ip ssh time-out` and `ip ssh authentication-retries`,
// IOS's 120 s and 3 when not configured.
func (u users) LoginLimits() (time.Duration, int) { return u.m.Config().SSH.LoginLimits() }

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

// Refuses is why the vty line a connection would be given takes no SSH
// login: `transport input none` on every line, or `login` with no line
// password on the line it gets. With every SSH line busy it lets the
// connection on, to be told so once logged in (refusedSession).
func (u users) Refuses() string {
	l, ok, any := u.nextLine(u.m.Config())
	switch {
	case !any:
		return "transport input none"
	case !ok:
		return ""
	}
	return l.RefusesSSH()
}

// VTYPrivilege is the level an SSH login on vty line starts at: the
// user's own `privilege`, else the line's `privilege level`, else IOS's
// 1. A login with the line's password has no user: the line's level.
func (u users) VTYPrivilege(name string, line config.VTYLine, lineLogin bool) (int, bool) {
	if lineLogin {
		if line.Privilege != 0 {
			return line.Privilege, true
		}
		return config.DefaultPrivilege, true
	}
	us, ok := u.find(name)
	if !ok {
		return 0, false
	}
	if us.Privilege != 0 {
		return us.Privilege, true
	}
	if line.Privilege != 0 {
		return line.Privilege, true
	}
	return config.DefaultPrivilege, true
}

// Permit applies the `access-class` of the vty line the connection would
// be given (with every line busy, line 0's: the connection is refused
// once logged in anyway).
func (u users) Permit(from, to netip.Addr) bool {
	c := u.m.Config()
	l, _, _ := u.nextLine(c)
	return u.permitOn(c, l, from, to)
}

// permitOn applies line's `access-class`, standard or extended. An
// extended list sees TCP from the client to the address it connected to,
// on the configured SSH port (the appliance's; a test's --ssh-listen port
// is not what its lists name).
func (u users) permitOn(c config.Config, line config.VTYLine, from, to netip.Addr) bool {
	port := c.SSH.Port
	if port == 0 {
		port = config.DefaultSSHPort
	}
	return u.m.ACL().Permits(c, line.AccessClass, config.Packet{Src: from, Dst: to, Protocol: 6, DstPort: uint16(port)})
}
