package cfgfile

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/appliance/platform"
)

var examples = []string{"ios-router.conf", "cat6500-sup720.conf", "junos.set"}

func loadExample(t *testing.T, name string) config.Config {
	t.Helper()
	c, err := Load(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// reparse checks that text parses back to want.
func reparse(t *testing.T, what string, parse func(string, []byte) (config.Config, error), text string, want config.Config) {
	t.Helper()
	got, err := parse(what, []byte(text))
	if err != nil {
		t.Fatalf("%s does not parse back: %v\n%s", what, err, text)
	}
	if d := config.Diff(want, got); len(d) > 0 {
		t.Fatalf("%s round trip changed the model: %v\n%s", what, d, text)
	}
}

func TestExamplesRoundTrip(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			c := loadExample(t, name)
			reparse(t, "running-config", ios.Parse, ios.RunningConfig(c), c)
			// JunOS says less; what it says must survive, the rest stays
			// when its lines are applied onto the model.
			j := junos.RenderSet(c)
			reparse(t, "display set onto the model", func(f string, b []byte) (config.Config, error) { return junos.Apply(c, f, b) }, j, c)
			want, err := junos.Apply(config.Config{Platform: c.Platform}, "set", []byte(j))
			if err != nil {
				t.Fatal(err)
			}
			reparse(t, "brace text", junos.Parse, junos.Render(c), withPlatform(want, c.Platform))
		})
	}
}

func withPlatform(c config.Config, p string) config.Config {
	c.Platform = p
	n, _ := config.Normalize(c)
	return n
}

func TestExampleContents(t *testing.T) {
	ios := loadExample(t, "ios-router.conf")
	if len(ios.Interfaces) != 3 || ios.Interfaces[2].Sampler != "SAMPLE-100" || !ios.Interfaces[1].Ingress {
		t.Errorf("interfaces = %+v", ios.Interfaces)
	}
	if ios.Cache.Inactive.Seconds() != 30 || ios.Cache.Active.Minutes() != 1 || ios.Cache.Entries != 65536 {
		t.Errorf("cache = %+v", ios.Cache)
	}
	if len(ios.Export.Destinations) != 2 || ios.Export.Destinations[1].Version != platform.IPFIX {
		t.Errorf("destinations = %+v", ios.Export.Destinations)
	}
	if !ios.EnableSecret.Verify("cisco") || !ios.Users[0].Secret.Verify("cisco") || ios.Users[0].Secret.Verify("Cisco") {
		t.Error("the example secrets do not verify as cisco")
	}
	if !ios.SNMP.Enabled() || !ios.ManagementPermits("10", config.Packet{Src: netip.MustParseAddr("192.0.2.99")}) || ios.ManagementPermits("10", config.Packet{Src: netip.MustParseAddr("203.0.113.1")}) {
		t.Error("SNMP or access list 10 is not as configured")
	}

	cat := loadExample(t, "cat6500-sup720.conf")
	if cat.Sampling.Mode != platform.SamplingPacketBased || cat.Sampling.Rate != 1024 || !cat.NDE || cat.Export.Version != platform.V5 {
		t.Errorf("catalyst = sampling %+v nde %v version %v", cat.Sampling, cat.NDE, cat.Export.Version)
	}
	if cat.Cache.FastTime.Seconds() != 30 || cat.Cache.FastThreshold != 64 || cat.Cache.Active.Seconds() != 960 {
		t.Errorf("catalyst cache = %+v", cat.Cache)
	}

	jun := loadExample(t, "junos.set")
	if jun.PlatformName() != "cflowd" || jun.Sampling.Mode != platform.SamplingJuniper || jun.Sampling.Rate != 1000 || jun.Sampling.RunLength != 2 {
		t.Errorf("junos = %+v", jun.Sampling)
	}
	if jun.Interfaces[1].Egress || !jun.Interfaces[1].Ingress {
		t.Errorf("delete did not take eth2's output sampling back: %+v", jun.Interfaces[1])
	}
	if jun.Cache.Active.Seconds() != 120 || jun.Export.Destinations[0].SourceAddress.String() != "192.0.2.1" {
		t.Errorf("junos output = %+v %+v", jun.Cache, jun.Export)
	}
}

