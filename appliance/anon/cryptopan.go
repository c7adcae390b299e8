package anon

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
)

// KeySize is Crypto-PAn's key: an AES-128 key, then 16 bytes that, once
// encrypted, pad every partial prefix to a full block.
const KeySize = 32

// CryptoPAn is the paper's construction: output bit i is input bit i
// XOR the first bit of AES(first i input bits ++ the pad's remaining
// bits). Bit i therefore depends only on bits 0..i, so two addresses that
// share exactly their first N bits map to outputs sharing exactly N bits.
type CryptoPAn struct {
	block cipher.Block
	pad   [16]byte
}

// NewCryptoPAn builds the anonymiser from a 32-byte key.
func NewCryptoPAn(key []byte) (*CryptoPAn, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("crypto-pan: key is %d bytes, need %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key[:16])
	if err != nil {
		return nil, fmt.Errorf("crypto-pan: %w", err)
	}
	c := &CryptoPAn{block: b}
	b.Encrypt(c.pad[:], key[16:])
	return c, nil
}

// Anonymize maps an IPv4 or IPv6 address. IPv4 uses the first 32 bits of
// the pad as the reference implementation does; IPv6 uses all 128.
func (c *CryptoPAn) Anonymize(a netip.Addr) netip.Addr {
	if a.Is4() {
		in := a.As4()
		var out [4]byte
		c.permute(in[:], out[:])
		return netip.AddrFrom4(out)
	}
	if a.Is6() {
		in := a.As16()
		var out [16]byte
		c.permute(in[:], out[:])
		return netip.AddrFrom16(out).WithZone(a.Zone())
	}
	return a
}

// permute writes the anonymised form of in (4 or 16 bytes) to out.
func (c *CryptoPAn) permute(in, out []byte) {
	var blk, enc [16]byte
	nbits := len(in) * 8
	for i := 0; i < nbits; i++ {
		// blk = first i bits of the address, the rest from the pad.
		blk = c.pad
		full := i / 8
		copy(blk[:full], in[:full])
		if rem := i % 8; rem != 0 {
			mask := byte(0xff) << (8 - rem)
			blk[full] = in[full]&mask | c.pad[full]&^mask
		}
		c.block.Encrypt(enc[:], blk[:])
		if enc[0]&0x80 != 0 {
			out[i/8] |= 0x80 >> (i % 8)
		}
	}
	for i := range out {
		out[i] ^= in[i]
	}
}

// KeyFromConfig turns the configured key into Crypto-PAn's 32 bytes: 64
// hex digits are the key itself (to reproduce another tool's mapping);
// anything else is a passphrase, hashed with SHA-256.
func KeyFromConfig(s string) []byte {
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k
		}
	}
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}
