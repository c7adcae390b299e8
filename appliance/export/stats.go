package export

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are one destination's counters (`show ip flow export`).
type Stats struct {
	Collector netip.AddrPort
	Version   Version
	// Anon says what the collector gets instead of real addresses; empty
	// when it gets them.
	Anon string

	// Packets, Records and Bytes count what the collector was sent and did
	// not refuse: a packet is counted once no ICMP error came back for it
	// within ConfirmAfter.
	Packets uint64 // export packets sent
	Records uint64 // flow records in the packets sent
	Bytes   uint64 // UDP payload bytes sent
	// Errors counts packets lost to an unreachable collector: the socket
	// refused them (ECONNREFUSED, EHOSTUNREACH...), the collector answered
	// them with ICMP unreachable, or they were discarded while it was
	// unreachable, between probes.
	Errors       uint64
	ErrorRecords uint64
	// Of Errors, the packets lost for want of a route to the collector
	// (IOS: "dropped due to no fib"), for want of its next hop's
	// link-layer address (ARP or neighbour discovery failed: "adjacency
	// issues") and because a hop on the way refused them as too big
	// ("fragmentation failures"); each counts the packets discarded while
	// the outage it caused lasts too.
	NoRoute, Adjacency, TooBig uint64
	// Dropped counts packets thrown away for want of a queue slot
	// ("flows failed due to lack of export packet"): a record offered to
	// a closed exporter. The queue waits while the collector is
	// reachable; a packet a full queue refuses while it is not counts
	// under the outage's cause, as the packets the sender discards do.
	Dropped        uint64
	DroppedRecords uint64
	// LostRecords and LostPackets are the flows in every record that did
	// not reach the collector (Errors and Dropped together) and the
	// packets those flows counted.
	LostRecords uint64
	LostPackets uint64
	// The same, by why (they sum to LostRecords and LostPackets): no
	// route, adjacency (ARP/ND), too big for a hop, the other send
	// errors (refused, ICMP unreachable from afar), and Dropped's
	// records with DroppedPackets, their flows' packets.
	NoRouteRecords, NoRoutePackets     uint64
	AdjacencyRecords, AdjacencyPackets uint64
	TooBigRecords, TooBigPackets       uint64
	SendErrorRecords, SendErrorPackets uint64
	DroppedPackets                     uint64
	// Unreachable says the exporter considers the collector unreachable
	// now: it discards packets between probes instead of waiting.
	Unreachable bool
	// NotExportable counts records the format cannot carry (IPv6 in v5, v7
	// or v8) or that came from the wrong cache.
	NotExportable uint64
	// Layer2NotSelected counts flows not exported because `ip flow export
	// layer2-switched vlan` does not list their VLAN, and the packets they
	// counted; Layer2Filter says the destination has such a list.
	Layer2NotSelected        uint64
	Layer2NotSelectedPackets uint64
	Layer2Filter             bool
	// NDEFiltered counts flows not exported because a PFC's NDE flow
	// filter (`mls nde flow include|exclude`) leaves them out, and the
	// packets they counted.
	NDEFiltered        uint64
	NDEFilteredPackets uint64
	// FamilyNotSelected counts flows not exported because the collector
	// takes the other address family only (DestinationConfig.Family),
	// and the packets they counted.
	FamilyNotSelected        uint64
	FamilyNotSelectedPackets uint64
	Family                   int // 4 or 6: the one family the collector takes; 0 every one
	// Biflow says the collector gets RFC 5103 biflows; BiflowWaiting is
	// how many expired directions wait for their partner now (sent within
	// the hold, with or without it).
	Biflow        bool
	BiflowWaiting int
	// Resent counts the records a daemon killed before it sent them
	// (SIGKILL, a crash) left in the spool and this one sent, with their
	// flows' packets; Doubt those of them that were in the packet being
	// written at the kill, which the collector may have got twice.
	Resent, ResentPackets uint64
	Doubt, DoubtPackets   uint64

	LastTemplate time.Time // when a packet with templates was last sent
	LastError    error
}

