package cfgfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(examplesDir, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// FuzzParseIOS: no input panics, and whatever parses renders to text
// that parses to the same model.
func FuzzParseIOS(f *testing.F) {
	seed(f, "ios-router.conf", "cat6500-sup720.conf")
	for _, s := range []string{
		"ip flow-cache time act 5", "no ip flow-export version", "interface eth1\n ip flow ingress\n exit\nend",
		"platform cflowd\nflowtap sampling rate 10 run-length 2", "ip flow-top-talkers\n match source port min 10\n match source port max 5",
		"snmp-server host 2001:db8::1 informs version 3 priv u udp-port 1", "access-list 10 permit 10.0.0.1 0.0.0.255",
		"line vty 0 4\n access-class 10 in\nline vty 5 15\n transport input none\nline vty 3\n exec-timeout 0 0\nno line vty 9 15",
		"banner motd ^C\nAuthorised\n\n^C\nbanner login #one line#\nbanner exec %\n  $(hostname) %\nbanner slip-ppp ^C\nx\n^C",
		"enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\nusername a secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ios.Parse("fuzz", []byte(src))
		if err != nil {
			_ = err.Error()
			return
		}
		text := ios.Render(c)
		back, err := ios.Parse("rendered", []byte(text))
		if err != nil {
			t.Fatalf("rendering does not parse: %v\n%s", err, text)
		}
		if d := config.Diff(c, back); len(d) > 0 {
			t.Fatalf("round trip changed %v\n%s", d, text)
		}
	})
}

// FuzzParseJunOS: the same for JunOS set lines and brace text.
func FuzzParseJunOS(f *testing.F) {
	seed(f, "junos.set")
	c, err := junos.Parse("seed", mustRead(f, "junos.set"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(junos.Render(c))
	f.Add("delete forwarding-options sampling\nset interfaces eth1 unit 0 family inet6 sampling input")
	f.Add("set system syslog host 192.0.2.1 any error\nset system syslog host 192.0.2.2\nset system syslog host 192.0.2.3 any info\ndelete system syslog host 192.0.2.1")
	f.Add("system { host-name \"a\"; }\ninterfaces { eth0; }")
	f.Add("set system login message \"\\nAuthorised \\\"only\\\"\\n\"\nsystem { login { announcement \"x\\\\y\"; } }")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := junos.Parse("fuzz", []byte(src))
		if err != nil {
			_ = err.Error()
			return
		}
		onto := func(text string) config.Config {
			back, err := junos.Apply(config.Config{Platform: c.Platform}, "rendered", []byte(text))
			if err != nil {
				t.Fatalf("rendering does not parse: %v\n%s", err, text)
			}
			return back
		}
		for _, text := range []string{junos.RenderSet(c), junos.Render(c)} {
			if d := config.Diff(c, onto(text)); len(d) > 0 {
				t.Fatalf("round trip changed %v\n%s", d, text)
			}
		}
		if back, err := ios.Parse("ios", []byte(ios.Render(c))); err != nil || !config.Equal(back, c) {
			t.Fatalf("IOS rendering of a JunOS model: %v %v", err, config.Diff(c, back))
		}
	})
}

func mustRead(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}
