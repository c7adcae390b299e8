// Package ssh serves the CLI over SSH (golang.org/x/crypto/ssh): password
// and public-key users from the configuration (and IOS's nopassword users,
// let in by the "none" method OpenSSH tries first), or a vty line's own
// password whatever the user name (Users.LineLogin: IOS's `login` with
// `password`), a host key generated once and kept in the state
// directory, failed logins delayed and logged (Users.LogFailure: `login
// on-failure log`), successful ones logged (Users.LogSuccess: `login
// on-success log`), and
// a source access list, and no login at all while the vty lines refuse
// them (Users.Refuses: `transport input none`). The front end is bounded before anyone logs in:
// a cap on unauthenticated connections in all and per source, a per-source
// connection rate, and IOS's `login block-for` quiet mode per source
// (see limits.go).
package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flowtap/flowtap/cli/control"
	"github.com/flowtap/flowtap/internal/accept"
	"github.com/flowtap/flowtap/internal/logsafe"
	"github.com/flowtap/flowtap/internal/syncfile"
)

// Users is the configured accounts, read at each login so a change to the
// configuration applies to the next one.
type Users interface {
	CheckPassword(user, password string) bool
	// NoPassword reports whether user logs in without a password (IOS's
	// `username NAME nopassword`): the SSH "none" method lets it in, and
	// CheckPassword takes any password for it.
	NoPassword(user string) bool
	CheckKey(user string, key ssh.PublicKey) bool
	// LineLogin reports whether the vty line a connection would be given
	// now logs in with its own password (`login` with `password`, not
	// `login local`): IOS then takes the line password whatever user
	// name the client sends, and no user's password, key or nopassword.
	LineLogin() bool
	// CheckLinePassword checks password against that line's.
	CheckLinePassword(password string) bool
	// Permit applies the management access list (`line vty` access-class)
	// to a connection from a client to one of the box's addresses.
	Permit(from, to netip.Addr) bool
	// Refuses is why the vty lines take no SSH login at all (`transport
	// input none`, `login` without a password to ask for), "" when they
	// do: the connection is closed before the handshake, as IOS refuses
	// a transport its lines do not take.
	Refuses() string
	// LogFailure is called at each failed password login and reports
	// whether it is logged (%SEC_LOGIN-4-LOGIN_FAILED): IOS logs them
	// only with `login on-failure log [every N]`.
	LogFailure() bool
	// LogSuccess is called at each successful login and reports whether
	// it is logged (%SEC_LOGIN-5-LOGIN_SUCCESS): IOS logs them only with
	// `login on-success log [every N]`.
	LogSuccess() bool
	// LoginBlock is `login block-for S attempts N within T`; zero
	// attempts is not configured.
	LoginBlock() (blockFor time.Duration, attempts int, within time.Duration)
	// ExecTimeout is `line vty` `exec-timeout`: how long a session may
	// wait for input before it is closed; 0 is forever. It is read
	// whenever input arrives, so a change applies to open sessions from
	// their next keystroke.
	ExecTimeout() time.Duration
	// LoginLimits are `ip ssh time-out` (the time a connection has to
	// authenticate) and `ip ssh authentication-retries` (the passwords it
	// may try), read at each connection so a change applies to the next
	// one; 0 is the default, DefaultLoginWindow and DefaultMaxTries.
	LoginLimits() (window time.Duration, tries int)
}

// IOS's defaults for `ip ssh time-out` and `ip ssh authentication-retries`.
const (
	DefaultLoginWindow = 120 * time.Second
	DefaultMaxTries    = 3
)

// Sessions makes the CLI session for a logged-in user.
type Sessions func(c Conn) control.Session

// Conn is what a session knows of the connection it runs on.
type Conn struct {
	User string
	// LineLogin is a login with a vty line's password (Users'
	// LineLogin): User is only what the client sent.
	LineLogin bool
	Remote    netip.AddrPort // the client's address
	Local     netip.Addr     // the box's address the client connected to
	// Close ends the connection, as `clear line` does.
	Close func()
	// In and Out are the cipher and MAC negotiated for each direction
	// (client to server, server to client), as IOS's `show ssh` lists
	// them; an AEAD cipher's MAC is "".
	In, Out Direction
}

// Direction is one direction's negotiated cipher and MAC.
type Direction struct{ Cipher, MAC string }

