package platform

import "testing"

func TestVLANList(t *testing.T) {
	s, err := ParseVLANList("30,10,20-25,26,4094,11")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "10-11,20-26,30,4094" || !s.Valid() {
		t.Errorf("normal form %q (valid %v)", got, s.Valid())
	}
	for v, want := range map[uint16]bool{9: false, 10: true, 11: true, 12: false, 20: true, 26: true, 27: false, 30: true, 4094: true} {
		if s.Has(v) != want {
			t.Errorf("Has(%d) = %v", v, !want)
		}
	}
	r, _ := ParseVLANList("11,22-23,4094")
	if got := s.Remove(r).String(); got != "10,20-21,24-26,30" {
		t.Errorf("remove: %q", got)
	}
	for _, bad := range []string{"0", "4095", "10-5", "a", "", "1,", "5-"} {
		if _, err := ParseVLANList(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