// TestRandomModelsRoundTripIOS is the property: any valid model renders
// to IOS text that parses back to it.
func TestRandomModelsRoundTripIOS(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		persona := platform.Names()[i%len(platform.Names())]
		c := randomConfig(t, r, persona)
		reparse(t, persona+" running-config", ios.Parse, ios.RunningConfig(c), c)
		reparse(t, persona+" via Parse", Parse, ios.Render(c), c)
		// The JunOS rendering is a fixed point of itself.
		j1, err := junos.Apply(config.Config{Platform: c.Platform}, "set", []byte(junos.RenderSet(c)))
		if err != nil {
			t.Fatalf("%v\n%s", err, junos.RenderSet(c))
		}
		reparse(t, persona+" junos fixed point", func(f string, b []byte) (config.Config, error) {
			return junos.Apply(config.Config{Platform: c.Platform}, f, b)
		}, junos.RenderSet(j1), j1)
	}
}

func TestRandomModelsRoundTripJunOS(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		persona := platform.Names()[i%len(platform.Names())]
		c := randomJunOSConfig(t, r, persona)
		onto := func(f string, b []byte) (config.Config, error) {
			return junos.Apply(config.Config{Platform: persona}, f, b)
		}
		reparse(t, persona+" display set", onto, junos.RenderSet(c), c)
		reparse(t, persona+" brace text", onto, junos.Render(c), c)
		reparse(t, persona+" IOS", ios.Parse, ios.Render(c), c)
		if u := junos.Unmapped(c); len(u) > 0 {
			t.Fatalf("JunOS-only model reports unmapped %v", u)
		}
	}
}

// TestDialectsShareTheModel: a change made in JunOS shows in IOS and the
// other way round.
func TestDialectsShareTheModel(t *testing.T) {
	c := loadExample(t, "ios-router.conf")
	c, err := junos.Apply(c, "load", []byte(`set interfaces eth2 unit 0 family inet sampling output
set forwarding-options sampling family inet output flow-inactive-timeout 45
delete forwarding-options sampling family inet output flow-server 192.0.2.10
delete forwarding-options sampling family inet6 output flow-server 192.0.2.10
set snmp community public authorization read-write
`))
	if err != nil {
		t.Fatal(err)
	}
	text := ios.Render(c)
	for _, want := range []string{"interface eth2\n description tap B (inline, sampled)\n ip flow egress\n",
		"ip flow-cache timeout inactive 45\n", "snmp-server community public RW 10\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("IOS rendering lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "192.0.2.10 2055") {
		t.Errorf("deleted flow-server still exported:\n%s", text)
	}
	c, err = ios.Apply(c, "cli", []byte("ip flow-export destination 198.51.100.1 2055 version 9\ninterface eth1\n no ip flow egress\n"))
	if err != nil {
		t.Fatal(err)
	}
	set := junos.RenderSet(c)
	if !strings.Contains(set, "flow-server 198.51.100.1 version 9\n") || strings.Contains(set, "eth1 unit 0 family inet sampling output") {
		t.Errorf("JunOS rendering misses the IOS change:\n%s", set)
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Fatalf("Load of a missing file: %v", err)
	}
}

// examplesDir holds the example startup-configs operators start from; the
// round-trip tests read every one of them.
const examplesDir = "../../../configs"

// TestEveryExampleRoundTrips: each example in configs/, loaded, rendered
// as show running-config and fed back, gives an equal model.
func TestEveryExampleRoundTrips(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "*"))
	if err != nil || len(files) < 3 {
		t.Fatalf("examples in %s: %v %v", examplesDir, files, err)
	}
	for _, f := range files {
		c, err := Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		back, err := ios.Parse("running-config", []byte(ios.RunningConfig(c)))
		if err != nil {
			t.Fatalf("%s: running-config does not parse back: %v", f, err)
		}
		if !config.Equal(c, back) {
			t.Errorf("%s: running-config fed back differs: %v", f, config.Diff(c, back))
		}
	}
}
