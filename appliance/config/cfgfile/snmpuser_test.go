package cfgfile

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/mgmt/snmp/usmkey"
)

// TestSNMPUserKeysNotPassphrases: a user typed with passphrases is kept
// as keys localized to the configured engine ID (RFC 3414 A.2 and 2.6,
// the keys net-snmp derives), shown as `encrypted`, which reads back to
// the same model; the passphrases appear in no rendering. MD5, SHA and
// SHA-256 with DES and AES-128 are accepted.
func TestSNMPUserKeysNotPassphrases(t *testing.T) {
	const authPass, privPass = "Auth-Secret-91", "Priv-Secret-37"
	src := "snmp-server engineID local 80007ED905000102030405060708\n" +
		"snmp-server group NMS v3 priv access 11\n" +
		"snmp-server user md5des NMS v3 auth md5 " + authPass + " priv des " + privPass + "\n" +
		"snmp-server user shaaes NMS v3 auth sha " + authPass + " priv aes 128 " + privPass + " access MGMT\n" +
		"snmp-server user sha256 NMS v3 auth sha-256 " + authPass + "\n"
	c, err := ios.Parse("snmp", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	engineID, _ := hex.DecodeString("80007ed905000102030405060708")
	want := map[string][2]string{}
	for name, h := range map[string]usmkey.Hash{"md5des": usmkey.MD5, "shaaes": usmkey.SHA1, "sha256": usmkey.SHA256} {
		pp := privPass
		if name == "sha256" {
			pp = ""
		}
		ak, pk, err := usmkey.LocalizedKeys(h, authPass, pp, engineID)
		if err != nil {
			t.Fatal(err)
		}
		want[name] = [2]string{hex.EncodeToString(ak), hex.EncodeToString(pk)}
	}
	for _, u := range c.SNMP.Users {
		if got := [2]string{string(u.AuthKey), string(u.PrivKey)}; got != want[u.Name] {
			t.Errorf("user %s keys %q, want net-snmp's localized keys %q", u.Name, got, want[u.Name])
		}
	}
	for _, text := range []string{ios.RunningConfig(c), ios.Render(c), junos.RenderSet(c), junos.Render(c)} {
		if strings.Contains(text, authPass) || strings.Contains(text, privPass) {
			t.Fatalf("a passphrase is shown:\n%s", text)
		}
	}
	run := ios.RunningConfig(c)
	for _, line := range []string{
		"snmp-server engineID local 80007ed905000102030405060708\n",
		"snmp-server group NMS v3 priv access 11\n",
		"snmp-server user md5des NMS v3 encrypted auth md5 " + want["md5des"][0] + " priv des " + want["md5des"][1] + "\n",
		"snmp-server user shaaes NMS v3 encrypted auth sha " + want["shaaes"][0] + " priv aes 128 " + want["shaaes"][1] + " access MGMT\n",
		"snmp-server user sha256 NMS v3 encrypted auth sha-256 " + want["sha256"][0] + "\n",
	} {
		if !strings.Contains(run, line) {
			t.Errorf("running-config lacks %q:\n%s", line, run)
		}
	}
	reparse(t, "encrypted users", ios.Parse, run, c)
	// A changed key is logged as a change, not shown.
	c3 := c.Clone()
	c3.SNMP.Users[0].AuthKey = config.USMKey(strings.Repeat("ab", 16))
	for _, ch := range config.Diff(c, c3) {
		if s := fmt.Sprint(ch.Old, ch.New, ch.String()); strings.Contains(s, want["md5des"][0]) || strings.Contains(s, "abab") {
			t.Errorf("a diff shows a key: %s", s)
		}
	}

	// A first user with a passphrase and no engine ID fixes the agent's
	// default one, so that its keys stay good across restarts, and a
	// second reading of the same text gives the same model.
	text := []byte("snmp-server user u G v3 auth sha " + authPass + "\n")
	c2, err := ios.Parse("snmp", text)
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(usmkey.HostEngineID(32473)); c2.SNMP.EngineID != want || !strings.HasPrefix(want, "80007ed90") {
		t.Errorf("engine ID chosen with the first user: %q, want the agent's default %q", c2.SNMP.EngineID, want)
	}
	if again, _ := ios.Parse("snmp", text); strings.HasPrefix(c2.SNMP.EngineID, "80007ed903") && !config.Equal(again, c2) {
		t.Errorf("the same text read twice gives two models: %v", config.Diff(c2, again))
	}
	// Refused: an engine ID change under users, 3DES, AES-256, v3 informs,
	// a short passphrase, a key of the wrong size.
	for _, bad := range []string{
		src + "snmp-server engineID local 80007ed90511\n",
		"snmp-server user u G v3 auth sha " + authPass + " priv 3des " + privPass + "\n",
		"snmp-server user u G v3 auth sha " + authPass + " priv aes 256 " + privPass + "\n",
		"snmp-server host 192.0.2.1 informs version 3 priv u\n",
		"snmp-server user u G v3 auth md5 short\n",
		"snmp-server engineID local 80007ed90501\nsnmp-server user u G v3 encrypted auth md5 0011\n",
	} {
		if _, err := ios.Parse("bad", []byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}

// TestSNMPRemoteUser: IOS's inform receiver set-up: its engine ID first,
// then its user, whose keys are localized to that engine ID, then the
// informs host. The user must come after the engine ID.
func TestSNMPRemoteUser(t *testing.T) {
	const pass, priv = "Remote-Auth-77", "Remote-Priv-88"
	src := "snmp-server engineID remote 192.0.2.50 udp-port 1162 80001F8805AABBCCDD11223344\n" +
		"snmp-server user inf NMS remote 192.0.2.50 udp-port 1162 v3 auth sha " + pass + " priv aes 128 " + priv + "\n" +
		"snmp-server user inf NMS v3 auth md5 " + pass + "\n" +
		"snmp-server host 192.0.2.50 informs version 3 priv inf udp-port 1162\n"
	c, err := ios.Parse("remote", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	remoteID, _ := hex.DecodeString("80001f8805aabbccdd11223344")
	ak, pk, _ := usmkey.LocalizedKeys(usmkey.SHA1, pass, priv, remoteID)
	u, ok := c.SNMP.RemoteUser("inf", netip.MustParseAddr("192.0.2.50"), 1162)
	if !ok || string(u.AuthKey) != hex.EncodeToString(ak) || string(u.PrivKey) != hex.EncodeToString(pk) {
		t.Fatalf("remote user %+v: keys not localized to the receiver's engine ID", u)
	}
	if len(c.SNMP.Users) != 2 {
		t.Errorf("the local and the remote user of one name are two users: %v", c.SNMP.Users)
	}
	run := ios.RunningConfig(c)
	for _, line := range []string{
		"snmp-server engineID remote 192.0.2.50 udp-port 1162 80001f8805aabbccdd11223344\n",
		"snmp-server user inf NMS remote 192.0.2.50 udp-port 1162 v3 encrypted auth sha " + hex.EncodeToString(ak) + " priv aes 128 " + hex.EncodeToString(pk) + "\n",
		"snmp-server host 192.0.2.50 informs version 3 priv inf udp-port 1162\n",
	} {
		if !strings.Contains(run, line) {
			t.Errorf("running-config lacks %q:\n%s", line, run)
		}
	}
	if strings.Contains(run, pass) || strings.Contains(run, priv) {
		t.Errorf("a passphrase is shown:\n%s", run)
	}
	reparse(t, "remote users", ios.Parse, run, c)
	for _, bad := range []string{
		"snmp-server user inf NMS remote 192.0.2.51 v3 auth sha " + pass + "\n",
		src + "snmp-server engineID remote 192.0.2.50 udp-port 1162 80001f880511\n",
		src + "no snmp-server user inf NMS remote 192.0.2.50 udp-port 1162\n",
	} {
		if _, err := ios.Parse("bad", []byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}

// TestSNMPUserErrorsHidePassphrases: a refused user line's error, which
// echoes the line and which loading a startup-config logs, shows the
// passphrases as asterisks, the caret where it was.
func TestSNMPUserErrorsHidePassphrases(t *testing.T) {
	for _, line := range []string{
		"snmp-server user u G v3 auth sha Secret-Pass-1 priv 3des Secret-Pass-2",
		"snmp-server user u G v3 auth sha Secret-Pass-1 priv aes 256 Secret-Pass-2",
		"snmp-server user u G v3 auth sha Secret1",
		"snmp-server user u G v3 auth sha-512 Secret-Pass-1 priv des Secret-Pass-2",
		"snmp-server user u G remote 192.0.2.9 v3 auth sha Secret-Pass-1 priv des Secret-Pass-2",
		"snmp-server user u G v3 auth md5 Secret-Pass-1 priv des Secret-Pass-2 access 5000",
	} {
		_, err := ios.Parse("startup-config", []byte("hostname x\n"+line+"\n"))
		if err == nil {
			t.Fatalf("accepted: %s", line)
		}
		msg := err.Error()
		if strings.Contains(msg, "Secret") {
			t.Errorf("the error shows a passphrase:\n%s", msg)
		}
		if !strings.Contains(msg, "startup-config:2") || !strings.Contains(msg, "snmp-server user u G") {
			t.Errorf("the error does not name the line:\n%s", msg)
		}
		t.Logf("%s", msg)
	}
}

// TestRefusedSNMPUserHidesBothPassphrases: a startup-config line whose
// authentication passphrase is refused (too short) is logged at boot
// with its text; the privacy passphrase after it, which the parser never
// reached, is hidden as well as the refused one.
func TestRefusedSNMPUserHidesBothPassphrases(t *testing.T) {
	_, skipped := Salvage("s.cfg", []byte("snmp-server group G v3 priv\nsnmp-server user u G v3 auth sha Sh0rtPw priv aes 128 privsecret9\n"))
	if len(skipped) != 1 {
		t.Fatalf("skipped %d lines, want 1: %v", len(skipped), skipped)
	}
	var le *config.LineError
	if !errors.As(skipped[0], &le) {
		t.Fatalf("not a line error: %v", skipped[0])
	}
	for _, secret := range []string{"Sh0rtPw", "privsecret9"} {
		if strings.Contains(le.Text, secret) || strings.Contains(le.Error(), secret) {
			t.Errorf("the refused line shows the passphrase %q: %q / %q", secret, le.Text, le.Error())
		}
	}
}
