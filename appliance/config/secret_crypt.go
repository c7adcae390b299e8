package config

import (
	"crypto/md5"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file holds the other hash forms an IOS configuration carries:
// type 5 (MD5-crypt, "$1$", what every IOS release before 15.3 writes
// for `secret`), type 9 (scrypt, "$9$") and type 7 (the reversible
// `password 7` obfuscation). flowtap verifies type 5 and 9 as given, so a
// pasted router configuration keeps its logins; it never writes them
// itself (HashSecret makes type 8).

const (
	md5Magic      = "$1$"
	md5MaxSaltLen = 8  // characters: crypt(3) reads no more
	md5HashLen    = 22 // characters: 16 bytes in crypt's own base64
	md5Rounds     = 1000
)

// md5Crypt is the FreeBSD MD5-crypt of plain with salt (at most 8
// characters, no '$'), written "$1$SALT$HASH" as crypt(3) and IOS type 5
// write it. The steps are Poul-Henning Kamp's; the odd-looking ones (the
// bit loop that adds a zero byte or the first password byte, the 1000
// rounds mixing password, salt and digest) are part of the scheme and
// must be reproduced exactly for a hash to match.
func md5Crypt(plain, salt string) string {
	pw := []byte(plain)
	alt := md5.New()
	alt.Write(pw)
	alt.Write([]byte(salt))
	alt.Write(pw)
	altSum := alt.Sum(nil)

	ctx := md5.New()
	ctx.Write(pw)
	ctx.Write([]byte(md5Magic))
	ctx.Write([]byte(salt))
	for n := len(pw); n > 0; n -= md5.Size {
		ctx.Write(altSum[:min(n, md5.Size)])
	}
	for n := len(pw); n != 0; n >>= 1 {
		if n&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	sum := ctx.Sum(nil)

	for i := range md5Rounds {
		r := md5.New()
		if i&1 != 0 {
			r.Write(pw)
		} else {
			r.Write(sum)
		}
		if i%3 != 0 {
			r.Write([]byte(salt))
		}
		if i%7 != 0 {
			r.Write(pw)
		}
		if i&1 != 0 {
			r.Write(sum)
		} else {
			r.Write(pw)
		}
		sum = r.Sum(nil)
	}

	// crypt's encoding: the digest bytes in a fixed shuffled order, three
	// at a time, each group written low six bits first.
	var out strings.Builder
	out.WriteString(md5Magic + salt + "$")
	put := func(v uint32, n int) {
		for range n {
			out.WriteByte(cryptAlphabet[v&0x3f])
			v >>= 6
		}
	}
	for _, g := range [5][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		put(uint32(sum[g[0]])<<16|uint32(sum[g[1]])<<8|uint32(sum[g[2]]), 4)
	}
	put(uint32(sum[11]), 2)
	return out.String()
}

const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// splitType5 splits "$1$SALT$HASH".
func splitType5(hash string) (salt, sum string, ok bool) {
	rest, ok := strings.CutPrefix(hash, md5Magic)
	if !ok {
		return "", "", false
	}
	salt, sum, ok = strings.Cut(rest, "$")
	return salt, sum, ok && len(salt) <= md5MaxSaltLen && len(sum) == md5HashLen
}

// type7Key is the fixed string IOS XORs a `password 7` with; it is
// public, which is why type 7 hides a password from a glance only.
const type7Key = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"

// DecodeType7 recovers the password a `password 7 HEX` line carries: two
// decimal digits giving where in the key to start, then one hex byte per
// password character XORed with the key from there on.
func DecodeType7(s string) (string, error) {
	if len(s) < 4 || len(s)%2 != 0 {
		return "", fmt.Errorf("type 7 password %q: want two digits then pairs of hex digits", s)
	}
	start, err := strconv.ParseUint(s[:2], 10, 8)
	if err != nil {
		return "", fmt.Errorf("type 7 password %q: it starts with two decimal digits", s)
	}
	out := make([]byte, 0, len(s)/2-1)
	for i := 2; i < len(s); i += 2 {
		b, err := strconv.ParseUint(s[i:i+2], 16, 8)
		if err != nil {
			return "", fmt.Errorf("type 7 password %q: %q is not a hex byte", s, s[i:i+2])
		}
		out = append(out, byte(b)^type7Key[(int(start)+len(out))%len(type7Key)])
	}
	for _, c := range out {
		if c < 0x20 || c == 0x7f {
			return "", errors.New("type 7 password: it decodes to a control character, so it was not written by IOS")
		}
	}
	return string(out), nil
}

// EncodeType7 writes plain as IOS's `password 7` does, starting at key
// offset start (IOS picks 0-15); the tests use it to make vectors.
func EncodeType7(plain string, start int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%02d", start)
	for i := range len(plain) {
		fmt.Fprintf(&b, "%02X", plain[i]^type7Key[(start+i)%len(type7Key)])
	}
	return b.String()
}
