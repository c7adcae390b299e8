package snmp

import (
	"testing"
)

// TestGetNextBetweenObjects walks the whole tree of an agent with every
// MIB (fixed interfaces, the fake backend, a stopped clock), then asks
// GetNext for names that fall between two instances: an instance with
// sub-identifiers appended (.0, and .4294967295.7), the object or column
// above the next instance, and the largest name just below it. Each must answer the next instance, and
// a name past the last instance endOfMibView, whatever table, column or
// scalar the name falls in.
func TestGetNextBetweenObjects(t *testing.T) {
	a := fuzzAgent(t)
	next := func(name OID) VarBind {
		t.Helper()
		p := decodeResponse(t, a.handle(communityRequest(t, version2c, roCommunity, getPDU(t, pduGetNext, 0, 0, name.String())), testFrom))
		if p.errStatus != 0 || len(p.vbs) != 1 {
			t.Fatalf("GetNext %s: status %d, %d bindings", name, p.errStatus, len(p.vbs))
		}
		return p.vbs[0]
	}
	var all []OID
	for vb := next(mustOID("1.3")); vb.Value.Kind != kindEndOfMibView; vb = next(vb.Name) {
		if n := len(all); n > 0 && vb.Name.Compare(all[n-1]) <= 0 {
			t.Fatalf("GetNext after %s went back to %s", all[n-1], vb.Name)
		}
		all = append(all, vb.Name)
		if len(all) > 5000 {
			t.Fatal("the walk does not end")
		}
	}
	if len(all) < 300 {
		t.Fatalf("the walk found %d instances", len(all))
	}
	asked := 0
	for i, o := range all {
		want := "endOfMibView"
		if i+1 < len(all) {
			want = all[i+1].String()
		}
		probes := []OID{o.Append(0), o.Append(4294967295, 7)}
		if i+1 < len(all) {
			// The largest name below the next instance: its last
			// sub-identifier one less, then 4294967295s to the limit.
			n := all[i+1]
			// The object or row above the next instance (sysDescr for
			// sysDescr.0, a column for its first row).
			if up := n[:len(n)-1]; up.Compare(o) > 0 {
				probes = append(probes, up)
			}
			if last := n[len(n)-1]; last > 0 {
				below := append(n[:len(n)-1:len(n)-1].Append(last-1), 4294967295)
				if below.Compare(o) > 0 {
					probes = append(probes, below)
				}
			}
		}
		for _, q := range probes {
			if len(q) > maxOIDLen {
				continue
			}
			asked++
			got := next(q)
			g := got.Name.String()
			if got.Value.Kind == kindEndOfMibView {
				g = "endOfMibView"
			}
			if g != want {
				t.Errorf("GetNext %s = %s, want %s", q, g, want)
			}
		}
	}
	t.Logf("%d instances, %d names between them asked", len(all), asked)
}
