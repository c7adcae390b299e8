package show

import (
	"fmt"
	"io"
)

// SNMPCounters are the agent's statistics by their MIB object names
// (snmpInPkts, snmpUnknownSecurityModels, usmStatsWrongDigests, ...), for
// JunOS's `show snmp statistics`; nil when no agent runs.
type SNMPCounters map[string]uint64

// SNMPStatistics renders `show snmp statistics` in JunOS's layout: the
// SNMPv2-MIB snmp group's input and output counters, and the SNMPv3
// ones (SNMP-MPD-MIB, SNMP-TARGET-MIB's contexts, USM). Counters
// flowtap's agent does not keep read 0, as on a Junos box without them.
func SNMPStatistics(w io.Writer, c SNMPCounters) {
	if c == nil {
		fmt.Fprintln(w, "error: the snmp subsystem is not running")
		return
	}
	fmt.Fprintf(w, `SNMP statistics:
  Input:
    Packets: %d, Bad versions: %d, Bad community names: %d,
    Bad community uses: %d, ASN parse errors: %d,
    Too bigs: %d, No such names: %d, Bad values: %d,
    Read onlys: %d, General errors: %d,
    Total request varbinds: %d, Total set varbinds: %d,
    Get requests: %d, Get nexts: %d, Set requests: %d,
    Get responses: %d, Traps: %d,
    Silent drops: %d, Proxy drops: %d, Commit pending drops: 0,
    Throttle drops: %d, Duplicate request drops: 0
  V3 Input:
    Unknown security models: %d, Invalid messages: %d
    Unknown pdu handlers: %d, Unavailable contexts: %d
    Unknown contexts: %d, Unsupported security levels: %d
    Not in time windows: %d, Unknown user names: %d
    Unknown engine ids: %d, Wrong digests: %d, Decryption errors: %d
  Output:
    Packets: %d, Too bigs: %d, No such names: %d,
    Bad values: %d, General errors: %d,
    Get requests: %d, Get nexts: %d, Set requests: %d,
    Get responses: %d, Traps: %d
`,
		c["snmpInPkts"], c["snmpInBadVersions"], c["snmpInBadCommunityNames"],
		c["snmpInBadCommunityUses"], c["snmpInASNParseErrs"],
		c["snmpInTooBigs"], c["snmpInNoSuchNames"], c["snmpInBadValues"],
		c["snmpInReadOnlys"], c["snmpInGenErrs"],
		c["snmpInTotalReqVars"], c["snmpInTotalSetVars"],
		c["snmpInGetRequests"], c["snmpInGetNexts"], c["snmpInSetRequests"],
		c["snmpInGetResponses"], c["snmpInTraps"],
		c["snmpSilentDrops"], c["snmpProxyDrops"],
		c[SNMPRateLimited],
		c["snmpUnknownSecurityModels"], c["snmpInvalidMsgs"],
		c["snmpUnknownPDUHandlers"], c["snmpUnavailableContexts"],
		c["snmpUnknownContexts"], c["usmStatsUnsupportedSecLevels"],
		c["usmStatsNotInTimeWindows"], c["usmStatsUnknownUserNames"],
		c["usmStatsUnknownEngineIDs"], c["usmStatsWrongDigests"], c["usmStatsDecryptionErrors"],
		c["snmpOutPkts"], c["snmpOutTooBigs"], c["snmpOutNoSuchNames"],
		c["snmpOutBadValues"], c["snmpOutGenErrs"],
		c["snmpOutGetRequests"], c["snmpOutGetNexts"], c["snmpOutSetRequests"],
		c["snmpOutGetResponses"], c["snmpOutTraps"])
}

// SNMPRateLimited names, in SNMPCounters, the requests dropped by the
// agent's per-manager rate limits: JunOS's throttle drops.
const SNMPRateLimited = "flowtapSnmpRateLimited"
