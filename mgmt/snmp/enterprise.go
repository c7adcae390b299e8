package snmp

// flowtap's own OIDs, under IANA's documentation enterprise number 32473
// (RFC 5612; see usmkey.Enterprise). Move them when flowtap gets a PEN.
var (
	oidFlowtap = mustOID("1.3.6.1.4.1.32473.1")
	// oidProbe is sysObjectID: flowtapProducts.flowtapProbe.
	oidProbe = oidFlowtap.Append(1, 1)
	// oidCacheHighWater is the notification sent when the flow cache
	// fills past the high-water mark: flowtapNotifications.1. It carries
	// cnfCIActiveFlows.0 and cnfCICacheEntries.0 (the main cache).
	oidCacheHighWater = oidFlowtap.Append(2, 0, 1)
	// oidSnmpAgent is flowtapSnmpAgent, flowtap.5: the agent's own counts
	// that no standard MIB has, under their Counters names:
	// flowtapUsmUserAccessListRefused (flowtap.5.1.0, Counter32).
	oidSnmpAgent = oidFlowtap.Append(5)
)
