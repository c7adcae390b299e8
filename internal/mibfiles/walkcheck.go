package mibfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// AllModules is every module kept in FlowtapDir and Dir, and net-snmp's
// UCD-SNMP-MIB: what an NMS loaded with every file flowtap's walk needs
// has, as a colon-separated list for Run.
func AllModules(t *testing.T) string {
	t.Helper()
	mods := []string{"UCD-SNMP-MIB"}
	for _, dir := range []string{FlowtapDir(), Dir()} {
		files, err := filepath.Glob(filepath.Join(dir, "*.my"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no MIB files in %s: %v", dir, err)
		}
		for _, f := range files {
			mods = append(mods, strings.TrimSuffix(filepath.Base(f), ".my"))
		}
	}
	return strings.Join(mods, ":")
}

// WalkArgs are the output options CheckWalk reads a walk in: numeric
// OIDs, every octet string in hex (so its length can be counted) and
// TimeTicks as a bare number. The walk must load no MIB file (-m ""),
// so that each value prints with the type the agent sent.
var WalkArgs = []string{"-m", "", "-On", "-Ox", "-Ot"}

// Instance is one varbind of a walk: its OID, the type net-snmp printed
// ("INTEGER", "Gauge32", "Hex-STRING", "Timeticks", ...) and the value.
type Instance struct {
	OID   []uint32
	Name  string // the OID as printed
	Type  string
	Value string
}

// ParseWalk reads a walk printed with WalkArgs. end reports that the
// walk finished at the end of the MIB view (net-snmp's last line, which
// repeats the last OID, is not an instance).
func ParseWalk(t *testing.T, out string) (insts []Instance, end bool) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		name, val, ok := strings.Cut(l, " = ")
		if !ok || !strings.HasPrefix(name, ".") {
			if n := len(insts); n > 0 && insts[n-1].Type == "Hex-STRING" {
				insts[n-1].Value += " " + strings.TrimSpace(l) // the rest of a long hex string
				continue
			}
			if strings.TrimSpace(l) != "" {
				t.Errorf("walk printed a line that is no varbind: %q", l)
			}
			continue
		}
		if strings.HasPrefix(val, "No more variables left") {
			end = true
			continue
		}
		var oid []uint32
		for _, p := range strings.Split(name[1:], ".") {
			n, err := strconv.ParseUint(p, 10, 32)
			if err != nil {
				t.Fatalf("walk printed a bad OID %q", name)
			}
			oid = append(oid, uint32(n))
		}
		in := Instance{OID: oid, Name: name}
		switch typ, v, ok := strings.Cut(val, ": "); {
		case val == `""`:
			in.Type = "Hex-STRING" // an empty octet string
		case ok:
			in.Type, in.Value = typ, strings.TrimSpace(v)
		default:
			if _, err := strconv.ParseUint(val, 10, 32); err != nil {
				t.Errorf("%s: value %q has no type", name, val)
			}
			in.Type, in.Value = "Timeticks", val // -Ot prints TimeTicks bare
		}
		insts = append(insts, in)
	}
	return insts, end
}

// Definition is what a MIB file says of the object an instance belongs
// to, as `snmptranslate -Td` prints it.
type Definition struct {
	Module, Object string
	Index          string // the instance's sub-identifiers after the object's OID
	Syntax         string // the base syntax, a textual convention resolved
	Access         string // MAX-ACCESS
	Column         bool   // the object is a column of a table (its parent an xxxEntry)
}

// pathRE matches a node of `snmptranslate -Td`'s "::= { iso(1) org(3) ... }".
var pathRE = regexp.MustCompile(`^([A-Za-z][\w-]*)\((\d+)\)$`)

// Define looks the instances up in the MIB files (module, as for Run) with
// one `snmptranslate -Td` and returns each one's definition, by the
// OID's printed name. An OID no loaded file defines an object for comes
// back with an empty Syntax.
func Define(t *testing.T, module string, names []string) map[string]Definition {
	t.Helper()
	defs := map[string]Definition{}
	for start := 0; start < len(names); start += 200 {
		batch := names[start:min(start+200, len(names))]
		out, err := Run(t, module, "snmptranslate", append([]string{"-Td", "-OS"}, batch...)...)
		if err != nil {
			t.Fatalf("snmptranslate -Td: %v", err)
		}
		// Each definition ends with its "::= { ... }" line; a DESCRIPTION
		// may hold blank lines, so the blocks are cut there.
		var blocks [][]string
		var cur []string
		for _, l := range strings.Split(out, "\n") {
			cur = append(cur, l)
			if strings.HasPrefix(l, "::= {") {
				blocks = append(blocks, cur)
				cur = nil
			}
		}
		if len(blocks) != len(batch) {
			t.Fatalf("snmptranslate -Td of %d OIDs printed %d definitions", len(batch), len(blocks))
		}
		for i, b := range blocks {
			defs[batch[i]] = define(b)
		}
	}
	return defs
}

func define(block []string) Definition {
	var d Definition
	for _, l := range block {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "-- FROM"):
			d.Module = strings.TrimSpace(strings.TrimPrefix(l, "-- FROM"))
		case strings.HasPrefix(l, "SYNTAX"):
			d.Syntax = strings.TrimSpace(strings.TrimPrefix(l, "SYNTAX"))
		case strings.HasPrefix(l, "MAX-ACCESS"):
			d.Access = strings.TrimSpace(strings.TrimPrefix(l, "MAX-ACCESS"))
		case strings.HasPrefix(l, "::= {"):
			path := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(l, "::= {"), "}"))
			// The object is the last named node; what follows is the
			// instance's index.
			last := -1
			for i, p := range path {
				if pathRE.MatchString(p) {
					last = i
				}
			}
			if last >= 0 {
				d.Object = pathRE.FindStringSubmatch(path[last])[1]
				d.Index = strings.Join(path[last+1:], ".")
				if last > 0 {
					if m := pathRE.FindStringSubmatch(path[last-1]); m != nil {
						d.Column = strings.HasSuffix(m[1], "Entry")
					}
				}
			}
		}
	}
	return d
}

