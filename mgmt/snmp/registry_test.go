package snmp

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOIDOrder(t *testing.T) {
	in := []string{"1.3.6.1.10", "1.3.6.1.9", "1.3.6.1", "1.3.6.1.9.0", "1.3.6.2", "1.3.6.1.4294967295"}
	var oids []OID
	for _, s := range in {
		oids = append(oids, mustOID(s))
	}
	slices.SortFunc(oids, OID.Compare)
	var got []string
	for _, o := range oids {
		got = append(got, o.String())
	}
	want := []string{"1.3.6.1", "1.3.6.1.9", "1.3.6.1.9.0", "1.3.6.1.10", "1.3.6.1.4294967295", "1.3.6.2"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if s, ok := mustOID("1.3.6.4294967295").successor(); !ok || s.String() != "1.3.7" {
		t.Errorf("successor %v %v", s, ok)
	}
	for _, bad := range []string{"", "1..3", "1.3.x", "1.4294967296"} {
		if _, err := ParseOID(bad); err == nil {
			t.Errorf("ParseOID(%q) accepted", bad)
		}
	}
}

// testRegistry has a scalar before and after a table with a two-part
// index and a sparse column.
func testRegistry(t *testing.T) *Registry {
	t.Helper()
	r := NewRegistry()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.RegisterScalar(Scalar{OID: mustOID("1.3.9.1"), Name: "first", Get: constant(Integer(1))}))
	must(r.RegisterScalar(Scalar{OID: mustOID("1.3.9.3"), Name: "last", Get: constant(Integer(3))}))
	must(r.RegisterTable(Table{Entry: mustOID("1.3.9.2.1"), Name: "t", Columns: []Column{{ID: 2, Name: "a"}, {ID: 10, Name: "b"}},
		Rows: func() ([]Row, error) {
			// Out of order on purpose; row 10.1 has no b.
			return []Row{
				{Index: OID{10, 1}, Values: []Value{Integer(101)}},
				{Index: OID{9, 5}, Values: []Value{Integer(95), Integer(950)}},
				{Index: OID{10, 0}, Values: []Value{Integer(100), Integer(1000)}},
			}, nil
		}}))
	return r
}

func TestGetNextColumnMajor(t *testing.T) {
	q := newMIBRequest(testRegistry(t))
	var walked []string
	all := &View{}
	for o := mustOID("1.3"); ; {
		vb, ok, err := q.next(o, all, false)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		walked = append(walked, vb.Name.String())
		o = vb.Name
	}
	want := []string{"1.3.9.1.0", "1.3.9.2.1.2.9.5", "1.3.9.2.1.2.10.0", "1.3.9.2.1.2.10.1",
		"1.3.9.2.1.10.9.5", "1.3.9.2.1.10.10.0", "1.3.9.3.0"}
	if !slices.Equal(walked, want) {
		t.Errorf("walk\n %v\nwant\n %v", walked, want)
	}
	// GetNext from names that are not instances lands on the next one.
	for from, to := range map[string]string{"1.3.9.2": "1.3.9.2.1.2.9.5", "1.3.9.2.1.5": "1.3.9.2.1.10.9.5",
		"1.3.9.2.1.2.9.6": "1.3.9.2.1.2.10.0", "1.3.9.1.0.7": "1.3.9.2.1.2.9.5", "1.3.9.2.1.10.10.0.1": "1.3.9.3.0"} {
		vb, ok, _ := q.next(mustOID(from), all, false)
		if !ok || vb.Name.String() != to {
			t.Errorf("next(%s) = %s, want %s", from, vb.Name, to)
		}
	}
	for name, kind := range map[string]Kind{"1.3.9.2.1.10.10.1": kindNoSuchInstance, "1.3.9.2.1.3.9.5": kindNoSuchObject,
		"1.3.9.1": kindNoSuchInstance, "1.3.8.0": kindNoSuchObject, "1.3.9.2.1.10.9.5": KindInteger} {
		if v, _ := q.get(mustOID(name)); v.Kind != kind {
			t.Errorf("get(%s) = %s, want %s", name, v.Kind, kind)
		}
	}
}

func TestViewWalk(t *testing.T) {
	q := newMIBRequest(testRegistry(t))
	v := &View{Include: []OID{mustOID("1.3.9.2"), mustOID("1.3.9.3")}, Exclude: []OID{mustOID("1.3.9.2.1.2")}}
	var walked []string
	for o := mustOID("1"); ; {
		vb, ok, _ := q.next(o, v, false)
		if !ok {
			break
		}
		walked = append(walked, vb.Name.String())
		o = vb.Name
	}
	want := []string{"1.3.9.2.1.10.9.5", "1.3.9.2.1.10.10.0", "1.3.9.3.0"}
	if !slices.Equal(walked, want) {
		t.Errorf("walk %v, want %v", walked, want)
	}
	// A more specific include inside an exclude is visible again.
	v.Include = append(v.Include, mustOID("1.3.9.2.1.2.10"))
	vb, _, _ := q.next(mustOID("1.3.9.1.0"), v, false)
	if vb.Name.String() != "1.3.9.2.1.2.10.0" {
		t.Errorf("next past the exclude = %s", vb.Name)
	}
}

