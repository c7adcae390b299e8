package flowcache

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// IOS main-cache defaults, the platform's (vendor-behaviour.md 2.1).
const (
	DefaultInactive     = platform.DefaultInactive
	DefaultActive       = platform.DefaultActive
	DefaultAgerInterval = time.Second
)

// Aging holds the timeouts the ager applies on every pass; a zero
// duration disables its rule. It is platform's type, the one the
// persona resolves the model's timeouts into.
type Aging = platform.Aging

// DefaultAging is the IOS router's aging.
func DefaultAging() Aging {
	return Aging{Inactive: DefaultInactive, Active: DefaultActive}
}

// validate refuses timeouts the ager cannot run. It guards the engine's
// API against a programming error, not an operator: an operator's values
// are checked once, against the persona, when the configuration is read
// (config.Normalize), and the derivation passes them on unchanged.
func validateAging(a Aging) error {
	switch {
	case a.Inactive < 0:
		return fmt.Errorf("inactive timeout %v is negative", a.Inactive)
	case a.Active < 0:
		return fmt.Errorf("active timeout %v is negative", a.Active)
	case a.FastTime < 0:
		return fmt.Errorf("fast aging time %v is negative", a.FastTime)
	case a.FastTime > 0 && a.FastThreshold == 0:
		return errors.New("fast aging needs a packet threshold above 0")
	}
	return nil
}

// agingRequest fills the regular pass's cutoffs of a for the clock
// reading now.
func agingRequest(a Aging, now time.Time) HarvestRequest {
	req := HarvestRequest{Now: now}
	if a.Inactive > 0 {
		req.IdleBefore = now.Add(-a.Inactive)
	}
	if a.Active > 0 {
		req.ActiveBefore = now.Add(-a.Active)
	}
	if a.FastTime > 0 {
		req.FastBefore = now.Add(-a.FastTime)
		req.FastThreshold = a.FastThreshold
	}
	return req
}

// EmergencyMode is how the engine reacts to a nearly full cache.
type EmergencyMode uint8

const (
	// EmergencyOff lets new flows fail (they are counted as alloc
	// failures) until regular aging frees entries.
	EmergencyOff EmergencyMode = iota
	// EmergencyFewFree is the IOS router's emergency expiry (Inside Cisco
	// IOS, App. A, SRC in vendor-behaviour.md 2.1): with only a few free
	// entries, age flows with an accelerated timeout; with only one free,
	// age them regardless of age.
	EmergencyFewFree
	// EmergencyAggressive is the Sup720's aggressive aging (SRC, 1.2):
	// utilisation is checked every 30 s, and at 90 % or more aggressive
	// aging is on until the next check finds it lower.
	EmergencyAggressive
)

func (m EmergencyMode) String() string {
	switch m {
	case EmergencyOff:
		return "off"
	case EmergencyFewFree:
		return "few-free"
	case EmergencyAggressive:
		return "aggressive"
	}
	return "unknown"
}

// Emergency tunes the reaction to a nearly full cache. Zero fields take
// the defaults named on them.
//
// IOS ages "30 flows" per new flow; HarvestRequest has no count limit and
// the engine works per tick, so the mapping is: free <= LowWater harvests
// every flow idle for Accelerated; free <= 1 harvests every flow whose
// last packet is before now (regardless of age). Both report
// EndNoResource. LowWater and Accelerated are our choices: IOS does not
// publish "a few" or the accelerated timeout.
//
// What the Sup720's aggressive aging does is not published either. We
// age, as EndNoResource, flows idle for AggressiveInactive and flows that
// fail the fast-aging rule AggressiveFastTime/AggressiveFastThreshold
// (the `mls aging` minimum and fast-aging defaults).
type Emergency struct {
	Mode EmergencyMode

	LowWater    int           // FewFree: default max(30, capacity/50)
	Accelerated time.Duration // FewFree: default Inactive/4, at least 1 s

	Percent                 int           // Aggressive: utilisation that turns it on; default 90
	Every                   time.Duration // Aggressive: check interval; default 30 s
	AggressiveInactive      time.Duration // default 32 s
	AggressiveFastTime      time.Duration // default 32 s
	AggressiveFastThreshold uint64        // default 100
}

func (e Emergency) validate() error {
	if e.Mode > EmergencyAggressive {
		return fmt.Errorf("unknown emergency mode %d", e.Mode)
	}
	if e.LowWater < 0 || e.Accelerated < 0 || e.Percent < 0 || e.Percent > 100 ||
		e.Every < 0 || e.AggressiveInactive < 0 || e.AggressiveFastTime < 0 {
		return fmt.Errorf("emergency settings out of range: %+v", e)
	}
	return nil
}

func (e Emergency) lowWater(capacity int) int {
	if e.LowWater > 0 {
		return e.LowWater
	}
	return max(30, capacity/50)
}

func (e Emergency) accelerated(inactive time.Duration) time.Duration {
	if e.Accelerated > 0 {
		return e.Accelerated
	}
	return max(inactive/4, time.Second)
}

func (e Emergency) percent() int {
	if e.Percent > 0 {
		return e.Percent
	}
	return 90
}

func (e Emergency) every() time.Duration {
	if e.Every > 0 {
		return e.Every
	}
	return 30 * time.Second
}

func (e Emergency) aggressiveAging() Aging {
	a := Aging{
		Inactive:      e.AggressiveInactive,
		FastTime:      e.AggressiveFastTime,
		FastThreshold: e.AggressiveFastThreshold,
	}
	if a.Inactive == 0 {
		a.Inactive = 32 * time.Second
	}
	if a.FastTime == 0 {
		a.FastTime = 32 * time.Second
	}
	if a.FastThreshold == 0 {
		a.FastThreshold = 100
	}
	return a
}

// Config builds an Engine. Datapath is required; the rest has defaults.
type Config struct {
	Datapath Datapath
	// Peeker reads live flows for top talkers; nil means use Datapath if
	// it implements Peeker.
	Peeker    Peeker
	Sinks     []Sink
	Annotator Annotator    // optional
	Clock     Clock        // default SystemClock
	Logger    *slog.Logger // default discards

	AgerInterval time.Duration // how often the ager runs; default 1 s
	Aging        *Aging        // nil means DefaultAging()
	Emergency    Emergency
	TopTalkers   TopTalkersConfig
}
