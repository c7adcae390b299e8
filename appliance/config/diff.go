package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// Change is one difference between two configurations. Path names the
// field the way Validate's errors do: `cache.inactive`,
// `interfaces[eth1].sampler`, `export.destinations[192.0.2.1:2055]`. Old and
// New hold the field's Go values; an element added to a keyed collection
// has Old nil, a removed one New nil.
type Change struct {
	Path     string
	Old, New any
}

func (c Change) String() string {
	return fmt.Sprintf("%s: %s -> %s", c.Path, showValue(c.Old), showValue(c.New))
}

func showValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "(none)"
	case string:
		return strconv.Quote(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprintf("%+v", v)
}

// Diff lists what changed from old to new, in model order; the daemon
// applies each change live. Nested structs of this package are walked
// field by field; slices of named things are matched by name, so
// reordering them is no change; any other value is compared whole.
func Diff(old, new Config) []Change {
	var out []Change
	diffValue(&out, "", reflect.ValueOf(old), reflect.ValueOf(new))
	return out
}

var configPkg = reflect.TypeFor[Config]().PkgPath()

func diffValue(out *[]Change, path string, a, b reflect.Value) {
	t := a.Type()
	switch {
	case t.Kind() == reflect.Struct && t.PkgPath() == configPkg && t != reflect.TypeFor[Secret]():
		for i := range t.NumField() {
			f := t.Field(i)
			p := joinPath(path, kebab(f.Name))
			if f.Anonymous {
				p = path // an embedded struct's fields are its holder's (vty.access-class)
			}
			diffValue(out, p, a.Field(i), b.Field(i))
		}
	case t.Kind() == reflect.Slice && keyed(t.Elem()):
		diffKeyed(out, path, a, b)
	case t.Kind() == reflect.Slice:
		if (a.Len() != 0 || b.Len() != 0) && !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, Change{Path: path, Old: a.Interface(), New: b.Interface()})
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, Change{Path: path, Old: a.Interface(), New: b.Interface()})
		}
	}
}

func diffKeyed(out *[]Change, path string, a, b reflect.Value) {
	inB := map[string]int{}
	for i := range b.Len() {
		inB[elemKey(b.Index(i))] = i
	}
	seen := map[string]bool{}
	for i := range a.Len() {
		k := elemKey(a.Index(i))
		seen[k] = true
		p := path + "[" + k + "]"
		if j, ok := inB[k]; ok {
			diffValue(out, p, a.Index(i), b.Index(j))
		} else {
			*out = append(*out, Change{Path: p, Old: a.Index(i).Interface()})
		}
	}
	for j := range b.Len() {
		if k := elemKey(b.Index(j)); !seen[k] {
			*out = append(*out, Change{Path: path + "[" + k + "]", New: b.Index(j).Interface()})
		}
	}
}

func keyed(t reflect.Type) bool {
	_, ok := reflect.Zero(t).Interface().(interface{ Key() string })
	return ok
}

func elemKey(v reflect.Value) string { return v.Interface().(interface{ Key() string }).Key() }

// The keys of the named collections, as they appear in paths.
func (i Interface) Key() string   { return i.Name }
func (s SamplerMap) Key() string  { return s.Name }
func (d Destination) Key() string { return d.Addr.String() }
func (p LogPort) Key() string     { return p.Addr.String() }
func (a Aggregation) Key() string { return a.Scheme.String() }
func (c Community) Key() string   { return c.Name }
func (g SNMPGroup) Key() string   { return g.Name }
func (v SNMPView) Key() string    { return v.Name }
func (u SNMPUser) Key() string {
	if u.Remote.IsValid() {
		return u.Name + "@" + RemoteKey(u.Remote, u.RemotePort)
	}
	return u.Name
}
func (e RemoteEngine) Key() string { return RemoteKey(e.Addr, e.Port) }
func (h TrapHost) Key() string     { return h.Addr.String() + " " + h.Name }
func (u User) Key() string         { return u.Name }
func (e ExecLevel) Key() string    { return e.Command }
func (e ModeLevel) Key() string    { return e.Mode + " " + e.Command }
func (l AccessList) Key() string   { return l.Ref() }

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// kebab turns a Go field name into its path segment: TopTalkers ->
// top-talkers, BGPNextHop -> bgp-next-hop.
func kebab(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) &&
			(unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
