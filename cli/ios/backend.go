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
	DatapathView() show.DatapathView
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

	// BeginConfig starts `configure terminal`: each line the session
	// accepts is applied at once, as on IOS.
	BeginConfig() ConfigSession
	// CheckEnable tells whether secret is the enable secret.
	CheckEnable(secret string) bool
	// Access is the configuration's enable secret and command levels.
	Access() Access
}

// ConfigSession is configuration mode: the config model's own parser,
// which knows the sub-modes.
type ConfigSession interface {
	// Exec applies one line. An error whose Lines() is the IOS screen
	// (echoed line, caret, message) is printed as IOS prints it.
	Exec(line string) error
	Prompt() string // the mode part: "config", "config-if", ...
	Done() bool     // `end`, or `exit` at the top, left configuration mode
	// Help answers `?` after line: the lines to print.
	Help(line string) []string
}

// screenError is an error that knows how the CLI prints it.
type screenError interface{ Lines() []string }