// Config of the server.
type Config struct {
	StateDir  string // the host key lives here
	Users     Users
	Sessions  Sessions
	FailDelay time.Duration // after a failed login; 0 means 1 s
	Limits    Limits        // the unauthenticated front end; zero fields are the defaults
	Logger    *slog.Logger
	// Banner, when set, is the text sent before authentication (IOS's
	// banner login; OpenSSH prints it before the password prompt); ""
	// sends none.
	Banner func() string
}

// Server accepts SSH connections.
type Server struct {
	cfg     Config
	ssh     *ssh.ServerConfig
	ln      net.Listener
	log     *slog.Logger
	wg      sync.WaitGroup
	mu      sync.Mutex
	failed  uint64
	sources *sources
	hostKey ssh.PublicKey
}

// HostKey loads the host key from dir, creating it on first use: clients
// must see the same key after a reboot or an upgrade.
func HostKey(dir string) (ssh.Signer, error) {
	return hostKey(dir, slog.New(slog.DiscardHandler))
}

// hostKeyFile is the host key's name in the state directory.
const hostKeyFile = "ssh_host_ed25519_key"

// hostKey is HostKey, logging to log when it has to replace a key file
// it cannot use.
func hostKey(dir string, log *slog.Logger) (ssh.Signer, error) {
	path := filepath.Join(dir, hostKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s, perr := ssh.ParsePrivateKey(b)
		if perr == nil {
			tighten(path, log)
			return s, nil
		}
		// An empty or torn key file (the box lost power while an older
		// flowtapd wrote it unsynced, or the disk damaged it) would keep
		// SSH down at every boot until someone removed it from a shell.
		// A new key brings SSH back; clients that knew the old one warn,
		// which is what they should do. The old file stays, as .bad.
		if err := os.Rename(path, path+".bad"); err != nil {
			return nil, fmt.Errorf("host key %s is unusable (%v) and cannot be moved aside: %w", path, perr, err)
		}
		log.Warn("ssh host key unusable, generated a new one: clients that knew the old key will warn",
			"file", path, "kept-as", path+".bad", "size", len(b), "err", perr)
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "flowtap host key")
	if err != nil {
		return nil, fmt.Errorf("encode host key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	// Synced (syncfile): renamed unsynced, the appliance's ext4 disk kept an
	// empty key file when the power went within half a minute of the first
	// boot, and SSH stayed down at every boot after.
	if err := syncfile.Write(path, pem.EncodeToMemory(block)); err != nil {
		return nil, fmt.Errorf("write host key: %w", err)
	}
	return ssh.NewSignerFromKey(priv)
}

// The algorithms the server offers, strongest first.
var (
	kexAlgos = []string{ssh.KeyExchangeMLKEM768X25519, ssh.KeyExchangeCurve25519,
		ssh.KeyExchangeECDHP256, ssh.KeyExchangeECDHP384, ssh.KeyExchangeECDHP521, ssh.KeyExchangeDH14SHA256}
	cipherAlgos = []string{ssh.CipherChaCha20Poly1305, ssh.CipherAES128GCM, ssh.CipherAES256GCM,
		ssh.CipherAES128CTR, ssh.CipherAES192CTR, ssh.CipherAES256CTR}
	macAlgos = []string{ssh.HMACSHA256ETM, ssh.HMACSHA512ETM, ssh.HMACSHA256, ssh.HMACSHA512, ssh.HMACSHA1}
	// pubKeyAlgos are the signatures a user's key may log in
	// with: RSA keys sign with SHA-2 (rsa-sha2-256/512), as OpenSSH 8.8
	// and later require.
	pubKeyAlgos = []string{ssh.KeyAlgoED25519, ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256,
		ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSASHA512}
)

// Algorithms are what the server offers, strongest first, in the SSH
// protocol's names: IOS's `show ip ssh` lists them.
type Algorithms struct {
	// Methods are the user authentication methods asked for; a
	// `nopassword` user also gets in by "none", which no server lists.
	Methods, PublicKey, Ciphers, MACs, KeyExchanges []string
	// MinDHBits is the smallest finite-field Diffie-Hellman group offered
	// (diffie-hellman-group14-sha256's 2048 bits).
	MinDHBits int
}

// Offered is the algorithms every connection is offered.
func Offered() Algorithms {
	return Algorithms{
		Methods:      []string{"publickey", "password"},
		PublicKey:    slices.Clone(pubKeyAlgos),
		Ciphers:      slices.Clone(cipherAlgos),
		MACs:         slices.Clone(macAlgos),
		KeyExchanges: slices.Clone(kexAlgos),
		MinDHBits:    2048,
	}
}

// HostKey is the server's public host key, in authorized_keys form
// without the newline ("ssh-ed25519 AAAA...").
func (s *Server) HostKey() string {
	return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(s.hostKey)), "\n")
}

