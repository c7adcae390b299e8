package config

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
)

// SSHKey is an authorized public key in OpenSSH form: the type and the
// base64 wire blob, as in authorized_keys without the comment.
type SSHKey struct {
	Type string // ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521
	Blob string // base64 of the RFC 4253 public key blob
}

// SSHKeyTypes are the public key types `username NAME ssh-key` takes.
var SSHKeyTypes = []string{"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"}

// ParseSSHKey checks that the blob decodes and names the same type, so
// that a key pasted with a missing character is refused at configuration
// time, not at the first failed login.
func ParseSSHKey(typ, blob string) (SSHKey, error) {
	if !slices.Contains(SSHKeyTypes, typ) {
		return SSHKey{}, fmt.Errorf("ssh key type %q: want one of %v", typ, SSHKeyTypes)
	}
	raw, err := base64.StdEncoding.DecodeString(blob)
	if err != nil {
		return SSHKey{}, fmt.Errorf("ssh key: %w", err)
	}
	fields, ok := sshStrings(raw)
	// RFC 4253 6.6, RFC 8709, RFC 5656: type and key material, nothing
	// more; an ed25519 key is 32 bytes.
	want := map[string]int{"ssh-ed25519": 2, "ssh-rsa": 3}[typ]
	if want == 0 {
		want = 3
	}
	if !ok || len(fields) != want || string(fields[0]) != typ || typ == "ssh-ed25519" && len(fields[1]) != 32 {
		return SSHKey{}, fmt.Errorf("ssh key: blob is not a whole %s key", typ)
	}
	return SSHKey{Type: typ, Blob: blob}, nil
}

// sshStrings splits a blob into its length-prefixed strings; ok is false
// unless they fill it exactly.
func sshStrings(b []byte) ([][]byte, bool) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(b)-4) {
			return nil, false
		}
		out = append(out, b[4:4+n])
		b = b[4+n:]
	}
	return out, true
}

// Marshal is the authorized_keys line.
func (k SSHKey) Marshal() string { return k.Type + " " + k.Blob }
