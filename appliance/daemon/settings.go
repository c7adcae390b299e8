// Package daemon runs the appliance: it owns the datapath, the monitored
// ports, the flow cache engine and the exporters, and applies a changed
// configuration live, restarting only what the change requires.
package daemon

import (
	"github.com/flowtap/flowtap/appliance/appclass"
	"time"

	"github.com/flowtap/flowtap/appliance/export"
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/appliance/overload"
	"github.com/flowtap/flowtap/appliance/platform"
	"github.com/flowtap/flowtap/appliance/subif"
	"github.com/flowtap/flowtap/appliance/tap"
	"github.com/flowtap/flowtap/datapath"
)

// Settings are what the runtime needs, derived from the config model (the
// one place an operator's configuration lives): every field here is a
// function of it.
type Settings struct {
	CacheEntries int
	Mask         platform.Mask
	Sampling     datapath.Sampling
	// Mask6 is `mls flow ipv6`; 0 keys IPv6 flows with Mask.
	Mask6 platform.Mask
	// Capture is what the datapath records per flow for `ip flow-capture`
	// and `ip flow-cache mpls label-positions`.
	Capture datapath.CaptureSettings
	// Samplers are the per-port samplers (`flow-sampler`) by datapath
	// sampler id, which is also the id the exports announce.
	Samplers map[uint16]datapath.SamplerConfig
	// SamplerNames names each of Samplers: the flow-sampler-map, or the
	// JunOS sampling instance. A sampler id given to another map starts
	// its counters over.
	SamplerNames map[uint16]string
	Aging        flowcache.Aging
	Emergency    flowcache.Emergency
	TopTalkers   flowcache.TopTalkersConfig
	Ports        []Port
	Exports      []export.DestinationConfig // the main cache's destinations
	Aggregations []Aggregation
	Annotator    flowcache.Annotator // prefix-to-AS, nil for none
	// Taps are the `flowtap tap` links; their fibres are among Ports.
	Taps []tap.Link
	// Subifs are the 802.1Q subinterfaces; their parents are among Ports.
	Subifs []subif.Sub
	// SourceMissing says why `ip flow-export source` is not in use now
	// (the interface is missing or has no address); nil when it is, or
	// when none is configured. Export goes by the routing table meanwhile.
	SourceMissing error
	// AppClasses sorts the expired flows into applications for `show ip
	// flow applications`.
	AppClasses appclass.Set
	// Overload is `ip flow-cache overload-protection`; nil when off.
	Overload *overload.Config
}

// Port is one monitored interface.
type Port struct {
	Name    string
	Mode    datapath.AttachMode
	Verdict platform.Verdict
	Meter   bool   // `ip flow ingress`
	Sampler uint16 // a Settings.Samplers id; 0 for none
	// InputFilter is `ip flow ingress input-filter`; nil meters every
	// packet.
	InputFilter  *InputFilter
	InputFilter6 *InputFilter // JunOS family inet6 filter input
}

// Aggregation is one `ip flow-aggregation cache` with its destinations.
type Aggregation struct {
	Cache        export.AggregationConfig
	Destinations []export.DestinationConfig
}

// ager runs often enough for the shortest timeouts a persona allows.
const agerInterval = time.Second
