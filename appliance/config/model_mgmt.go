package config

import (
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

// SNMP is the `snmp-server` configuration. The agent answers once a
// community or a user exists (Enabled).
type SNMP struct {
	Communities []Community // in configuration order
	Views       []SNMPView
	Groups      []SNMPGroup
	Users       []SNMPUser
	Hosts       []TrapHost
	Location    string
	Contact     string
	// EngineID is `snmp-server engineID local HEX`, snmpEngineID; empty
	// is the agent's default, until an SNMPv3 user needs one to localize
	// its keys to.
	EngineID string
	// RemoteEngines are `snmp-server engineID remote ADDR [udp-port P]
	// HEX`: the engine IDs of inform receivers, which their remote users'
	// keys are localized to.
	RemoteEngines []RemoteEngine
	Traps         bool // snmp-server enable traps: every notification
	// AuthTraps is `snmp-server enable traps snmp authentication`:
	// authenticationFailure only (Traps includes it, as on IOS).
	AuthTraps bool
	// TrapTypes are the other notifications chosen one by one, as a
	// pasted IOS configuration names them (`snmp-server enable traps
	// snmp linkdown linkup coldstart warmstart`, `snmp-server enable
	// traps config`); Traps includes them all.
	TrapTypes TrapTypes
}

// TrapTypes are the notifications `snmp-server enable traps TYPE` can
// choose besides authenticationFailure (AuthTraps): IOS's `snmp` types,
// `config` (ciscoConfigManEvent), `entity` (entConfigChange) and
// flowtap's own `fibre` (flowtapFibreSilent and its clearing
// flowtapFibreReceives, which IOS has no type for).
type TrapTypes struct {
	LinkDown, LinkUp, ColdStart, WarmStart, Config, Entity, Fibre bool
}

// AuthenTraps reports whether authenticationFailure is sent.
func (s SNMP) AuthenTraps() bool { return s.Traps || s.AuthTraps }

// Enabled reports whether the agent should listen.
func (s SNMP) Enabled() bool { return len(s.Communities) > 0 || len(s.Users) > 0 }

// Community is `snmp-server community NAME [view V] [ro|rw] [ACL]`.
type Community struct {
	Name string
	// View is the MIB view (SNMP.Views) it reads and, when RW, writes;
	// "" is every object. A view that is not configured holds nothing,
	// as on IOS: a typo in the name must not open the whole MIB.
	View string
	RW   bool
	ACL  string // access list number or name; "" is none
}

// SecurityLevel is the SNMPv3 level of a group or a notification host.
type SecurityLevel uint8

const (
	LevelNoAuth SecurityLevel = iota
	LevelAuth
	LevelPriv
)

// SNMPGroup is `snmp-server group NAME v3 noauth|auth|priv [read V]
// [write V] [access ACL]`. Its users' requests need at least Level. Read
// "" reads every object; Write "" writes none, as on IOS; a view that is
// not configured holds nothing.
type SNMPGroup struct {
	Name  string
	Level SecurityLevel
	Read  string
	Write string
	ACL   string // access list its users' requests must pass; "" is none
}

// SNMPView is `snmp-server view NAME OID-TREE included|excluded`, one
// line per subtree (RFC 3415's vacmViewTreeFamilyTable without masks).
type SNMPView struct {
	Name     string
	Subtrees []ViewSubtree // in configuration order
}

// ViewSubtree is one subtree of a view: OID is as typed, dotted numbers
// or one of the names ViewOID knows (iso, mib-2, ...).
type ViewSubtree struct {
	OID      string
	Excluded bool
}

// Key is the subtree's OID as numbers, so that `iso` and `1` are one.
func (t ViewSubtree) Key() string {
	o, err := ViewOID(t.OID)
	if err != nil {
		return t.OID
	}
	return FormatOID(o)
}

// GroupOf is a local user's group, and why the user's requests are all
// refused ("" when they are not): its group is not configured (RFC 3415
// noGroupName), or asks for more security than the user is configured
// with, so no request can meet it.
func (s SNMP) GroupOf(u SNMPUser) (g SNMPGroup, refused string) {
	i := slices.IndexFunc(s.Groups, func(g SNMPGroup) bool { return g.Name == u.Group })
	if i < 0 {
		return SNMPGroup{}, "group " + u.Group + " is not configured"
	}
	g = s.Groups[i]
	level := LevelNoAuth
	switch {
	case u.Priv != PrivNone:
		level = LevelPriv
	case u.Auth != AuthNone:
		level = LevelAuth
	}
	if g.Level > level {
		return g, "group " + g.Name + " needs more security than the user has"
	}
	return g, ""
}

// View is the view named name; ok is false when none is configured.
func (s SNMP) View(name string) (SNMPView, bool) {
	for _, v := range s.Views {
		if v.Name == name {
			return v, true
		}
	}
	return SNMPView{}, false
}

// V1Default is the name of IOS's built-in view.
const V1Default = "v1default"

// V1DefaultView is IOS's built-in v1default, the view of a community or
// group that names none: iso but the SNMPv3 security and access
// configuration (SNMP-USER-BASED-SM-MIB, SNMP-VIEW-BASED-ACM-MIB and
// SNMP-COMMUNITY-MIB), so that a read community cannot read the users and
// views. The agent enforces it and `show snmp view` lists it from this one
// definition, in IOS's own names and order [SRC: an IOS `show snmp view`
// transcript: v1default iso included, internet.6.3.15, .16 and .18
// excluded, then Cisco-private ciscoMgmt subtrees flowtap does not serve].
func V1DefaultView() SNMPView {
	return SNMPView{Name: V1Default, Subtrees: []ViewSubtree{
		{OID: "iso"},
		{OID: "internet.6.3.15", Excluded: true},
		{OID: "internet.6.3.16", Excluded: true},
		{OID: "internet.6.3.18", Excluded: true},
	}}
}

// ReadView is the view a community or group naming name reads: the
// configured view, or v1default for "" and for v1default itself unless a
// view is configured under that name. ok is false when no such view
// exists (the community or group then sees nothing).
func (s SNMP) ReadView(name string) (SNMPView, bool) {
	if name == "" {
		name = V1Default
	}
	if v, ok := s.View(name); ok {
		return v, true
	}
	if name == V1Default {
		return V1DefaultView(), true
	}
	return SNMPView{}, false
}

// AuthProtocol and PrivProtocol are the SNMPv3 protocols of a user:
// usmkey's, which the agent uses too, so that the model and the agent
// share one numbering and one key hash per protocol (AuthProtocol.KeyHash
// sizes the stored keys).
type (
	AuthProtocol = usmkey.AuthProtocol
	PrivProtocol = usmkey.PrivProtocol
)

const (
	AuthNone   = usmkey.AuthNone
	AuthSHA    = usmkey.AuthSHA    // HMAC-SHA-96 (RFC 3414)
	AuthSHA256 = usmkey.AuthSHA256 // HMAC-SHA-256 (RFC 7860)
	AuthMD5    = usmkey.AuthMD5    // HMAC-MD5-96 (RFC 3414)

	PrivNone   = usmkey.PrivNone
	PrivAES128 = usmkey.PrivAES // RFC 3826
	PrivDES    = usmkey.PrivDES // DES-CBC (RFC 3414)
)

// SNMPUser is `snmp-server user NAME GROUP v3 [auth md5|sha|sha-256 PASS
// [priv des|aes 128 PASS]] [access ACL]`. The passphrases are not kept:
// the line is stored as the keys localized to the agent's engine ID (RFC
// 3414 2.6, as net-snmp and IOS keep them), hex, and shown as `snmp-server
// user NAME GROUP v3 encrypted auth ... KEY`, which reads back the same.
// A passphrase cannot be recovered from them, and they are good for this
// engine only; SNMP.EngineID is therefore set with the first user.
type SNMPUser struct {
	Name    string
	Group   string
	Auth    AuthProtocol
	AuthKey USMKey // localized: the hash's size
	Priv    PrivProtocol
	PrivKey USMKey // localized: 16 octets
	ACL     string // access list its requests must pass; "" is none
	// Remote is set for `snmp-server user NAME GROUP remote ADDR
	// [udp-port P] v3 ...`: a user of the inform receiver there, its keys
	// localized to that receiver's engine ID (RemoteEngines).
	Remote     netip.Addr
	RemotePort uint16 // 0 is 162
}

// RemoteEngine is `snmp-server engineID remote ADDR [udp-port P] HEX`.
type RemoteEngine struct {
	Addr     netip.Addr
	Port     uint16 // 0 is 162
	EngineID string // hex
}

// RemoteKey names a receiver the way remote users and engines refer to it.
func RemoteKey(a netip.Addr, port uint16) string {
	if port == 0 {
		port = DefaultTrapPort
	}
	return netip.AddrPortFrom(a, port).String()
}

// RemoteEngineID is the configured engine ID of the receiver at a:port.
func (s SNMP) RemoteEngineID(a netip.Addr, port uint16) string {
	for _, e := range s.RemoteEngines {
		if RemoteKey(e.Addr, e.Port) == RemoteKey(a, port) {
			return e.EngineID
		}
	}
	return ""
}

// RemoteUser is the user of the receiver at a:port named name.
func (s SNMP) RemoteUser(name string, a netip.Addr, port uint16) (SNMPUser, bool) {
	for _, u := range s.Users {
		if u.Name == name && u.Remote.IsValid() && RemoteKey(u.Remote, u.RemotePort) == RemoteKey(a, port) {
			return u, true
		}
	}
	return SNMPUser{}, false
}

// USMKey is a localized key in hex. It works against this engine as the
// passphrase would, so it is not printed: Stringer hides it from logs and
// diffs, and only the configuration files hold it.
type USMKey string

func (k USMKey) String() string {
	if k == "" {
		return ""
	}
	return "(localized key)"
}

// SNMPVersion is a notification host's SNMP version.
type SNMPVersion uint8

const (
	SNMPv1  SNMPVersion = iota // IOS's default when `version` is left out
	SNMPv2c                    // 2c
	SNMPv3                     // 3
)

// TrapHost is `snmp-server host ADDR [informs] [version 1|2c|3
// [noauth|auth|priv]] NAME [udp-port N]`; Name is the community (v1, v2c)
// or the user (v3).
type TrapHost struct {
	Addr    netip.Addr
	Informs bool
	Version SNMPVersion
	Level   SecurityLevel // v3 only
	Name    string
	Port    uint16 // udp-port; 0 is 162
}

// User is a local account for the console and SSH: `username NAME
// [privilege N] secret ...` and the flowtap extension `username NAME
// ssh-key TYPE BASE64`.
type User struct {
	Name      string
	Privilege int    // 1..15; 0 is IOS's default, 1
	Secret    Secret // unset: the account only logs in with a key
	// NoPassword is `username NAME nopassword`: the account logs in
	// without a password (any or none is taken), as on IOS. Distinct
	// from no Secret, which leaves the account to its keys. A nopassword
	// user with keys logs in with a key only (Config.NoPasswordLogin).
	NoPassword bool
	Keys       []SSHKey
	// FullName and UID are JunOS `system login user NAME full-name
	// "TEXT"` and `uid N`, which every user stanza pasted from a Junos
	// router carries; kept and shown, they change no login (flowtap has
	// no Unix accounts). 0 and "": none.
	FullName string
	UID      int
}

// SSH is `ip ssh ...`; zero fields are the defaults named.
type SSH struct {
	Port        int           // ip ssh port; 0 is 22
	Timeout     time.Duration // ip ssh time-out, seconds; 0 is 120 s
	AuthRetries int           // ip ssh authentication-retries; 0 is 3
	// Version2 is `ip ssh version 2`: SSH version 1 clients are
	// refused. flowtap's server speaks version 2 only, so it holds
	// either way; it is kept so the configuration reads as typed.
	Version2 bool
}

// LoginLimits are `ip ssh time-out` and `ip ssh authentication-retries`
// in force: IOS's 120 s and 3 when not configured.
func (s SSH) LoginLimits() (time.Duration, int) {
	window, tries := s.Timeout, s.AuthRetries
	if window == 0 {
		window = DefaultSSHTimeout
	}
	if tries == 0 {
		tries = DefaultSSHAuthRetries
	}
	return window, tries
}

// Metrics is `ip http metrics [port N] [access-class ACL]`: the
// Prometheus endpoint (/metrics), off unless configured. IOS has no such
// line; it sits beside `ip http port` and `ip http access-class`, which
// IOS's HTTP server takes.
type Metrics struct {
	Enabled     bool
	Port        int    // 0 is DefaultMetricsPort
	AccessClass string // the list readers must pass; "" is none
}

// VTY is the `line vty` lines: how many there are and each line's
// settings. Lines may differ, as on IOS (`line vty 0 4` for SSH with an
// access-class, `line vty 5 15` with `transport input none`): the
// embedded VTYLine is line 0's settings and those of every line Ranges
// leaves out; each range names consecutive lines that differ from line 0
// and agree with each other. Configure keeps that form (Canon), so two
// models that give every line the same settings are equal.
type VTY struct {
	// Last is the highest vty line configured (`line vty 0 15`: 15); 0
	// is IOS's default `line vty 0 4`. There are Last+1 lines: as many SSH
	// sessions may be open at once.
	Last int
	VTYLine
	// Ranges are the lines whose settings differ from line 0's, in
	// order, none overlapping and all within 1..Last.
	Ranges []VTYRange
}

// VTYRange is lines First..Last of `line vty` with settings of their own.
type VTYRange struct {
	First, Last int
	VTYLine
}

// VTYLine is one vty line's settings: `access-class ACL in`, the list SSH
// logins on it must pass ("" is none), `exec-timeout MIN [SEC]`, how long
// a session on it may wait for input before it is closed, and the rest.
type VTYLine struct {
	AccessClass string // a list's number or name
	// ExecTimeout is 0 for IOS's default, DefaultExecTimeout, and
	// NoExecTimeout for `exec-timeout 0 0` (never).
	ExecTimeout time.Duration
	// Login is `login local` (VTYLoginLocal, shown as typed; the
	// default, VTYLoginDefault, behaves the same) or `login` without
	// local (VTYLoginLine): the line's Password logs in, whatever user
	// name the SSH client sends, at the line's privilege level; with no
	// password set every login is refused ("Password required, but none
	// set"), as on IOS.
	Login VTYLogin
	// Password is `password ...`, the line password `login` asks for,
	// kept reversibly as IOS keeps it (LinePassword).
	Password LinePassword
	// TransportInput is `transport input ...`: "" (the default, SSH),
	// "ssh", "none" (SSH refused on the line), "all" or "telnet ssh".
	// flowtap offers no telnet; a list naming it beside ssh keeps ssh,
	// and `transport input telnet` alone is refused.
	TransportInput string
	// TransportOutputNone is `transport output none`: a vty session
	// opens no outgoing connection, which is all flowtap offers.
	TransportOutputNone bool
	// Privilege is `privilege level N`, the level a vty login starts at
	// when the user has no `username NAME privilege N`; 0 is not set
	// (IOS's level 1).
	Privilege int
}

// Key names a range in diffs and errors: "5-15".
func (r VTYRange) Key() string { return strconv.Itoa(r.First) + "-" + strconv.Itoa(r.Last) }

// Line is vty n's settings.
func (v VTY) Line(n int) VTYLine {
	for _, r := range v.Ranges {
		if n >= r.First && n <= r.Last {
			return r.VTYLine
		}
	}
	return v.VTYLine
}

// Configure changes lines first..last (clipped to the lines there are)
// with set, keeping every other line as it was.
func (v *VTY) Configure(first, last int, set func(*VTYLine)) {
	lines := v.expand()
	for n := first; n <= last && n < len(lines); n++ {
		set(&lines[n])
	}
	v.compress(lines)
}

// SetLast makes the lines 0..last: lines added get IOS's defaults, as
// IOS creates them (they do not copy line 0), and lines removed take
// their settings with them.
func (v *VTY) SetLast(last int) {
	lines := v.expand()
	for len(lines) < last+1 {
		lines = append(lines, VTYLine{})
	}
	v.Last = last
	if last == DefaultVTYLast {
		v.Last = 0
	}
	v.compress(lines[:last+1])
}

// Canon puts v in the form Configure keeps: ranges merged, sorted, and
// only where lines differ from line 0.
func (v *VTY) Canon() { v.compress(v.expand()) }

func (v VTY) expand() []VTYLine {
	lines := make([]VTYLine, v.Lines())
	for n := range lines {
		lines[n] = v.Line(n)
	}
	return lines
}

func (v *VTY) compress(lines []VTYLine) {
	v.VTYLine, v.Ranges = lines[0], nil
	for n := 1; n < len(lines); n++ {
		switch l := lines[n]; {
		case l == lines[0]:
		case len(v.Ranges) > 0 && v.Ranges[len(v.Ranges)-1].Last == n-1 && v.Ranges[len(v.Ranges)-1].VTYLine == l:
			v.Ranges[len(v.Ranges)-1].Last = n
		default:
			v.Ranges = append(v.Ranges, VTYRange{First: n, Last: n, VTYLine: l})
		}
	}
}

// Groups are the lines as IOS's running-config lists them: runs of
// consecutive lines with the same settings.
func (v VTY) Groups() []VTYRange {
	var out []VTYRange
	for n := range v.Lines() {
		l := v.Line(n)
		if len(out) > 0 && out[len(out)-1].VTYLine == l {
			out[len(out)-1].Last = n
			continue
		}
		out = append(out, VTYRange{First: n, Last: n, VTYLine: l})
	}
	return out
}

// AcceptsSSH reports whether the line takes SSH connections at all
// (`transport input` names ssh); IOS gives a connection only such a line.
func (l VTYLine) AcceptsSSH() bool { return l.TransportInput != "none" }

// SSHLine is the line IOS would give the next SSH connection: the lowest
// numbered one that is not busy and takes SSH. ok is false when none is
// free; any reports whether any line takes SSH at all.
func (v VTY) SSHLine(busy func(n int) bool) (n int, ok, any bool) {
	for n := range v.Lines() {
		if !v.Line(n).AcceptsSSH() {
			continue
		}
		any = true
		if !busy(n) {
			return n, true, true
		}
	}
	return 0, false, any
}

// SSHLines is how many lines take SSH: the SSH sessions that may be open
// at once.
func (v VTY) SSHLines() int {
	n := 0
	for i := range v.Lines() {
		if v.Line(i).AcceptsSSH() {
			n++
		}
	}
	return n
}

// VTYLogin is `line vty` `login`.
type VTYLogin int

// The `login` forms of `line vty`.
const (
	VTYLoginDefault VTYLogin = iota // not configured: local users
	VTYLoginLocal                   // login local
	VTYLoginLine                    // login: the line's password
)

// LinePasswords reports whether some line logs in with its own password
// (`login` and `password`): SSH is then offered with no local user.
func (v VTY) LinePasswords() bool {
	for n := range v.Lines() {
		if l := v.Line(n); l.Login == VTYLoginLine && l.Password.IsSet() && l.AcceptsSSH() {
			return true
		}
	}
	return false
}

// RefusesSSH is why no vty line takes an SSH login, "" when one does.
func (v VTY) RefusesSSH() string {
	why := ""
	for n := range v.Lines() {
		if why = v.Line(n).RefusesSSH(); why == "" {
			return ""
		}
	}
	return why
}

// RefusesSSH is why the line takes no SSH login, "" when it does.
func (l VTYLine) RefusesSSH() string {
	switch {
	case l.TransportInput == "none":
		return "transport input none"
	case l.Login == VTYLoginLine && !l.Password.IsSet():
		return "login: password required, but none set"
	}
	return ""
}

// DefaultVTYLast is IOS's `line vty 0 4`; MaxVTYLast the highest line
// the grammar takes.
const (
	DefaultVTYLast = 4
	MaxVTYLast     = 15
)

// Lines is how many vty lines there are: SSH sessions that may be open
// at once.
func (v VTY) Lines() int {
	if v.Last == 0 {
		return DefaultVTYLast + 1
	}
	return v.Last + 1
}

// NoExecTimeout is `exec-timeout 0 0`: a session waits for input forever.
const NoExecTimeout time.Duration = -1

// IdleLimit is how long a session on the line may wait for input; 0 is
// forever.
func (v VTYLine) IdleLimit() time.Duration {
	switch v.ExecTimeout {
	case 0:
		return DefaultExecTimeout
	case NoExecTimeout:
		return 0
	}
	return v.ExecTimeout
}

// ExecLevel is `privilege exec level N COMMAND`: the exec command (and
// every command it begins) needs privilege N instead of its default.
// Command is the words as typed, single-spaced and in lower case; the CLI
// expands abbreviations when it applies the level.
type ExecLevel struct {
	Command string
	Level   int // 0..15
}

// ModeLevel is `privilege configure level N COMMAND` (a global
// configuration command) or `privilege interface level N COMMAND` (an
// interface-mode one): users at level N and above may enter the command
// and every command it begins, as on IOS. Command is lower-case words,
// single-spaced, in full or abbreviated as typed.
type ModeLevel struct {
	Mode    string // ModeConfigure or ModeInterface
	Command string
	Level   int // 0..15
}

// The configuration modes whose commands `privilege` can lower.
const (
	ModeConfigure = "configure"
	ModeInterface = "interface"
)

// Console is `line con 0`.
type Console struct {
	// LoginLocal is `login local`: the console asks for a configured
	// username and its secret before the CLI. Without it the console is
	// the box's physical access and starts privileged, as on IOS.
	LoginLocal bool
	// LoginLine is `login` without local: the console asks for Password
	// (no username) and starts at Privilege (0: IOS's 1). With no
	// password set it asks for nothing, as IOS's console does ("Login
	// disabled on line 0, until 'password' is set").
	LoginLine bool
	Password  LinePassword // password ...: reversible, as IOS keeps it
	Privilege int          // privilege level N
}

// AsksLinePassword reports whether the console asks for its password.
func (c Console) AsksLinePassword() bool { return c.LoginLine && c.Password.IsSet() }

// LoginBlock is `login block-for S attempts N within T`: after N failed
// logins within T from one source, logins from it are refused for S
// (IOS's quiet mode). Zero is not configured.
type LoginBlock struct {
	BlockFor time.Duration
	Attempts int
	Within   time.Duration
}

// LoginLog is `login on-failure log [every N]` or `login on-success log
// [every N]`: a failed login (SSH or the console) is logged as
// %SEC_LOGIN-4-LOGIN_FAILED, a successful one as
// %SEC_LOGIN-5-LOGIN_SUCCESS, only with its line, as on IOS, which logs
// neither by default. Every is N, the logins logged (each Nth); 0 is
// every one.
type LoginLog struct {
	On    bool
	Every int
}

// Logs reports whether the login numbered n (from 1; failures and
// successes are numbered apart) is logged.
func (l LoginLog) Logs(n uint64) bool {
	if !l.On {
		return false
	}
	return l.Every <= 1 || n%uint64(l.Every) == 0
}

// ArchiveLog is `archive` / ` log config`, IOS's configuration change
// logger: with `logging enable` every configuration line (and, in
// flowtap, every privileged exec command) is kept with its user and line
// for `show archive log config`, and with `notify syslog` also logged as
// %PARSER-5-CFGLOG_LOGGEDCMD. Off by default, as on IOS.
type ArchiveLog struct {
	Enabled      bool // logging enable
	Size         int  // logging size N, 1..1000 entries; 0 is DefaultArchiveLogSize
	NotifySyslog bool // notify syslog contenttype plaintext
	// HideKeys is `hidekeys`. flowtap masks secrets in every log whether
	// or not it is set; it is kept so the configuration reads as on IOS.
	HideKeys bool
}

// Logging is the syslog configuration.
type Logging struct {
	Hosts    []netip.Addr // logging host ADDR
	Buffered int          // logging buffered SIZE, bytes; 0 is not configured
	// Ports is `logging host ADDR transport udp port N` for hosts not
	// on 514, IOS's default.
	Ports []LogPort
	// BufferedLevel is `logging buffered [SIZE] LEVEL`, Trap `logging
	// trap LEVEL` (what goes to the hosts): a severity name as IOS shows
	// it, "" its default (debugging for the buffer, informational for
	// the hosts).
	BufferedLevel, Trap string
	// HostLevels are the hosts given a level of their own (JunOS `set
	// system syslog host A any LEVEL`; IOS has one level, Trap, for
	// every host): each gets the messages at that severity or above,
	// the other hosts Trap's. Canon keeps them only where a host's
	// level differs from the first host's, which Trap is then.
	HostLevels []LogLevel
	// Facility is `logging facility NAME`; "" is local7, IOS's default.
	Facility string
	// SourceInterface is `logging source-interface IF`: the messages
	// leave from its IPv4 address.
	SourceInterface string
}

// LogPort is one host's `transport udp port N`.
type LogPort struct {
	Addr netip.Addr
	Port int
}

// LogLevel is one host's own severity level, an IOS name (never "").
type LogLevel struct {
	Addr  netip.Addr
	Level string
}

// Key names the host in diffs.
func (l LogLevel) Key() string { return l.Addr.String() }

// HostLevel is the severity name of the messages host h gets: its own
// level, else Trap (informational when not set).
func (l Logging) HostLevel(h netip.Addr) string {
	for _, hl := range l.HostLevels {
		if hl.Addr == h {
			return hl.Level
		}
	}
	if l.Trap == "" {
		return "informational"
	}
	return l.Trap
}

// SetHostLevel gives host h a level of its own ("" for the default,
// informational) and puts the levels in their canonical form.
func (l *Logging) SetHostLevel(h netip.Addr, level string) {
	if level == "" {
		level = "informational"
	}
	l.HostLevels = append(slices.DeleteFunc(l.HostLevels, func(hl LogLevel) bool { return hl.Addr == h }), LogLevel{Addr: h, Level: level})
	l.CanonLevels()
}

// CanonLevels puts the host levels in the one form two equal settings
// share: Trap is the first host's level and HostLevels holds only the
// hosts whose level differs from it, in the hosts' order. Without hosts
// Trap stays as configured (IOS keeps `logging trap` for hosts to come).
func (l *Logging) CanonLevels() {
	if len(l.Hosts) == 0 {
		l.HostLevels = nil
		return
	}
	eff := make([]string, len(l.Hosts))
	for i, h := range l.Hosts {
		eff[i] = l.HostLevel(h)
	}
	l.Trap, l.HostLevels = eff[0], nil
	for i, h := range l.Hosts {
		if eff[i] != eff[0] {
			l.HostLevels = append(l.HostLevels, LogLevel{Addr: h, Level: eff[i]})
		}
	}
	if l.Trap == "informational" {
		l.Trap = ""
	}
}

// HostPort is where messages to host h go.
func (l Logging) HostPort(h netip.Addr) int {
	for _, p := range l.Ports {
		if p.Addr == h {
			return p.Port
		}
	}
	return DefaultSyslogPort
}

// LogSeverities are IOS's severity names, by number.
var LogSeverities = []string{"emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging"}

// LogFacilities are the syslog facilities `logging facility` takes, by
// code.
var LogFacilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7, "uucp": 8, "cron": 9,
	"sys9": 10, "sys10": 11, "sys11": 12, "sys12": 13, "sys13": 14, "sys14": 15,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// DefaultSyslogPort is where `logging host` sends without a port.
const DefaultSyslogPort = 514

// Severity is a level name's number, def for "".
func Severity(name string, def int) int {
	if i := slices.Index(LogSeverities, name); i >= 0 {
		return i
	}
	return def
}

// NTP is `ntp server ADDR [prefer]`.
type NTP struct {
	Servers []netip.Addr
	// Preferred are the servers configured with `prefer`: the client
	// asks them first.
	Preferred []netip.Addr
	// UpdateCalendar is `ntp update-calendar`: the hardware clock is set
	// from NTP time (where flowtapd sets the clock: the image). IOS
	// leaves the calendar alone without it, and so does flowtap.
	UpdateCalendar bool
}

// PollOrder is the order the client asks the servers in: the preferred
// ones first, each group as configured.
func (n NTP) PollOrder() []netip.Addr {
	out := make([]netip.Addr, 0, len(n.Servers))
	for _, s := range n.Servers {
		if slices.Contains(n.Preferred, s) {
			out = append(out, s)
		}
	}
	for _, s := range n.Servers {
		if !slices.Contains(n.Preferred, s) {
			out = append(out, s)
		}
	}
	return out
}
