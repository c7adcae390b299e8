package ios

import "strings"

// HideKeys masks the secrets of a running-config line, for the logs
// (IOS's `archive log config` / `hidekeys`): the hash after `secret` or
// `password`, an SNMPv3 user's keys from `auth` on (a localized key
// authenticates to this engine as the passphrase would), a destination's
// Crypto-PAn key. A diff's "+" or "-" before the line is kept. Other
// lines come back as they are.
func HideKeys(line string) string {
	words := strings.Fields(line)
	snmpUser := len(words) > 1 && strings.TrimLeft(words[0], "+-") == "snmp-server" && words[1] == "user"
	for i, w := range words {
		if i == 0 {
			w = strings.TrimLeft(w, "+-") // a diff's mark
		}
		switch {
		case w == "secret" || w == "password" || snmpUser && w == "auth":
			if i+1 < len(words) {
				return strings.Join(words[:i+1], " ") + " *****"
			}
		case w == "crypto-pan" && i+1 < len(words):
			masked := append(append(words[:i+1:i+1], "*****"), words[i+2:]...)
			return strings.Join(masked, " ")
		}
	}
	return line
}
