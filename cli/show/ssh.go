package show

import (
	"fmt"
	"io"
	"strings"
)

// SSHView is `show ip ssh`: the SSH server as it runs and as `ip ssh`
// configures it.
type SSHView struct {
	// Running is whether the server listens (flowtap runs it while a
	// local user or a vty line's password can log in).
	Running bool
	// Methods ... KeyExchanges are the algorithms offered, by their SSH
	// names, strongest first.
	Methods, PublicKey, Ciphers, MACs, KeyExchanges []string
	MinDHBits                                       int
	TimeoutSecs, Retries                            int
	// KeyName labels the host key (IOS: the key pair's label); HostKey
	// is it in authorized_keys form, "TYPE BASE64"; "" while the server
	// is down.
	KeyName, HostKey string
}

// IPSSH prints `show ip ssh` in IOS-XE 16's layout (field names and
// order as an IOS-XE 16 Catalyst prints them; the 80-column wrap of the
// key as IOS wraps it). flowtap speaks SSH 2 only, so the version is
// 2.0 whether or not `ip ssh version 2` is configured.
func IPSSH(w io.Writer, v SSHView) {
	if !v.Running {
		// [RECALL] IOS says why it is disabled on the line after; the
		// reason here is flowtap's (no key is needed, a login is).
		fmt.Fprintln(w, "SSH Disabled - version 2.0")
		fmt.Fprintln(w, "%Please configure a local user (username NAME secret ...) to enable SSH.")
		fmt.Fprintf(w, "Authentication timeout: %d secs; Authentication retries: %d\n", v.TimeoutSecs, v.Retries)
		return
	}
	typ, _, _ := strings.Cut(v.HostKey, " ")
	fmt.Fprintln(w, "SSH Enabled - version 2.0")
	fmt.Fprintf(w, "Authentication methods:%s\n", strings.Join(v.Methods, ","))
	fmt.Fprintf(w, "Authentication Publickey Algorithms:%s\n", strings.Join(v.PublicKey, ","))
	fmt.Fprintf(w, "Hostkey Algorithms:%s\n", typ)
	fmt.Fprintf(w, "Encryption Algorithms:%s\n", strings.Join(v.Ciphers, ","))
	fmt.Fprintf(w, "MAC Algorithms:%s\n", strings.Join(v.MACs, ","))
	fmt.Fprintf(w, "KEX Algorithms:%s\n", strings.Join(v.KeyExchanges, ","))
	fmt.Fprintf(w, "Authentication timeout: %d secs; Authentication retries: %d\n", v.TimeoutSecs, v.Retries)
	fmt.Fprintf(w, "Minimum expected Diffie Hellman key size : %d bits\n", v.MinDHBits)
	fmt.Fprintf(w, "IOS Keys in SECSH format(%s, base64 encoded): %s\n", typ, v.KeyName)
	for k := v.HostKey; k != ""; {
		n := min(len(k), 80)
		fmt.Fprintln(w, k[:n])
		k = k[n:]
	}
}

// SSHConn is one SSH session for `show ssh`: the vty line it has, its
// user and the cipher and MAC negotiated each way (In: client to
// server).
type SSHConn struct {
	VTY               int
	User              string
	InCipher, InMAC   string
	OutCipher, OutMAC string
}

// SSHSessions prints `show ssh`: a row per direction of each session, as
// IOS lists its SSH server connections. Columns as IOS 15 pads them; a
// longer name than IOS's widths (chacha20-poly1305@openssh.com) pushes
// the row along with one space, as IOS's own wider names do. An AEAD
// cipher has no separate MAC: the Hmac column says <implicit>, as
// OpenSSH's own logs say. SSH 1 is never spoken, so its line always
// follows.
func SSHSessions(w io.Writer, conns []SSHConn) {
	if len(conns) == 0 {
		fmt.Fprintln(w, "%No SSHv2 server connections running.")
		fmt.Fprintln(w, "%No SSHv1 server connections running.")
		return
	}
	fmt.Fprintln(w, "Connection Version Mode Encryption  Hmac         State                 Username")
	mac := func(m string) string {
		if m == "" {
			return "<implicit>"
		}
		return m
	}
	for _, c := range conns {
		for _, d := range []struct{ mode, cipher, mac string }{{"IN", c.InCipher, c.InMAC}, {"OUT", c.OutCipher, c.OutMAC}} {
			fmt.Fprintf(w, "%-10d %-7s %-4s %-11s %-12s %-21s %s\n", c.VTY, "2.0", d.mode, d.cipher, mac(d.mac), "Session started", c.User)
		}
	}
	fmt.Fprintln(w, "%No SSHv1 server connections running.")
}
