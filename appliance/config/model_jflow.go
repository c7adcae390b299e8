package config

import (
	"time"

	"github.com/flowtap/flowtap/appliance/platform"
)

// JFlow is how a JunOS MX configures inline J-Flow: templates under
// `services flow-monitoring`, a named `forwarding-options sampling
// instance`, and the `chassis fpc N sampling-instance` that binds it. It
// holds only the names and the template statements, so that the JunOS
// rendering says what the operator wrote; the values the engine uses are
// folded into Cache, Export and each Destination when a JunOS candidate
// is committed (package junos), and IOS sees only those.
type JFlow struct {
	// Templates are `services flow-monitoring version9|version-ipfix
	// template NAME`, in configuration order.
	Templates []FlowTemplate
	// Instance is the sampling instance's name; "" is the plain
	// `forwarding-options sampling`. flowtap has one sampler, so one
	// instance.
	Instance string
	// FPCs are the `chassis fpc N sampling-instance NAME` bindings. The
	// appliance has no line cards: a binding names the instance and
	// selects nothing (the ports are those with `family inet sampling
	// input`).
	FPCs []FPCBinding
	// Inline is `output inline-jflow`: Export.ServicesSource is its
	// source-address, with no services PIC.
	Inline bool
}

// FlowTemplate is one flow-monitoring template; a zero duration is unset.
type FlowTemplate struct {
	Name            string
	Version         platform.ExportVersion // V9 or IPFIX
	Active          time.Duration          // flow-active-timeout
	Inactive        time.Duration          // flow-inactive-timeout
	TemplateRefresh time.Duration          // template-refresh-rate seconds
	OptionRefresh   time.Duration          // option-refresh-rate seconds
	TemplatePackets int                    // template-refresh-rate packets
	OptionPackets   int                    // option-refresh-rate packets
	// Family is "ipv4-template" or "ipv6-template" ("" unset); the
	// exporter sends the templates its flows need either way.
	Family string
}

// FPCBinding is one `chassis fpc SLOT sampling-instance INSTANCE`.
type FPCBinding struct {
	Slot     int
	Instance string
}