// MaxSessions is how many sessions (channels) one SSH connection may have
// open at once; OpenSSH's sshd allows as many by default.
const MaxSessions = 10

// tighten makes a host key file that others may read (restored from a
// backup, copied in by hand) root's alone again. OpenSSH's sshd refuses
// such a key; flowtap keeps SSH up with it and says the key may have been
// read, which only the operator can judge.
func tighten(path string, log *slog.Logger) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	if err := os.Chmod(path, 0o600); err != nil {
		log.Error("ssh host key is readable by others and cannot be restricted", "file", path, "mode", fi.Mode().Perm().String(), "err", err)
		return
	}
	log.Warn("ssh host key was readable by others: restricted it to 0600; replace the key if others may have read it",
		"file", path, "was", fi.Mode().Perm().String())
}

// lineLoginExt marks, in a connection's permissions, a login with a vty
// line's password.
const lineLoginExt = "flowtap-line-login"

// Listen starts serving on addr (e.g. ":22").
func Listen(addr string, cfg Config) (*Server, error) {
	if cfg.FailDelay == 0 {
		cfg.FailDelay = time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key, err := hostKey(cfg.StateDir, log)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, sources: newSources(cfg.Limits.withDefaults()), hostKey: key.PublicKey()}
	s.ssh = &ssh.ServerConfig{
		BannerCallback: func(ssh.ConnMetadata) string {
			if cfg.Banner == nil {
				return ""
			}
			return cfg.Banner()
		},
		PasswordCallback: func(c ssh.ConnMetadata, pass []byte) (*ssh.Permissions, error) {
			// A source in quiet mode gets no answer on its passwords, right
			// or wrong: the block is what stops the guessing.
			quiet := s.sources.quiet(sourceOf(c.RemoteAddr()), time.Now())
			if cfg.Users.LineLogin() {
				if !quiet && cfg.Users.CheckLinePassword(string(pass)) {
					return &ssh.Permissions{Extensions: map[string]string{lineLoginExt: "yes"}}, nil
				}
				return nil, s.fail(c, "line password")
			}
			if !quiet && cfg.Users.CheckPassword(c.User(), string(pass)) {
				return &ssh.Permissions{}, nil
			}
			return nil, s.fail(c, "password")
		},
		// Every OpenSSH client asks "none" first: a nopassword user is in
		// without a prompt, everyone else is told the methods to use (no
		// delay, no log: it is not a guess).
		NoClientAuth: true,
		NoClientAuthCallback: func(c ssh.ConnMetadata) (*ssh.Permissions, error) {
			if !cfg.Users.LineLogin() && !s.sources.quiet(sourceOf(c.RemoteAddr()), time.Now()) && cfg.Users.NoPassword(c.User()) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("a password or key is needed")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			// Quiet mode refuses every login from the source, as IOS
			// does, a key too: a connection opened before the block began
			// could otherwise still log in during it.
			if !cfg.Users.LineLogin() && !s.sources.quiet(sourceOf(c.RemoteAddr()), time.Now()) && cfg.Users.CheckKey(c.User(), k) {
				return &ssh.Permissions{}, nil
			}
			// An offered key that is not the user's is the normal first
			// step of a client with several keys: no delay, no log.
			return nil, errors.New("key not accepted")
		},
		ServerVersion: "SSH-2.0-flowtap",
		// Only what OpenSSH 9's sshd offers by default: x/crypto's own
		// defaults also offer diffie-hellman-group14-sha1 and hmac-sha1-96
		// and accept ssh-rsa (SHA-1) and ssh-dss signatures for public
		// key logins, which an audit of a box facing a hostile network
		// flags and IOS's `ip ssh server algorithm` lists do not carry.
		PublicKeyAuthAlgorithms: pubKeyAlgos,
	}
	s.ssh.KeyExchanges = kexAlgos
	s.ssh.Ciphers = cipherAlgos
	s.ssh.MACs = macAlgos
	s.ssh.AddHostKey(key)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for ssh on %s: %w", addr, err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// fail slows down a password guesser, counts the failure against its
// source for `login block-for`, and leaves a trace.
func (s *Server) fail(c ssh.ConnMetadata, how string) error {
	s.mu.Lock()
	s.failed++
	s.mu.Unlock()
	// IOS's words, which syslog collectors and SIEM rules match on (the
	// console's login logs the same); the method is flowtap's addition.
	if s.cfg.Users.LogFailure() {
		s.log.Warn(fmt.Sprintf("%%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: %s] [Source: %s] [localport: %d] [Reason: Login Authentication Failed] [method: %s]",
			logName(c.User()), sourceOf(c.RemoteAddr()), portOf(c.LocalAddr()), how))
	}
	blockFor, attempts, within := s.cfg.Users.LoginBlock()
	if left, on := s.sources.failed(sourceOf(c.RemoteAddr()), time.Now(), blockFor, attempts, within); on {
		s.log.Error(fmt.Sprintf("%%SEC_LOGIN-1-QUIET_MODE_ON: Still timeleft for watching failures is %d secs, [user: %s] [Source: %s] [Reason: Login Authentication Failed]",
			int(left.Seconds()), logName(c.User()), sourceOf(c.RemoteAddr())))
	}
	time.Sleep(s.cfg.FailDelay)
	return errors.New("permission denied")
}

// Failed counts failed password logins.
func (s *Server) Failed() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// Addr is where the server listens.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops accepting and waits for sessions to end.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	accept.Loop(s.ln, s.log, "ssh", func(c net.Conn) {
		src := sourceOf(c.RemoteAddr())
		// Refused before a goroutine or a handshake buffer exists for
		// it: a flood of connections costs the daemon one accept each.
		ad := s.sources.admit(src, c, time.Now())
		if ad.quietOver {
			s.log.Warn(fmt.Sprintf("%%SEC_LOGIN-5-QUIET_MODE_OFF: Quiet Mode is OFF, because block period timed out [Source: %s]", src))
		}
		if ad.why != "" {
			s.refused(src, ad.why)
			c.Close()
			return
		}
		if v := ad.evicted; v != nil {
			// Its serve ends on the closed connection; the slot is
			// already this one's.
			s.refused(v.src, evictedStartups)
			v.conn.Close()
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c, src, ad.p)
		}()
	})
}

