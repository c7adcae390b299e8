package cfgfile

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

func TestDiffPaths(t *testing.T) {
	old := loadExample(t, "ios-router.conf")
	new, err := ios.Apply(old, "t", []byte(`ip flow-cache timeout inactive 45
interface eth1
 no ip flow egress
interface eth3
 ip flow ingress
no ip flow-export destination 192.0.2.10 2055
ip flow-export destination 2001:db8::10 4739 version 9
`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]config.Change{}
	for _, c := range config.Diff(old, new) {
		got[c.Path] = c
	}
	want := []string{
		"cache.inactive",
		"interfaces[eth1].egress",
		"interfaces[eth3]",
		"export.destinations[192.0.2.10:2055]",
		"export.destinations[[2001:db8::10]:4739].version",
	}
	if len(got) != len(want) {
		t.Errorf("changes %v, want paths %v", config.Diff(old, new), want)
	}
	for _, p := range want {
		if _, ok := got[p]; !ok {
			t.Errorf("no change at %s: %v", p, config.Diff(old, new))
		}
	}
	if c := got["cache.inactive"]; c.Old != 30*time.Second || c.New != 45*time.Second {
		t.Errorf("cache.inactive %v", c)
	}
	if c := got["interfaces[eth3]"]; c.Old != nil || c.New.(config.Interface).Name != "eth3" {
		t.Errorf("added interface %v", c)
	}
	if c := got["export.destinations[192.0.2.10:2055]"]; c.New != nil {
		t.Errorf("removed destination %v", c)
	}
	if len(config.Diff(old, old.Clone())) != 0 {
		t.Error("a clone differs")
	}
}

func TestRenderDiffIOS(t *testing.T) {
	old := loadExample(t, "ios-router.conf")
	new, err := ios.Apply(old, "t", []byte("interface eth1\n no ip flow egress\nip flow-export version ipfix\nno snmp-server contact\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := ios.RenderDiff(old, new)
	want := `!Contextual Config Diffs:
interface eth1
 -ip flow egress
-ip flow-export version 9 origin-as
+ip flow-export version ipfix
-snmp-server contact noc@example.net
`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := ios.RenderDiff(old, old); got != "!No changes were found\n" {
		t.Fatalf("no change: %q", got)
	}
}

// TestRenderDiffJunOS: the new flow-server has no autonomous-system-type:
// the example sets it on 192.0.2.10 only (it is per server).
func TestRenderDiffJunOS(t *testing.T) {
	old := loadExample(t, "junos.set")
	new, err := junos.Apply(old, "t", []byte(`set forwarding-options sampling input rate 2000
set forwarding-options sampling family inet output flow-server 192.0.2.99 port 2055
delete interfaces eth1
`))
	if err != nil {
		t.Fatal(err)
	}
	got := junos.RenderDiff(old, new)
	want := `[edit interfaces]
-   eth1 {
-       description "tap A (uplink)";
-       unit 0 {
-           family inet {
-               sampling {
-                   input;
-               }
-           }
-       }
-   }
[edit forwarding-options sampling input]
-   rate 1000;
+   rate 2000;
[edit forwarding-options sampling family inet output]
+   flow-server 192.0.2.99 {
+       port 2055;
+   }
`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestDiffSeesEveryField sets each field of the model in turn and checks
// that Diff (and so Equal) notices: a field added to the model later
// cannot be forgotten by the comparison.
func TestDiffSeesEveryField(t *testing.T) {
	n := 0
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := range v.NumField() {
			f := v.Field(i)
			name := path + "." + v.Type().Field(i).Name
			if f.Kind() == reflect.Struct && f.Type().PkgPath() == reflect.TypeFor[config.Config]().PkgPath() && f.Type() != reflect.TypeFor[config.Secret]() {
				walk(f, name)
				continue
			}
			saved := reflect.New(f.Type()).Elem()
			saved.Set(f)
			setNonZero(t, f, name)
			if len(config.Diff(config.Config{}, *rootOf(v))) == 0 {
				t.Errorf("Diff misses %s", name)
			}
			f.Set(saved)
			n++
		}
	}
	root = &config.Config{}
	walk(reflect.ValueOf(root).Elem(), "Config")
	if n < 40 {
		t.Fatalf("walked only %d fields", n)
	}
}

var root *config.Config

func rootOf(reflect.Value) *config.Config { return root }

func setNonZero(t *testing.T, f reflect.Value, name string) {
	switch f.Kind() {
	case reflect.String:
		f.SetString("x")
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Int, reflect.Int64:
		f.SetInt(1)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.SetUint(1)
	case reflect.Slice:
		f.Set(reflect.MakeSlice(f.Type(), 1, 1))
	case reflect.Array:
		setNonZero(t, f.Index(0), name+"[0]")
	case reflect.Struct:
		// netip values, platform and flowcache structs, Secret.
		switch f.Addr().Interface().(type) {
		case *config.Secret:
			f.Set(reflect.ValueOf(testHashes[0]))
		case *config.LinePassword:
			f.Set(reflect.ValueOf(config.ClearLinePassword("x", false)))
		default:
			if !setFirstField(f) {
				t.Fatalf("cannot set %s (%v)", name, f.Type())
			}
		}
	default:
		t.Fatalf("cannot set %s (%v)", name, f.Type())
	}
}

func setFirstField(f reflect.Value) bool {
	switch v := f.Addr().Interface().(type) {
	case interface{ UnmarshalText([]byte) error }:
		for _, s := range []string{"192.0.2.1:1", "192.0.2.1", "192.0.2.0/24"} {
			if v.UnmarshalText([]byte(s)) == nil {
				return true
			}
		}
		return false
	}
	for i := range f.NumField() {
		if g := f.Field(i); g.CanSet() && g.Kind() == reflect.Bool {
			g.SetBool(true)
			return true
		}
		if g := f.Field(i); g.CanSet() && g.Kind() == reflect.Uint8 {
			g.SetUint(1)
			return true
		}
		// A struct of structs (platform.NDEFilters): its first one's.
		if g := f.Field(i); g.CanSet() && g.Kind() == reflect.Struct && setFirstField(g) {
			return true
		}
	}
	return false
}

func TestChangeString(t *testing.T) {
	c := config.Change{Path: "enable-secret", Old: config.Secret{}, New: testHashes[0]}
	if s := c.String(); strings.Contains(s, "$8$") {
		t.Fatalf("a change shows the hash: %s", s)
	}
}
