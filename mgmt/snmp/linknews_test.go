package snmp

import "testing"

// TestLinkNewsForgetsGoneLinks: linkUp/linkDown news as before (a new
// link that is down is none; a change is), and a link that is gone is
// forgotten, so 1000 links coming and going leave only the one there is.
func TestLinkNewsForgetsGoneLinks(t *testing.T) {
	up := map[uint32]bool{}
	if news, _ := linkNews(up, 2, true, false); !news {
		t.Error("a new link that is up is no news")
	}
	for i := range uint32(1000) {
		if news, _ := linkNews(up, 100+i, false, false); news {
			t.Fatal("a new link that is down is news")
		}
		if news, isUp := linkNews(up, 100+i, true, false); !news || !isUp {
			t.Fatal("a link that came up is no news")
		}
		if news, isUp := linkNews(up, 100+i, false, true); !news || isUp {
			t.Fatal("a link that went down as it went is no news")
		}
	}
	if len(up) != 1 {
		t.Errorf("the link watch keeps %d links after 1000 came and went, want the 1 there is", len(up))
	}
	if news, _ := linkNews(up, 2, true, false); news {
		t.Error("the same state again is news")
	}
}