// refused logs a refused connection, at most once a second per reason and
// less often as refusals go on (logDue), so that a flood does not flood the log too.
func (s *Server) refused(src netip.Addr, why string) {
	if n, ok := s.sources.logDue(why, time.Now()); ok {
		s.log.Warn("ssh connection refused", "from", src, "reason", why, "refused_since_last", n)
	}
}

func (s *Server) serve(c net.Conn, src netip.Addr, p *pending) {
	defer c.Close()
	defer s.sources.done(p) // a no-op once logged in
	if src.IsValid() && !s.cfg.Users.Permit(src, sourceOf(c.LocalAddr())) {
		// Logged once a second at most, with the count since: a denied
		// host reconnecting in a loop must not flood the log.
		s.refused(src, "access-class")
		return
	}
	if why := s.cfg.Users.Refuses(); why != "" {
		s.refused(src, why)
		return
	}
	window, tries := s.cfg.Users.LoginLimits()
	if window <= 0 {
		window = DefaultLoginWindow
	}
	if tries <= 0 {
		tries = DefaultMaxTries
	}
	c.SetDeadline(time.Now().Add(window))
	conf := *s.ssh // the server's, with this connection's retries
	conf.MaxAuthTries = tries
	conn, chans, reqs, err := ssh.NewServerConn(c, &conf)
	if err != nil {
		return
	}
	s.sources.done(p) // no longer an unauthenticated connection
	c.SetDeadline(time.Time{})
	defer conn.Close()
	if s.cfg.Users.LogSuccess() {
		s.log.Info(fmt.Sprintf("%%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: %s] [Source: %s] [localport: %d]",
			logName(conn.User()), sourceOf(c.RemoteAddr()), portOf(c.LocalAddr())))
	}
	go ssh.DiscardRequests(reqs)
	// Open sessions on this connection, bounded as OpenSSH's MaxSessions
	// bounds them: each costs a goroutine and, once it runs a shell, a
	// vty line, and a client could open channels without end.
	open := make(chan struct{}, MaxSessions)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		select {
		case open <- struct{}{}:
		default:
			nc.Reject(ssh.ResourceShortage, fmt.Sprintf("at most %d sessions on one connection", MaxSessions))
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			<-open
			continue
		}
		info := Conn{User: conn.User(), LineLogin: conn.Permissions != nil && conn.Permissions.Extensions[lineLoginExt] == "yes", Remote: addrPortOf(c.RemoteAddr()), Local: sourceOf(c.LocalAddr()), Close: func() { conn.Close() }}
		if a, ok := conn.Conn.(ssh.AlgorithmsConnMetadata); ok {
			n := a.Algorithms()
			info.In, info.Out = Direction{n.Read.Cipher, n.Read.MAC}, Direction{n.Write.Cipher, n.Write.MAC}
		}
		go func() {
			defer func() { <-open }()
			s.session(info, ch, creqs)
		}()
	}
}

