package snmp

import "sync/atomic"

// counter names one of the agent's statistics.
type counter int

// The snmp group (SNMPv2-MIB, RFC 3418 and RFC 1213's older objects), the
// MPD, USM and target statistics. Their MIB objects are Counter32s and
// wrap; the counts are kept in 64 bits, so that show snmp and the
// metrics (Counters) go on past 2^32 where the objects start over.
const (
	cInPkts counter = iota
	cOutPkts
	cInBadVersions
	cInBadCommunityNames
	cInBadCommunityUses
	cInASNParseErrs
	cInTooBigs
	cInNoSuchNames
	cInBadValues
	cInReadOnlys
	cInGenErrs
	cInTotalReqVars
	cInTotalSetVars
	cInGetRequests
	cInGetNexts
	cInSetRequests
	cInGetResponses
	cInTraps
	cOutTooBigs
	cOutNoSuchNames
	cOutBadValues
	cOutGenErrs
	cOutGetRequests
	cOutGetNexts
	cOutSetRequests
	cOutGetResponses
	cOutTraps
	cSilentDrops
	cProxyDrops

	cUnknownSecurityModels
	cInvalidMsgs
	cUnknownPDUHandlers

	cUnsupportedSecLevels
	cNotInTimeWindows
	cUnknownUserNames
	cUnknownEngineIDs
	cWrongDigests
	cDecryptionErrors

	cUnavailableContexts
	cUnknownContexts

	// flowtap's own, not in any MIB: requests dropped by the rate limit,
	// and authenticationFailure notifications left out by theirs.
	cRateLimited
	cAuthenTrapsDropped
	// v3 requests refused by the user's (or its group's) access list.
	// Each is in usmStatsUnknownUserNames too, as a community's refusal
	// is in snmpInBadCommunityNames: to that source the user does not
	// exist. This one tells the two apart for show snmp and Prometheus.
	cUserACLRefused

	numCounters
)

// counterObjects places each counter in the MIB.
var counterObjects = []struct {
	c    counter
	oid  string
	name string
}{
	{cInPkts, "1.3.6.1.2.1.11.1", "snmpInPkts"},
	{cOutPkts, "1.3.6.1.2.1.11.2", "snmpOutPkts"},
	{cInBadVersions, "1.3.6.1.2.1.11.3", "snmpInBadVersions"},
	{cInBadCommunityNames, "1.3.6.1.2.1.11.4", "snmpInBadCommunityNames"},
	{cInBadCommunityUses, "1.3.6.1.2.1.11.5", "snmpInBadCommunityUses"},
	{cInASNParseErrs, "1.3.6.1.2.1.11.6", "snmpInASNParseErrs"},
	{cInTooBigs, "1.3.6.1.2.1.11.8", "snmpInTooBigs"},
	{cInNoSuchNames, "1.3.6.1.2.1.11.9", "snmpInNoSuchNames"},
	{cInBadValues, "1.3.6.1.2.1.11.10", "snmpInBadValues"},
	{cInReadOnlys, "1.3.6.1.2.1.11.11", "snmpInReadOnlys"},
	{cInGenErrs, "1.3.6.1.2.1.11.12", "snmpInGenErrs"},
	{cInTotalReqVars, "1.3.6.1.2.1.11.13", "snmpInTotalReqVars"},
	{cInTotalSetVars, "1.3.6.1.2.1.11.14", "snmpInTotalSetVars"},
	{cInGetRequests, "1.3.6.1.2.1.11.15", "snmpInGetRequests"},
	{cInGetNexts, "1.3.6.1.2.1.11.16", "snmpInGetNexts"},
	{cInSetRequests, "1.3.6.1.2.1.11.17", "snmpInSetRequests"},
	{cInGetResponses, "1.3.6.1.2.1.11.18", "snmpInGetResponses"},
	{cInTraps, "1.3.6.1.2.1.11.19", "snmpInTraps"},
	{cOutTooBigs, "1.3.6.1.2.1.11.20", "snmpOutTooBigs"},
	{cOutNoSuchNames, "1.3.6.1.2.1.11.21", "snmpOutNoSuchNames"},
	{cOutBadValues, "1.3.6.1.2.1.11.22", "snmpOutBadValues"},
	{cOutGenErrs, "1.3.6.1.2.1.11.24", "snmpOutGenErrs"},
	{cOutGetRequests, "1.3.6.1.2.1.11.25", "snmpOutGetRequests"},
	{cOutGetNexts, "1.3.6.1.2.1.11.26", "snmpOutGetNexts"},
	{cOutSetRequests, "1.3.6.1.2.1.11.27", "snmpOutSetRequests"},
	{cOutGetResponses, "1.3.6.1.2.1.11.28", "snmpOutGetResponses"},
	{cOutTraps, "1.3.6.1.2.1.11.29", "snmpOutTraps"},
	{cSilentDrops, "1.3.6.1.2.1.11.31", "snmpSilentDrops"},
	{cProxyDrops, "1.3.6.1.2.1.11.32", "snmpProxyDrops"},

	{cUnknownSecurityModels, "1.3.6.1.6.3.11.2.1.1", "snmpUnknownSecurityModels"},
	{cInvalidMsgs, "1.3.6.1.6.3.11.2.1.2", "snmpInvalidMsgs"},
	{cUnknownPDUHandlers, "1.3.6.1.6.3.11.2.1.3", "snmpUnknownPDUHandlers"},

	{cUnavailableContexts, "1.3.6.1.6.3.12.1.4", "snmpUnavailableContexts"},
	{cUnknownContexts, "1.3.6.1.6.3.12.1.5", "snmpUnknownContexts"},

	{cUnsupportedSecLevels, "1.3.6.1.6.3.15.1.1.1", "usmStatsUnsupportedSecLevels"},
	{cNotInTimeWindows, "1.3.6.1.6.3.15.1.1.2", "usmStatsNotInTimeWindows"},
	{cUnknownUserNames, "1.3.6.1.6.3.15.1.1.3", "usmStatsUnknownUserNames"},
	{cUnknownEngineIDs, "1.3.6.1.6.3.15.1.1.4", "usmStatsUnknownEngineIDs"},
	{cWrongDigests, "1.3.6.1.6.3.15.1.1.5", "usmStatsWrongDigests"},
	{cDecryptionErrors, "1.3.6.1.6.3.15.1.1.6", "usmStatsDecryptionErrors"},
}

