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
