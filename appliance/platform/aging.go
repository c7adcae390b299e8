package platform

import "time"

// The router's timeouts and an aggregation cache's size (vendor-behaviour.md
// 2.1: 15 s and 30 min are SRC, from the `show ip cache flow` header).
// The engines' own defaults, for a cache built without a persona, are
// these.
const (
	DefaultInactive           = 15 * time.Second
	DefaultActive             = 30 * time.Minute
	DefaultAggregationEntries = 4096
)

// Aging is the main cache's timeouts as the persona runs them, and the
// flow cache engine's (flowcache.Aging is this type). A zero duration
// disables its rule.
type Aging struct {
	Inactive time.Duration // idle timeout: IOS inactive, Catalyst `mls aging normal`
	Active   time.Duration // IOS active, Catalyst `mls aging long`, Juniper flow-active-timeout

	// Catalyst `mls aging fast`: flows younger than FastTime are left
	// alone; older ones with fewer than FastThreshold packets leave.
	// FastTime 0 is off.
	FastTime      time.Duration
	FastThreshold uint64
}

// EmergencyMode is how a platform reacts to a nearly full cache.
type EmergencyMode uint8

const (
	// EmergencyOff lets new flows fail until regular aging frees entries
	// (Juniper).
	EmergencyOff EmergencyMode = iota
	// EmergencyFewFree is the router's emergency expiry (Inside Cisco IOS,
	// App. A, SRC in vendor-behaviour.md 2.1): with a few free entries,
	// flows age with an accelerated timeout; with one, regardless of age.
	EmergencyFewFree
	// EmergencyAggressive is the Sup720's aggressive aging (SRC, 1.2):
	// utilisation is checked every Every, and at Percent or more aggressive
	// aging is on until the next check finds it lower.
	EmergencyAggressive
)

// Emergency is the persona's nearly-full behaviour; zero Percent and
// Every take the engine's defaults.
type Emergency struct {
	Mode    EmergencyMode
	Percent int
	Every   time.Duration
}

// Export and top-talkers defaults and limits every persona shares
// (vendor-behaviour.md 2.3, 2.4, 6). The validator reads them, and the
// encoders and the top-talkers engine take their defaults from them.
const (
	DefaultTemplateRefreshPackets = 20
	DefaultTemplateTimeout        = 30 * time.Minute
	MaxTopTalkers                 = 200
	DefaultTopTalkersTimeout      = 5 * time.Second
)
