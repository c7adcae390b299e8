package show

import (
	"bytes"
	"testing"
)

// TestIPSSHScreen: `show ip ssh` as IOS-XE 16 lays it out, the host key
// wrapped at 80 columns as IOS wraps its SECSH keys; and the screen of a
// box whose server is down (no login configured).
func TestIPSSHScreen(t *testing.T) {
	var b bytes.Buffer
	IPSSH(&b, SSHView{Running: true, Methods: []string{"publickey", "password"},
		PublicKey:    []string{"ssh-ed25519", "rsa-sha2-256"},
		Ciphers:      []string{"chacha20-poly1305@openssh.com", "aes128-ctr"},
		MACs:         []string{"hmac-sha2-256-etm@openssh.com", "hmac-sha2-256"},
		KeyExchanges: []string{"curve25519-sha256", "diffie-hellman-group14-sha256"},
		MinDHBits:    2048, TimeoutSecs: 60, Retries: 2, KeyName: "probe.example.net",
		HostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDxkD2E1uS9Fb0lqk0m4Yk5Nl3C4M3Jr0u8nV7xq2c9WAAAAIDxkD2E1uS9Fb0lqk0m4Yk5Nl3C4M3Jr0u8nV7xq2c9W"})
	b.WriteString("---\n")
	IPSSH(&b, SSHView{TimeoutSecs: 120, Retries: 3})
	golden(t, "show-ip-ssh", b.Bytes())
}

// TestSSHSessionsScreen: `show ssh` in IOS's columns, a row per
// direction; an AEAD cipher's Hmac as <implicit>; with no session the two
// "No ... connections" lines.
func TestSSHSessionsScreen(t *testing.T) {
	var b bytes.Buffer
	SSHSessions(&b, []SSHConn{
		{VTY: 0, User: "admin", InCipher: "aes256-ctr", InMAC: "hmac-sha2-256", OutCipher: "aes256-ctr", OutMAC: "hmac-sha2-256"},
		{VTY: 2, User: "oper", InCipher: "chacha20-poly1305@openssh.com", OutCipher: "chacha20-poly1305@openssh.com"},
	})
	b.WriteString("---\n")
	SSHSessions(&b, nil)
	golden(t, "show-ssh", b.Bytes())
}
