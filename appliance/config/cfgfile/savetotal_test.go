package cfgfile

import (
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// saveLoad saves c to a private file and loads it back.
func saveLoad(t *testing.T, c config.Config) config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "startup-config")
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatalf("saved file does not load: %v", err)
	}
	return got
}

// TestSaveKeepsEveryDialect: whatever dialect configured the model, the
// saved file loads back to the same model: a JunOS operator's firewall
// filters and J-Flow names survive a restart although Save writes IOS.
func TestSaveKeepsEveryDialect(t *testing.T) {
	models := map[string]config.Config{}
	for _, name := range examples {
		models[name] = loadExample(t, name)
	}
	seed, err := junos.Parse("seed", seedJunOS(t))
	if err != nil {
		t.Fatal(err)
	}
	models["seed-junos"] = seed
	for name, c := range models {
		t.Run(name, func(t *testing.T) {
			got := saveLoad(t, c)
			if d := config.Diff(c, got); len(d) > 0 {
				t.Errorf("save/load changed the model: %v", d)
			}
			if !reflect.DeepEqual(got.Firewall, c.Firewall) {
				t.Errorf("firewall %+v\nwant %+v", got.Firewall, c.Firewall)
			}
			if !reflect.DeepEqual(got.JFlow, c.JFlow) {
				t.Errorf("jflow %+v\nwant %+v", got.JFlow, c.JFlow)
			}
			for i := range c.Interfaces {
				if i >= len(got.Interfaces) || got.Interfaces[i] != c.Interfaces[i] {
					t.Errorf("interfaces %+v\nwant %+v", got.Interfaces, c.Interfaces)
					break
				}
			}
		})
	}
}

// TestSaveJunOSOnlyParts: a JunOS candidate with a firewall filter bound
// to a port, flow-monitoring templates, a named sampling instance bound
// to an FPC and inline J-Flow saves as IOS plus only the `flowtap junos`
// lines IOS cannot say, and loads (and salvages) back to the same model.
func TestSaveJunOSOnlyParts(t *testing.T) {
	c, err := junos.Parse("t.set", []byte(`set interfaces eth1 unit 0 family inet filter input F
set firewall family inet filter F term web from protocol tcp
set firewall family inet filter F term web from destination-port 80
set firewall family inet filter F term web then sample
set firewall family inet filter F term web then accept
set firewall family inet filter F term rest then accept
set services flow-monitoring version-ipfix template T flow-active-timeout 120
set services flow-monitoring version-ipfix template T flow-inactive-timeout 30
set chassis fpc 0 sampling-instance S
set forwarding-options sampling instance S input rate 100
set forwarding-options sampling instance S family inet output flow-server 192.0.2.9 port 4739 version-ipfix template T
set forwarding-options sampling instance S family inet output inline-jflow source-address 192.0.2.1
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Firewall) != 1 || len(c.JFlow.Templates) != 1 || c.JFlow.Instance != "S" || len(c.JFlow.FPCs) != 1 || !c.JFlow.Inline {
		t.Fatalf("the candidate is not what the test needs: %+v %+v", c.Firewall, c.JFlow)
	}
	text := SaveText(c)
	if !strings.Contains(text, "flowtap junos set firewall family inet filter F term web then sample\n") ||
		!strings.Contains(text, "flowtap junos set interfaces eth1 unit 0 family inet filter input F\n") ||
		strings.Contains(text, "flowtap junos set system") || !strings.HasSuffix(text, "!\nend\n") {
		t.Errorf("saved text:\n%s", text)
	}
	got := saveLoad(t, c)
	if d := config.Diff(c, got); len(d) > 0 || !reflect.DeepEqual(got.Firewall, c.Firewall) || !reflect.DeepEqual(got.JFlow, c.JFlow) {
		t.Errorf("save/load changed the model: %v\n%s", d, text)
	}
	salvaged, skipped := Salvage("saved", []byte(text))
	if len(skipped) > 0 || len(config.Diff(c, salvaged)) > 0 {
		t.Errorf("salvage: skipped %v, changes %v", skipped, config.Diff(c, salvaged))
	}
	// A refused extension line is skipped with its file line; the rest
	// of the file still applies.
	bad := strings.Replace(text, "flowtap junos set firewall family inet filter F term rest then accept\n", "flowtap junos set firewall bogus\n", 1)
	n := 1 + strings.Count(bad[:strings.Index(bad, "set firewall bogus")], "\n")
	salvaged, skipped = Salvage("saved", []byte(bad))
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "saved:"+strconv.Itoa(n)) || len(salvaged.Firewall) != 1 {
		t.Errorf("bad line %d: skipped %v, firewall %+v", n, skipped, salvaged.Firewall)
	}
}
