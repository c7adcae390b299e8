// Package snmp is flowtap's SNMP agent: a command responder for SNMPv1,
// SNMPv2c and SNMPv3 (USM) over UDP on IPv4 and IPv6, and a notification
// originator (v1 and v2c traps, v2c informs, v3 traps and informs).
//
// # Layout
//
//   - agent.go, agent_v3.go: sockets, message handling, the response size
//     rules; community.go and usm*.go the two security models; view.go the
//     per-community and per-user MIB views.
//   - registry.go, lookup.go, dispatch.go: the MIB registry. Other packages
//     add objects with Registry.RegisterScalar and RegisterTable; Get,
//     GetNext (tables column by column, rows in index order), GetBulk and
//     the two-phase Set run over it.
//   - mib_*.go: SNMPv2-MIB system and snmp groups, SNMP-FRAMEWORK/MPD/USM
//     statistics, IF-MIB (netlink), CISCO-NETFLOW-MIB, IPFIX-MIB;
//     mib_ip.go IP-MIB's address tables (netlink's addresses);
//     mib_host.go HOST-RESOURCES-MIB and UCD-SNMP-MIB's memory, load and
//     CPU objects over mgmt/hostres; mib_ciscoproc.go CISCO-PROCESS-MIB's
//     cpmCPUTotalTable and CISCO-MEMORY-POOL-MIB's ciscoMemoryPoolTable
//     (Config.CPU, the sampler `show processes cpu` reads); mib_entity.go
//     ENTITY-MIB's physical, alias mapping and contains tables over
//     Config.Inventory, entLastChangeTime and entConfigChange
//     (WatchEntities); mib_configman.go
//     CISCO-CONFIG-MAN-MIB's configuration history and ciscoConfigManEvent
//     (Agent.ConfigEvent). sysORTable lists the modules served.
//   - notify.go, inform.go, watch.go: notifications, link and cache
//     watchers.
//
// gosnmp encodes and decodes the variable bindings (OIDs and values);
// message and PDU framing and all of USM are here, because gosnmp's are
// written for a manager (see ber.go).
//
// # Decisions
//
// Message size: snmpEngineMaxMessageSize defaults to 1472 octets, an
// Ethernet MTU less IPv4 and UDP headers. Larger requests are dropped and
// counted in snmpInASNParseErrs. Responses are held to it, and for v3 also
// to the request's msgMaxSize. A Get, GetNext or Set whose response would
// not fit gets tooBig (v2c/v3: no bindings; v1: the request's bindings, as
// RFC 1157 says); a GetBulk is cut short instead, and gets tooBig only when
// not one binding fits.
//
// Replies leave from the address the request was sent to (IP_PKTINFO
// and IPV6_PKTINFO on a wildcard socket), not the kernel's preferred
// source: a manager asking a secondary address matches the answer.
//
// Access: a community's or user's access list is a func the daemon
// supplies (Access), asked per request with the manager's address and
// the address the datagram was sent to (from IP_PKTINFO, so an extended
// list may match the destination of a wildcard listener). A request a
// community's list refuses gets no answer and counts as a bad community
// name, as any wrong community does. A v3 request a user's list refuses
// gets the usmStatsUnknownUserNames Report an unknown name gets, octet
// for octet (silence would tell the source the name exists), and counts
// there and in flowtapUsmUserAccessListRefused.
//
// Community names are compared as HMAC-SHA-256 digests under a key each
// agent draws at start, all 32 octets against every configured name, so
// that the comparison's cost says nothing of the guess's length or of
// how much of it is right.
//
// Flood bounds: each manager socket (address and port) has a token
// bucket (RateLimit: 1,000 tokens/s, 2,000 at once; a request takes one
// as it arrives and its answer one per 100 octets past the first, so a
// GetNext costs one and a full GetBulk about fourteen), each address one
// over all its ports (2,000/s, 4,000 at once) and one for authentication failures
// (1/s, 10 at once); a request over any is dropped right after the read,
// before anything is decoded, so a flood from one socket leaves the
// others answered, an NMS on the same host included. A source past its failure burst is ignored altogether
// until a failure ages out. A GetBulk walks at most 256 bindings
// whatever it asks; authenticationFailure notifications (SetAuthenTraps)
// go out at most once a second, five at once.
//
// Enterprise arc: flowtap has no IANA Private Enterprise Number, so its
// OIDs sit under 32473, the number RFC 5612 reserves for documentation:
// sysObjectID is 1.3.6.1.4.1.32473.1.1.1, the cache high-water
// notification 1.3.6.1.4.1.32473.1.2.0.1 and the tap fibre's
// flowtapFibreSilent and flowtapFibreReceives .2.0.2 and .2.0.3
// (Agent.FibreSilence, under `snmp-server enable traps [fibre]`); v3 requests a user's access
// list refused are flowtapUsmUserAccessListRefused, 1.3.6.1.4.1.32473.1.5.1.0
// (also in usmStatsUnknownUserNames). The default snmpEngineID uses
// the same number (RFC 3411 format 3, a MAC address).
// mibs/FLOWTAP-MIB.my defines them all; flowtapmibfile_test.go walks the
// agent with it loaded, so it cannot drift from the code.
//
// CISCO-NETFLOW-MIB: every object Cisco's file (testdata/mibs) defines
// answers. The aggregation caches are cnfCICacheTable rows of their own,
// indexed by their NfCacheTypes, and one that exports has its
// cnfEIExportInfoTable row and its cnfEICollectorTable rows too
// (read-only: they are lines under `ip flow-aggregation cache`). cnfCINetflowEnable is `ip flow
// ingress|egress` and writable; the cnfTopFlowsMatch* objects are the
// `match` lines under `ip flow-top-talkers`, writable for the criteria
// flowtap matches on (addresses, ports, protocol, packet and byte
// ranges); the others read "disabled" and accept only that.
// cnfCIMinSourceMask and cnfCIMinDestinationMask are an aggregation
// cache's `mask source|destination minimum` (a MinMaskSetter), in the
// range platform.Aggregation gives; 0 is the `no` form. The bridged
// flow table is indexed by switched VLANs and has no rows on a tap.
//
// IPFIX-MIB (RFC 6615): a provider that implements IPFIXProvider gives
// the whole device (mib_ipfix.go); otherwise only the main cache's v9 and
// IPFIX destinations appear, as transport sessions. A session's
// ipfixTransportSessionIndex follows its cache, collector and version, so
// it stays put while the configuration changes around it; a removed
// destination's index is forgotten and never given to another session. The selector
// functions point into PSAMP-MIB: count-based and random n-out-of-N
// sampling at their parameter set (psampSampCountBasedInterval.N,
// psampSampRandOutOfNSize.N, indexed by the selection process),
// property-match filtering and select-all at the function's root.
// ipfixTransportSessionRate is bytes per second between readings at least
// a second apart. The IPFIX tables share one reading of the device per
// 100 ms (stateTTL): a walk reads the exporters and the datapath once,
// not once per table, and a flood of GetBulk requests cannot turn into a
// flood of datapath reads.
//
// Writable objects go through a Setter, so that an SNMP Set is the same
// change as the CLI line. The cache objects take the running persona's
// ranges (Config.CacheLimits; the router's by default: cache entries
// 1024..524288, active timeout 1..60 min, inactive 10..600 s; under a PFC
// what `mls aging` takes); the others are the IOS CLI's: top talkers
// 0..200 (0 removes them), cache timeout 1..3600000 ms, export version 5, 9
// or 10 (IPFIX). A collector row is created with createAndGo and removed
// with destroy; createAndWait and notInService are refused with
// wrongValue, as a destination is one configuration line.
//
// USM: HMAC-MD5-96, HMAC-SHA-96 and HMAC-SHA-256-192 authentication,
// DES-CBC and AES-128 (CFB) privacy. A user is given either passphrases
// or keys already localized to this engine (how flowtap's configuration
// keeps them, see usmkey); a user given keys can receive v3 traps, and
// informs only when its keys are for the receiver's engine ID
// (Receiver.EngineID). A user's configured level is also its minimum (a user with privacy
// asking authNoPriv gets authorizationError). Only the default context ""
// exists. Requests inside the 150 s time window are taken as RFC 3414
// says, so an exact replay within it is not detected; replays from
// outside it or from an earlier boot get notInTimeWindow. snmpEngineBoots
// must grow per start: see NextEngineBoots.
//
// Informs: a receiver gets Retries more tries after the first, each
// lasting Timeout (1 s and 3 by default) even when the receiver's host
// refuses it (ICMP port unreachable while snmptrapd restarts), so an
// inform sent while the receiver is down arrives if it is back before the
// tries run out; a notification given up is logged.
//
// CPU and memory as Cisco's MIBs give them: cpmCPUTotalTable has one
// row, every core together, whose cpmCPUTotal5secRev is the busy share
// of the last 5 s sample of /proc/stat and 1minRev and 5minRev averages
// that decay exponentially with each sample, as IOS computes them; the
// deprecated cpmCPUTotal5sec/1min/5min carry the same figures (at least
// 1, their range's floor). cpmCPUMemoryUsed/Free are the processor pool
// in KiB (32-bit low half, *Ovrflw the high half, HC the whole).
// ciscoMemoryPoolTable's Processor pool (1) is MemTotal - MemAvailable
// used and MemAvailable free; its I/O pool (2) is the kernel's buffers
// and page cache used and MemFree free (Linux sets no memory apart for
// packet I/O). Both are bytes in a Gauge32 and read 4294967295 past
// 4 GiB; ciscoMemoryPoolLargestFree is the largest free block of the
// page allocator (/proc/buddyinfo).
//
// Inventory (ENTITY-MIB): the chassis is entPhysicalIndex 1 (the
// cpmCPUTotalPhysicalIndex of the CPU row) and contains every other part,
// one level deep; the others are numbered in the order first seen and
// keep their number while the agent runs, a part that goes and comes
// back included. A part with an interface has one entAliasMappingTable
// row (logical index 0) naming its ifIndex. entLastChangeTime is when a
// read (a request, or WatchEntities every 5 s) first saw the list
// differ; entConfigChange goes out at most once per 5 s (RFC 6933's
// throttle), a change within it when it ends, under `snmp-server enable
// traps [entity]`. entPhysicalMfgDate, Uris and UUID are not
// instantiated; Alias and AssetID read empty and are not writable. One
// reading of the inventory serves 100 ms (stateTTL), as the IPFIX
// tables' does.
//
// Starts: coldStart is for the first start after the machine booted
// (its kernel boot ID changed), a new engine ID or no record of the last
// start; warmStart for a start again on the running machine, as IOS's
// agent re-enabled without a reload (NoteStart).
package snmp
