package snmp

import (
	"strings"
	"testing"
)

// TestCommunityAnswersUnchanged: comparing digests instead of the names
// answers exactly what comparing the names did. Each configured name is
// answered (with its own view: "limited" sees sysName but not
// sysContact), a name that is a prefix of another matches only itself,
// and every near miss (a prefix, an extension, another case, a trailing
// NUL, empty, far longer than any name) gets no answer and counts once
// in snmpInBadCommunityNames. A community its access list refuses is not
// answered however right its name.
func TestCommunityAnswersUnchanged(t *testing.T) {
	a := fuzzAgent(t)
	a.SetCommunities(append(a.communities.list, Community{Name: "pub"}))
	sysName := getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.5.0")
	for _, name := range []string{roCommunity, rwCommunity, "limited", "pub"} {
		p := decodeResponse(t, a.handle(communityRequest(t, version2c, name, sysName), testFrom))
		if p.errStatus != 0 || len(p.vbs) != 1 || string(p.vbs[0].Value.Bytes) != "probe1" {
			t.Errorf("community %q: %+v, want sysName", name, p)
		}
	}
	contact := getPDU(t, pduGet, 0, 0, "1.3.6.1.2.1.1.4.0")
	if p := decodeResponse(t, a.handle(communityRequest(t, version2c, "limited", contact), testFrom)); p.vbs[0].Value.Kind != kindNoSuchObject {
		t.Errorf("limited read sysContact outside its view: %+v", p.vbs[0].Value)
	}

	misses := []string{"", "p", "publi", "publicx", "Public", "PUBLIC", roCommunity + "\x00", "pubx",
		" " + roCommunity, strings.Repeat(roCommunity, 150), strings.Repeat("x", len(roCommunity))}
	before := a.ctr.get(cInBadCommunityNames)
	for _, guess := range misses {
		if resp := a.handle(communityRequest(t, version2c, guess, sysName), testFrom); resp != nil {
			t.Errorf("guess %q (%d octets) was answered", guess, len(guess))
		}
	}
	if got := a.ctr.get(cInBadCommunityNames) - before; got != uint32(len(misses)) {
		t.Errorf("snmpInBadCommunityNames rose by %d for %d guesses", got, len(misses))
	}
	// "elsewhere" is right but its list admits 192.0.2.0/24 only.
	if resp := a.handle(communityRequest(t, version2c, "elsewhere", sysName), testFrom); resp != nil {
		t.Error("a community its access list refuses was answered")
	}
}

// TestCommunityDigestsPerAgent: the digests are keyed per agent, so a
// digest seen in one agent (a core dump, a debugger) is no use against
// another, and the table keeps the names' digests, which find compares.
func TestCommunityDigestsPerAgent(t *testing.T) {
	a, b := fuzzAgent(t), fuzzAgent(t)
	if a.communities.digests[0] == b.communities.digests[0] {
		t.Error("two agents digest a name alike: the key is not per agent")
	}
	if a.communities.digests[0] != digestCommunity(a.communityKey[:], []byte(roCommunity)) {
		t.Error("the table's digest is not the name's under the agent's key")
	}
}
