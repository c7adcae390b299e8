package snmp

import (
	"net/netip"
	"time"

	"github.com/flowtap/flowtap/appliance/flowcache"
)

// Setter applies what an SNMP Set changes in the configuration. The
// daemon implements it with config-model changes, so a Set is the same
// change as the CLI line; each method takes the new value, already range
// checked here, and returns an error if the model refuses it. Undoing a
// failed multi-object Set calls the same methods with the old values.
type Setter interface {
	SetSysContact(contact string) error   // snmp-server contact
	SetSysName(name string) error         // hostname
	SetSysLocation(location string) error // snmp-server location
	SetInterfaceDescription(ifName, description string) error
	// SetInterfaceLinkTrap is `[no] snmp trap link-status` on the
	// interface (ifLinkUpDownTrapEnable).
	SetInterfaceLinkTrap(ifName string, on bool) error

	SetCacheEntries(entries uint32) error           // ip flow-cache entries
	SetActiveTimeout(d time.Duration) error         // ip flow-cache timeout active (minutes)
	SetInactiveTimeout(d time.Duration) error       // ip flow-cache timeout inactive (seconds)
	SetExportVersion(version uint32) error          // ip flow-export version 5|9|ipfix (10)
	AddCollector(collector netip.AddrPort) error    // ip flow-export destination
	RemoveCollector(collector netip.AddrPort) error // no ip flow-export destination

	SetTopFlowsTopN(n uint32) error                // ip flow-top-talkers / top (0 removes)
	SetTopFlowsSortBy(s SortBy) error              // ip flow-top-talkers / sort-by
	SetTopFlowsCacheTimeout(d time.Duration) error // ip flow-top-talkers / cache-timeout
	SetTopFlowsMatch(m flowcache.Match) error      // ip flow-top-talkers / match ...

	// SetInterfaceFlow is `[no] ip flow ingress` and `[no] ip flow egress`
	// on the interface with that ifIndex.
	SetInterfaceFlow(ifIndex uint32, ingress, egress bool) error
}

// DryRunner is a Setter that can try a change without making it: the
// Setter DryRun returns refuses what the real one would and changes
// nothing. The DisplayString objects' Sets then refuse a value the
// configuration does not take (a host name with a blank) in their test
// phase, with wrongValue, rather than failing their commit.
type DryRunner interface {
	DryRun() Setter
}

// dryRun is st's dry Setter, nil when it has none.
func dryRun(st Setter) Setter {
	if d, ok := st.(DryRunner); ok {
		return d.DryRun()
	}
	return nil
}

// AuthenTrapsSetter is a Setter that also takes snmpEnableAuthenTraps:
// `[no] snmp-server enable traps snmp authentication`. The agent's own
// state follows through SetAuthenTraps when the change is applied.
type AuthenTrapsSetter interface {
	SetAuthenTraps(on bool) error
}

// SortBy is NfTopFlowsSortTypes.
type SortBy uint8

const (
	SortNone      SortBy = 1
	SortByPackets SortBy = 2
	SortByBytes   SortBy = 3
)