// session waits for pty-req/shell or exec and runs the CLI.
func (s *Server) session(user Conn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	term := control.Terminal{}
	for req := range reqs {
		switch req.Type {
		case "pty-req":
			term.Interactive = true
			term.Width, term.Height = ptySize(req.Payload)
			req.Reply(true, nil)
		case "window-change":
			req.Reply(true, nil)
		case "shell":
			req.Reply(true, nil)
			s.run(user, ch, ch, term)
			return
		case "exec":
			var p struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &p); err != nil {
				req.Reply(false, nil)
				return
			}
			req.Reply(true, nil)
			s.run(user, strings.NewReader(p.Command+"\n"), ch, control.Terminal{})
			return
		default:
			req.Reply(false, nil)
		}
	}
}

// IdleLimiter is a session that knows its own exec-timeout (the vty line
// it holds); a session without one is timed by Users.ExecTimeout.
type IdleLimiter interface {
	IdleLimit() time.Duration
}

func (s *Server) run(user Conn, in io.Reader, ch ssh.Channel, term control.Terminal) {
	sess := s.cfg.Sessions(user)
	if ch == in {
		// A shell: the operator types into it, and one left alone is
		// closed after the exec-timeout (IOS's vty default is 10
		// minutes), so that an abandoned session, perhaps at level 15,
		// does not stay open forever.
		limit := s.cfg.Users.ExecTimeout
		if l, ok := sess.(IdleLimiter); ok {
			limit = l.IdleLimit
		}
		idle := newIdleCloser(ch, limit, func() {
			s.log.Info("ssh session closed: no input within the exec-timeout", "user", user.User)
		})
		defer idle.stop()
		in = idle
	}
	err := sess.Serve(context.Background(), in, ch, term)
	status := uint32(0)
	if err != nil {
		status = 1
	}
	ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
}

// logName is a user name as the client sent it, made safe for a log line:
// whoever connects chooses it before logging in.
func logName(n string) string { return logsafe.Name(n) }

// addrPortOf is a TCP address as an AddrPort; the zero one otherwise.
func addrPortOf(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

// portOf is a TCP address's port; 0 for any other address.
func portOf(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	return 0
}

// ptySize reads the width and height from a pty-req payload.
func ptySize(p []byte) (int, int) {
	if len(p) < 4 {
		return 0, 0
	}
	n := binary.BigEndian.Uint32(p)
	p = p[4:]
	if uint32(len(p)) < n+8 {
		return 0, 0
	}
	p = p[n:]
	return int(binary.BigEndian.Uint32(p)), int(binary.BigEndian.Uint32(p[4:]))
}

// idleCloser reads a session's input and closes the channel when none
// arrives within the limit (0: never). The limit is read again at each
// input, so a changed exec-timeout applies from the next keystroke.
type idleCloser struct {
	ch     io.ReadCloser
	limit  func() time.Duration
	closed func()
	mu     sync.Mutex
	timer  *time.Timer
	done   bool
}

func newIdleCloser(ch io.ReadCloser, limit func() time.Duration, closed func()) *idleCloser {
	c := &idleCloser{ch: ch, limit: limit, closed: closed}
	c.arm()
	return c
}

// arm restarts the wait for input.
func (c *idleCloser) arm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if d := c.limit(); d > 0 {
		c.timer = time.AfterFunc(d, c.expire)
	}
}

func (c *idleCloser) expire() {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return
	}
	c.done = true
	c.mu.Unlock()
	c.closed()
	c.ch.Close() // the CLI's read ends, and the client sees the channel close
}

func (c *idleCloser) Read(p []byte) (int, error) {
	n, err := c.ch.Read(p)
	if n > 0 {
		c.arm()
	}
	return n, err
}

// stop ends the wait when the session ends on its own.
func (c *idleCloser) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = true
	if c.timer != nil {
		c.timer.Stop()
	}
}