type counters struct {
	packets, records, bytes  atomic.Uint64
	errors, errorRecords     atomic.Uint64
	noRoute, adjacency       atomic.Uint64
	tooBig                   atomic.Uint64
	dropped, droppedRecords  atomic.Uint64
	lostRecords, lostPackets atomic.Uint64
	// records and flow packets lost, by lossCause
	causeRecords, causePackets [numCauses]atomic.Uint64
	notExportable              atomic.Uint64
	layer2NotSelected          atomic.Uint64
	layer2NotSelectedPackets   atomic.Uint64
	ndeFiltered                atomic.Uint64
	ndeFilteredPackets         atomic.Uint64
	familyNotSelected          atomic.Uint64
	familyNotSelectedPackets   atomic.Uint64
	resent, resentPackets      atomic.Uint64
	doubt, doubtPackets        atomic.Uint64
	templates, optTemplates    atomic.Uint64 // template records in the packets sent
	// ledger is the cache's ledger (nil: none), where each packet's
	// flows are settled with its fate.
	ledger       atomic.Pointer[Ledger]
	mu           sync.Mutex // guards the two below
	lastTemplate time.Time
	lastError    error
}

func (c *counters) sent(n int, info PacketInfo, now time.Time) {
	c.packets.Add(1)
	c.records.Add(uint64(info.Records))
	c.bytes.Add(uint64(n))
	c.templates.Add(uint64(info.DataTemplates))
	c.optTemplates.Add(uint64(info.OptionsTemplates))
	c.ledger.Load().settle(outcomeSent, info.seqs...)
	if info.Templates {
		c.mu.Lock()
		c.lastTemplate = now
		c.mu.Unlock()
	}
}

// lossCause is why a packet was lost, in IOS's words for
// `show ip flow export`.
type lossCause uint8

const (
	causeSend      lossCause = iota // "send errors": refused, unreachable, discarded while so
	causeNoRoute                    // "no fib"
	causeAdjacency                  // "adjacency issues"
	causeTooBig                     // "fragmentation failures"
	causeNoBuffer                   // "lack of export packet": a closed exporter
	numCauses
)

// failed counts a packet lost to an unreachable collector, for cause;
// err, when set, becomes LastError.
func (c *counters) failed(info PacketInfo, err error, cause lossCause) {
	c.errors.Add(1)
	c.errorRecords.Add(uint64(info.Records))
	switch cause {
	case causeNoRoute:
		c.noRoute.Add(1)
	case causeAdjacency:
		c.adjacency.Add(1)
	case causeTooBig:
		c.tooBig.Add(1)
	}
	c.lost(info, cause)
	if err != nil {
		c.mu.Lock()
		c.lastError = err
		c.mu.Unlock()
	}
}

func (c *counters) setError(err error) {
	c.mu.Lock()
	c.lastError = err
	c.mu.Unlock()
}

// drop counts a packet (or a lone record) the queue had no room for.
func (c *counters) drop(info PacketInfo) {
	c.dropped.Add(1)
	c.droppedRecords.Add(uint64(info.Records))
	c.lost(info, causeNoBuffer)
}

// dropRecord counts a record offered to a closed exporter; seqs are its
// flows' ledger numbers.
func (c *counters) dropRecord(packets uint64, seqs ...uint64) {
	c.droppedRecords.Add(1)
	c.lost(PacketInfo{Records: 1, Packets: packets, seqs: seqs}, causeNoBuffer)
}

func (c *counters) lost(info PacketInfo, cause lossCause) {
	c.lostRecords.Add(uint64(info.Records))
	c.lostPackets.Add(info.Packets)
	c.ledger.Load().settle(lossOutcome(cause), info.seqs...)
	c.causeRecords[cause].Add(uint64(info.Records))
	c.causePackets[cause].Add(info.Packets)
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Packets:        c.packets.Load(),
		Records:        c.records.Load(),
		Bytes:          c.bytes.Load(),
		Errors:         c.errors.Load(),
		ErrorRecords:   c.errorRecords.Load(),
		NoRoute:        c.noRoute.Load(),
		Adjacency:      c.adjacency.Load(),
		TooBig:         c.tooBig.Load(),
		Dropped:        c.dropped.Load(),
		DroppedRecords: c.droppedRecords.Load(),
		LostRecords:    c.lostRecords.Load(),
		LostPackets:    c.lostPackets.Load(),
		NotExportable:  c.notExportable.Load(),

		Layer2NotSelected:        c.layer2NotSelected.Load(),
		Layer2NotSelectedPackets: c.layer2NotSelectedPackets.Load(),
		NDEFiltered:              c.ndeFiltered.Load(), NDEFilteredPackets: c.ndeFilteredPackets.Load(),
		FamilyNotSelected: c.familyNotSelected.Load(), FamilyNotSelectedPackets: c.familyNotSelectedPackets.Load(),
		Resent: c.resent.Load(), ResentPackets: c.resentPackets.Load(),
		Doubt: c.doubt.Load(), DoubtPackets: c.doubtPackets.Load(),

		NoRouteRecords: c.causeRecords[causeNoRoute].Load(), NoRoutePackets: c.causePackets[causeNoRoute].Load(),
		AdjacencyRecords: c.causeRecords[causeAdjacency].Load(), AdjacencyPackets: c.causePackets[causeAdjacency].Load(),
		TooBigRecords: c.causeRecords[causeTooBig].Load(), TooBigPackets: c.causePackets[causeTooBig].Load(),
		SendErrorRecords: c.causeRecords[causeSend].Load(), SendErrorPackets: c.causePackets[causeSend].Load(),
		DroppedPackets: c.causePackets[causeNoBuffer].Load(),
	}
	c.mu.Lock()
	s.LastTemplate, s.LastError = c.lastTemplate, c.lastError
	c.mu.Unlock()
	return s
}