type counters [numCounters]atomic.Uint64

// inc counts one and returns the MIB object's value after it.
func (c *counters) inc(k counter) uint32 { return Wrap32(c[k].Add(1)) }

func (c *counters) add(k counter, n int) { c[k].Add(uint64(n)) }

// get is the MIB object: the count modulo 2^32.
func (c *counters) get(k counter) uint32 { return Wrap32(c[k].Load()) }

// total is the whole count.
func (c *counters) total(k counter) uint64 { return c[k].Load() }

// counterOID is the instance a Report carries for a counter.
func counterOID(k counter) OID {
	for _, o := range counterObjects {
		if o.c == k {
			return mustOID(o.oid).Append(0)
		}
	}
	panic("snmp: counter without an OID")
}

// UserACLRefused names, in Counters, flowtap's count of v3 requests
// refused by the user's access list, and its MIB object (flowtap.5.1.0, a
// Counter32 that wraps with usmStatsUnknownUserNames, which counts each
// of them as well).
const UserACLRefused = "flowtapUsmUserAccessListRefused"

// RateLimited names, in Counters, the requests dropped by the rate
// limits before they were decoded (not a MIB object: JunOS's show snmp
// statistics calls them throttle drops).
const RateLimited = "flowtapSnmpRateLimited"

// Counters are the agent's statistics by their MIB object names
// (snmpInPkts, ...), UserACLRefused and RateLimited, for `show snmp` and
// the metrics: whole counts, which go on where the Counter32 objects wrap
// (a Prometheus counter that went back to 0 at 2^32 reads as a restart).
func (a *Agent) Counters() map[string]uint64 {
	out := make(map[string]uint64, len(counterObjects)+2)
	for _, o := range counterObjects {
		out[o.name] = a.ctr.total(o.c)
	}
	out[UserACLRefused] = a.ctr.total(cUserACLRefused)
	out[RateLimited] = a.ctr.total(cRateLimited)
	return out
}
