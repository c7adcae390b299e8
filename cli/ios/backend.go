package ios

import (
	"github.com/flowtap/flowtap/appliance/flowcache"
	"github.com/flowtap/flowtap/cli/show"
)

// Backend is the appliance as the CLI sees it: snapshots for the show
// commands, the running and startup configs, and configuration lines.
type Backend interface {
	Hostname() string
	CacheView() show.CacheView
	ExportView() show.ExportView
	TopTalkers() (flowcache.TopTalkers, error)
	Contention() show.ContentionView
	// Text for commands whose layout the backend owns (from live state).
	Version() string
	Platform() string
	Interfaces() string
	FlowInterfaces() string
	NDE() string
	Logging() string

	RunningConfig() string
	StartupConfig() (string, error)
	WriteMemory() error
	ClearFlowStats()
	ClearMLSNetflow() error
	Reload() error

	// ConfigLine applies one configuration-mode line in mode (the
	// sub-mode lines entered so far, e.g. ["interface eth1"]) and returns
	// the mode after it. An error's text is what IOS prints; an error with
	// a Pos() gets the caret under that byte of the line.
	ConfigLine(mode []string, line string) ([]string, error)
	// ConfigHelp answers `?` in configuration mode: the lines to print.
	ConfigHelp(mode []string, line string) []string
	// CheckEnable tells whether secret is the enable secret (true when
	// none is set).
	CheckEnable(secret string) bool
}

// positioned is an error that knows where in the line it went wrong.
type positioned interface{ Pos() int }