// Inherit adds old's counters to e's: e replaces old for the same
// collector (a change of its encoder settings, as a sampler or a timeout
// the options carry, reopens it), and counters go back to zero only on
// clear. Call it once old is closed, so its last sends are in.
func (e *Exporter) Inherit(old *Exporter) {
	if old == nil || old == e {
		return
	}
	o, c := &old.stats, &e.stats
	for _, p := range [][2]*atomic.Uint64{
		{&c.packets, &o.packets}, {&c.records, &o.records}, {&c.bytes, &o.bytes},
		{&c.errors, &o.errors}, {&c.errorRecords, &o.errorRecords},
		{&c.noRoute, &o.noRoute}, {&c.adjacency, &o.adjacency}, {&c.tooBig, &o.tooBig},
		{&c.dropped, &o.dropped}, {&c.droppedRecords, &o.droppedRecords},
		{&c.lostRecords, &o.lostRecords}, {&c.lostPackets, &o.lostPackets},
		{&c.notExportable, &o.notExportable},
		{&c.layer2NotSelected, &o.layer2NotSelected}, {&c.layer2NotSelectedPackets, &o.layer2NotSelectedPackets},
		{&c.ndeFiltered, &o.ndeFiltered}, {&c.ndeFilteredPackets, &o.ndeFilteredPackets},
		{&c.familyNotSelected, &o.familyNotSelected}, {&c.familyNotSelectedPackets, &o.familyNotSelectedPackets},
		{&c.resent, &o.resent}, {&c.resentPackets, &o.resentPackets}, {&c.doubt, &o.doubt}, {&c.doubtPackets, &o.doubtPackets},
		{&c.templates, &o.templates}, {&c.optTemplates, &o.optTemplates},
	} {
		p[0].Add(p[1].Load())
	}
	for i := range numCauses {
		c.causeRecords[i].Add(o.causeRecords[i].Load())
		c.causePackets[i].Add(o.causePackets[i].Load())
	}
	// The data records sent with each template (IPFIX-MIB's
	// ipfixTemplateDataRecords) carry on for the templates e defines as
	// old did.
	old.mu.Lock()
	defer old.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if ot, ok := old.enc.(*templated); ok {
		if nt, ok := e.enc.(*templated); ok {
			nt.inherit(ot, old.started)
		}
	}
}

// LossReason is one reason a destination lost export packets, with what
// they carried: Datagrams export packets, Records flows, Packets the
// packets those flows counted.
type LossReason struct {
	// Name is the reason's word, as Prometheus labels and the CLI use
	// it: "no-route", "adjacency", "too-big", "send-error",
	// "no-export-packet".
	Name                        string
	Datagrams, Records, Packets uint64
}

// LostBy breaks LostRecords and LostPackets down by reason, always in
// the same order (that of the SNMP loss table's columns); the rows sum
// to LostRecords and LostPackets, and their datagrams to Errors +
// Dropped.
func (s Stats) LostBy() []LossReason {
	return []LossReason{
		{"no-route", s.NoRoute, s.NoRouteRecords, s.NoRoutePackets},
		{"adjacency", s.Adjacency, s.AdjacencyRecords, s.AdjacencyPackets},
		{"too-big", s.TooBig, s.TooBigRecords, s.TooBigPackets},
		{"send-error", s.Errors - s.NoRoute - s.Adjacency - s.TooBig, s.SendErrorRecords, s.SendErrorPackets},
		{"no-export-packet", s.Dropped, s.DroppedRecords, s.DroppedPackets},
	}
}