// CheckInstance checks that an instance is one of an accessible leaf
// object: a scalar's instance is .0, a column's has an index; and that
// the value the agent sent has the object's SYNTAX: its type, and an
// integer's range or enumeration, an octet string's size.
func CheckInstance(in Instance, d Definition) error {
	if d.Syntax == "" || d.Module == "" {
		return fmt.Errorf("no object in the MIB files (nearest node %s::%s)", d.Module, d.Object)
	}
	switch d.Access {
	case "read-only", "read-write", "read-create":
	default:
		return fmt.Errorf("%s::%s is %q, never in a walk", d.Module, d.Object, d.Access)
	}
	if !d.Column && d.Index != "0" {
		return fmt.Errorf("%s::%s is a scalar; its instance is .0, not .%s", d.Module, d.Object, d.Index)
	}
	if d.Column && d.Index == "" {
		return fmt.Errorf("%s::%s is a column; its instance needs an index", d.Module, d.Object)
	}
	base, constraint, _ := strings.Cut(d.Syntax, " (")
	base, enum, _ := strings.Cut(base, " {")
	base = strings.TrimSpace(base)
	want := map[string]string{
		"INTEGER": "INTEGER", "Integer32": "INTEGER",
		"Unsigned32": "Gauge32", "Gauge32": "Gauge32",
		"Counter32": "Counter32", "Counter64": "Counter64",
		"TimeTicks": "Timeticks", "IpAddress": "IpAddress",
		"OBJECT IDENTIFIER": "OID", "OCTET STRING": "Hex-STRING", "BITS": "Hex-STRING",
		"Opaque": "OPAQUE",
	}[base]
	if want == "" {
		return fmt.Errorf("%s::%s: syntax %q not understood", d.Module, d.Object, d.Syntax)
	}
	if in.Type != want {
		return fmt.Errorf("%s::%s is %s (%s), the agent sent %s: %s", d.Module, d.Object, want, d.Syntax, in.Type, in.Value)
	}
	var size int64
	switch want {
	case "Hex-STRING":
		size = int64(len(strings.Fields(in.Value)))
	case "INTEGER", "Gauge32":
		v, err := strconv.ParseInt(strings.Fields(in.Value + " x")[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%s::%s: %s %q is no number", d.Module, d.Object, want, in.Value)
		}
		size = v
	default:
		return nil
	}
	if enum != "" && base != "BITS" {
		var labels []int64
		for _, e := range regexp.MustCompile(`\((-?\d+)\)`).FindAllStringSubmatch(enum, -1) {
			n, _ := strconv.ParseInt(e[1], 10, 64)
			labels = append(labels, n)
		}
		if !slices.Contains(labels, size) {
			return fmt.Errorf("%s::%s: %d is none of %s", d.Module, d.Object, size, d.Syntax)
		}
	}
	if constraint == "" {
		return nil
	}
	what := "value"
	if want == "Hex-STRING" {
		what = "size"
	}
	for _, r := range strings.Split(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(constraint), ")")), "|") {
		lo, hi, ok := strings.Cut(strings.TrimSpace(r), "..")
		if !ok {
			hi = lo
		}
		l, err1 := strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
		h, err2 := strconv.ParseInt(strings.TrimSpace(hi), 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%s::%s: range %q not understood", d.Module, d.Object, d.Syntax)
		}
		if l <= size && size <= h {
			return nil
		}
	}
	return fmt.Errorf("%s::%s: %s %d outside %s", d.Module, d.Object, what, size, d.Syntax)
}

// CheckWalk checks a whole walk printed with WalkArgs as an NMS loaded
// with every MIB file would read it: the walk reached the end of the
// MIB view, its OIDs strictly increase, and each instance is one of an
// accessible object of the files with its SYNTAX (CheckInstance). It
// returns the instances and their definitions.
func CheckWalk(t *testing.T, out string) ([]Instance, map[string]Definition) {
	t.Helper()
	insts, end := ParseWalk(t, out)
	if !end {
		t.Errorf("the walk did not end at the end of the MIB view")
	}
	if len(insts) == 0 {
		t.Fatalf("the walk gave no instance")
	}
	names := make([]string, len(insts))
	for i, in := range insts {
		names[i] = in.Name
		if i > 0 && slices.Compare(insts[i-1].OID, in.OID) >= 0 {
			t.Errorf("OID not increasing: %s after %s", in.Name, insts[i-1].Name)
		}
	}
	defs := Define(t, AllModules(t), names)
	bad := 0
	for _, in := range insts {
		if err := CheckInstance(in, defs[in.Name]); err != nil {
			if bad++; bad <= 40 {
				t.Errorf("%s: %v", in.Name, err)
			}
		}
	}
	if bad > 40 {
		t.Errorf("... %d instances in all disagree with the MIB files", bad)
	}
	if os.Getenv("MIBFILES_DUMP") != "" {
		for _, in := range insts {
			d := defs[in.Name]
			t.Logf("%s %s::%s.%s %s = %s: %s", in.Name, d.Module, d.Object, d.Index, d.Syntax, in.Type, in.Value)
		}
	}
	return insts, defs
}
