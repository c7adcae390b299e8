package cfgfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
)

// TestPastedRouterConfig boots a whole IOS NetFlow router's configuration
// (testdata/ios-7200-netflow.conf) as a startup-config, as an operator
// pastes one. Every line either applies, showing in show running-config
// as IOS prints it, or is reported with its file:line and the reason; a
// refused block takes its body with it. The lines that set IOS's
// default apply and are left out, as IOS leaves them out. What applied
// survives write memory and a restart (the saved text read back).
func TestPastedRouterConfig(t *testing.T) {
	const file = "ios-7200-netflow.conf"
	src, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	c, skipped := Salvage(file, src)
	refused := map[int]*config.LineError{}
	for _, e := range skipped {
		var le *config.LineError
		if !errors.As(e, &le) {
			t.Fatalf("not a line error: %v", e)
		}
		if !strings.HasPrefix(e.Error(), fmt.Sprintf("%s:%d: ", file, le.Line)) {
			t.Errorf("does not name file:line: %v", e)
		}
		refused[le.Line] = le
	}
	// The refused lines and the reason each gives. A router's command
	// flowtap does not carry out says why, in words.
	wantRefused := map[string]string{
		"version 12.4":      "IOS image's release",
		"boot-start-marker": "boots its own image",
		"boot system flash disk0:c7200-advipservicesk9-mz.124-24.T.bin": "boots its own image",
		"boot-end-marker":                        "boots its own image",
		"aaa new-model":                          "AAA is not offered",
		"aaa authentication login default local": "AAA is not offered",
		"aaa authorization exec default local":   "AAA is not offered",
		"aaa session-id common":                  "AAA is not offered",
		"ip cef":                                 "Not supported on this platform",
		"crypto key generate rsa modulus 2048":   "SSH host key at first start",
		" ip address 192.0.2.1 255.255.255.252":  "has no address",
		" ip address 198.51.100.1 255.255.255.0": "has no address",
		" duplex auto":                           "the kernel's (ethtool)",
		" speed auto":                            "the kernel's (ethtool)",
		"interface GigabitEthernet0/3":           "not a router's slot/port",
		"interface Loopback0":                    "carries no traffic to meter",
		"router ospf 1":                          "runs no routing protocol",
		"ip route 0.0.0.0 0.0.0.0 192.0.2.2":     "routes none",
		"access-list 10 deny   any log":          "log",
		"logging host 192.0.2.62 vrf Mgmt-intf":  "no VRFs",
		"control-plane":                          "control-plane policing",
		" exec-timeout 15 0":                     "console",
		"line aux 0":                             "no aux port",
	}
	// Lines that set what IOS and flowtap have by default: applied and,
	// as on IOS, not shown.
	defaults := map[string]bool{
		"service timestamps debug datetime msec": true,
		"ip ssh authentication-retries 3":        true,
		"ip flow-cache timeout inactive 15":      true,
		"logging trap informational":             true,
		" no shutdown":                           true,
	}
	// Lines IOS itself shows in another form.
	shownAs := map[string]string{
		"clock timezone CET 1": "clock timezone CET 1 0",
		"logging 192.0.2.60":   "logging host 192.0.2.60",
		"username flowtap privilege 15 secret 0 Fl0wT4p-pasted": "username flowtap privilege 15 secret 8 ",
		"username backup password 7 0822455D0A16":               "username backup secret 8 ",
	}
	rc := ios.RunningConfig(c)
	lines := strings.Split(string(src), "\n")
	block, blockRefused := "", false
	seen := map[string]bool{}
	for i, l := range lines {
		n := i + 1
		t.Run(fmt.Sprintf("line%d", n), func(t *testing.T) {
			trimmed := strings.TrimSpace(l)
			if trimmed == "" || trimmed[0] == '!' || trimmed == "end" {
				return
			}
			sub := l[0] == ' '
			if !sub {
				block, blockRefused = l, false
			}
			if le := refused[n]; le != nil {
				seen[l] = true
				why, ok := wantRefused[l]
				if !ok {
					t.Errorf("refused, not expected: %v", le)
				} else if !strings.Contains(le.Reason, why) {
					t.Errorf("refused without the reason %q: %v", why, le)
				}
				if !sub {
					blockRefused = true
				}
				return
			}
			if _, ok := wantRefused[l]; ok {
				t.Errorf("%q applied; want it refused", l)
				return
			}
			if sub && blockRefused {
				return // dropped with its block, which was reported
			}
			if defaults[l] {
				return
			}
			if sub {
				head := block
				if s, ok := shownAs[head]; ok {
					head = s
				}
				if !strings.Contains(section(rc, head), "\n"+l+"\n") {
					t.Errorf("%q under %q is not in the running-config:\n%s", l, head, rc)
				}
				return
			}
			want := l
			if s, ok := shownAs[l]; ok {
				want = s
			}
			if !strings.Contains(rc, "\n"+want) {
				t.Errorf("%q applied but the running-config lacks %q:\n%s", l, want, rc)
			}
		})
	}
	for l := range wantRefused {
		if !seen[l] {
			t.Errorf("%q is not reported as refused", l)
		}
	}
	// The router's own logins work: its type 5 enable secret and users
	// (MD5-crypt) and its type 7 password, which is shown hashed.
	for name, pw := range map[string]string{"netops": "N3tOps!2009", "noc": "noc-view", "flowtap": "Fl0wT4p-pasted", "backup": "cisco"} {
		if !c.CheckLogin(name, pw) || c.CheckLogin(name, pw+"x") {
			t.Errorf("the pasted user %s does not log in with its password, or logs in with another", name)
		}
	}
	if !c.EnableSecret.Verify("cisco") || c.EnableSecret.Type() != 5 {
		t.Errorf("the pasted type 5 enable secret does not verify: %s", c.EnableSecret.Hash)
	}
	// write memory, then a restart from the saved file: the same
	// configuration, every line of it applying.
	saved := SaveText(c)
	back, skippedAgain := Salvage("startup-config", []byte(saved))
	if len(skippedAgain) != 0 || !config.Equal(back, c) {
		t.Errorf("the saved configuration reads back with %v, %v:\n%s", skippedAgain, config.Diff(c, back), saved)
	}
}

// section is a block of a running-config: its head line and the
// indented lines under it, each ending in a newline.
func section(rc, head string) string {
	i := strings.Index(rc, "\n"+head+"\n")
	if i < 0 {
		return ""
	}
	out := "\n" + head + "\n"
	for _, l := range strings.Split(rc[i+len(head)+2:], "\n") {
		if !strings.HasPrefix(l, " ") {
			break
		}
		out += l + "\n"
	}
	return out
}