func TestRegisterOverlap(t *testing.T) {
	r := testRegistry(t)
	for _, o := range []string{"1.3.9.2.1.2", "1.3.9", "1.3.9.1"} {
		if err := r.RegisterScalar(Scalar{OID: mustOID(o), Name: "x", Get: constant(Integer(0))}); err == nil {
			t.Errorf("overlapping %s registered", o)
		}
	}
}

// TestSetPhases drives the two phases directly: a failing Test stops the
// request before any Commit; a failing Commit undoes earlier commits.
func TestSetPhases(t *testing.T) {
	var log []string
	state := map[string]int64{"a": 1, "b": 2}
	w := func(name string, fail bool) *Write {
		return &Write{Kind: KindInteger,
			Test: func(_ OID, v Value) error {
				if v.Int < 0 {
					return Errorf(WrongValue, "negative")
				}
				return nil
			},
			Commit: func(_ OID, v Value) (func() error, error) {
				if fail {
					return nil, Errorf(GenErr, "refused")
				}
				old := state[name]
				state[name] = v.Int
				log = append(log, name)
				return func() error { state[name] = old; log = append(log, "undo "+name); return nil }, nil
			}}
	}
	r := NewRegistry()
	r.RegisterScalar(Scalar{OID: mustOID("1.5.1"), Name: "a", Get: constant(Integer(0)), Write: w("a", false)})
	r.RegisterScalar(Scalar{OID: mustOID("1.5.2"), Name: "b", Get: constant(Integer(0)), Write: w("b", false)})
	r.RegisterScalar(Scalar{OID: mustOID("1.5.3"), Name: "c", Get: constant(Integer(0)), Write: w("c", true)})
	acc := &access{read: &View{}, write: &View{}}
	lg := slog.New(slog.DiscardHandler)
	set := func(vbs ...VarBind) outcome { return acc.processSet(newMIBRequest(r), vbs, lg) }
	vb := func(o string, v int32) VarBind { return VarBind{Name: mustOID(o), Value: Integer(v)} }

	if out := set(vb("1.5.1.0", 10), vb("1.5.2.0", -1)); out.status != WrongValue || out.index != 2 || len(log) != 0 {
		t.Errorf("test failure: %+v, commits %v", out, log)
	}
	if out := set(vb("1.5.1.0", 10), vb("1.5.2.0", 20), vb("1.5.3.0", 30)); out.status != CommitFailed || out.index != 3 {
		t.Errorf("commit failure: %+v", out)
	}
	if want := []string{"a", "b", "undo b", "undo a"}; !slices.Equal(log, want) || state["a"] != 1 || state["b"] != 2 {
		t.Errorf("log %v state %v", log, state)
	}
	if out := set(VarBind{Name: mustOID("1.5.1.0"), Value: String("x")}); out.status != WrongType {
		t.Errorf("wrong type: %+v", out)
	}
	acc.v1 = true
	if out := set(vb("1.5.1.0", -1)); out.status != BadValue {
		t.Errorf("v1 wrongValue maps to %v, want badValue", out.status)
	}
}

// TestNextEngineBoots: boots count up by one per start; with no count
// (a first start, or the state directory emptied) they start from the
// seconds since 2026, so that a receiver that cached this engine ID's
// count before the wipe takes the new one. They used to start at 1
// again, and snmptrapd dropped every v3 trap after a wipe.
func TestNextEngineBoots(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "engineboots")
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	first := uint32(now.Sub(bootsEpoch) / time.Second)
	for i := uint32(0); i < 3; i++ {
		got, err := nextEngineBoots(p, now.Add(time.Duration(i)*5*time.Second))
		if err != nil || got != first+i {
			t.Fatalf("start %d: got %d, %v; want %d", i+1, got, err, first+i)
		}
	}
	// Emptied a minute later: above the 3 counted before.
	os.Remove(p)
	if got, err := nextEngineBoots(p, now.Add(time.Minute)); err != nil || got != first+60 {
		t.Errorf("after the wipe: %d, %v; want %d", got, err, first+60)
	}
	// A count already there goes on from itself.
	os.WriteFile(p, []byte("41\n"), 0o600)
	if got, err := nextEngineBoots(p, now); err != nil || got != 42 {
		t.Errorf("from 41: %d, %v", got, err)
	}
	// No count in it (garbage, or emptied by a power cut): the clock's
	// count and an error that says so, in words; the file is repaired, so
	// the next start goes on without one.
	for _, junk := range []string{"garbage\n", ""} {
		os.WriteFile(p, []byte(junk), 0o600)
		got, err := nextEngineBoots(p, now)
		if err == nil || got != first || !strings.Contains(err.Error(), "not a count: started again from the clock's count") || strings.Contains(err.Error(), "strconv") {
			t.Errorf("%q: %d, %v; want %d and an error in words", junk, got, err, first)
		}
		if got, err := nextEngineBoots(p, now); err != nil || got != first+1 {
			t.Errorf("the start after %q: %d, %v; want %d: the file was not repaired", junk, got, err, first+1)
		}
	}
	// A clock before 2026 (no RTC, no NTP yet) still starts at 1.
	os.Remove(p)
	if got, err := nextEngineBoots(p, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || got != 1 {
		t.Errorf("clock in 1970: %d, %v", got, err)
	}
}
