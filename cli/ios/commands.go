package ios

import (
	"errors"
	"fmt"
	"github.com/flowtap/flowtap/appliance/platform"
	"io"
	"strconv"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/cli/show"
	"github.com/flowtap/flowtap/cli/term"
)

// text prints a backend string that already has its layout.
func text(f func(Backend) string) func(*Session, io.Writer, []string) error {
	return func(s *Session, w io.Writer, _ []string) error {
		io.WriteString(w, f(s.b))
		return nil
	}
}

// debugTree is what follows `debug` (on) or `undebug` / `no debug`
// (off): the debugs flowtap has, and `all` to turn every one off. Their
// messages go where severity 7 goes (the buffer, `terminal monitor`).
func debugTree(on bool) []*Node {
	run := func(what string) func(*Session, io.Writer, []string) error {
		return func(s *Session, w io.Writer, _ []string) error {
			fmt.Fprintln(w, s.b.Debug(what, on))
			return nil
		}
	}
	nodes := []*Node{kw("ip", "IP information",
		kw("flow", "IP Flow",
			kw("export", "IP Flow Export").Runs(run("ip flow export"))))}
	if !on {
		nodes = append([]*Node{kw("all", "Disable all debugging").Runs(run("all"))}, nodes...)
	}
	return nodes
}

// view is a show command whose screen and `| json` are drawn from one
// snapshot: get takes it (args are the words typed, keywords in full),
// text draws the screen, js the JSON.
func view[V any](get func(s *Session, args []string) (V, error), text func(io.Writer, V), js func(V) any) func(*Session, io.Writer, []string) error {
	return func(s *Session, w io.Writer, args []string) error {
		v, err := get(s, args)
		if err != nil {
			return err
		}
		if s.json {
			s.jsonDone = true
			return show.WriteJSON(w, js(v))
		}
		text(w, v)
		return nil
	}
}

// showHosts is `show hosts [NAME]`: with a name, only its rows (the name
// as typed or with the default domain appended), none when it is not in
// the table.
func showHosts(s *Session, w io.Writer, args []string) error {
	v := s.b.Hosts()
	if len(args) > 2 {
		name := strings.ToLower(strings.TrimSuffix(args[2], "."))
		full := name
		if v.Domain != "" && !strings.Contains(name, ".") {
			full = name + "." + v.Domain
		}
		var one []show.HostEntry
		for _, h := range v.Hosts {
			if n := strings.ToLower(h.Name); n == name || n == full {
				one = append(one, h)
			}
		}
		v.Hosts = one
	}
	show.Hosts(w, v)
	return nil
}

// clearHost is `clear host *` and `clear host NAME`: the names resolved
// through DNS go (the next line that names one asks the servers again);
// `ip host` entries stay, as on IOS.
func clearHost(s *Session, _ io.Writer, args []string) error {
	s.b.ClearHost(args[len(args)-1])
	return nil
}

// showInterfaces is `show interfaces [NAME]`; an unknown name gets the
// caret under it.
func showInterfaces(s *Session, w io.Writer, args []string) error {
	ifs, err := s.b.Interfaces()
	if err != nil {
		return fmt.Errorf("%% %v", err)
	}
	if len(args) > 2 {
		var one []show.Interface
		for _, i := range ifs {
			if i.Name == args[2] {
				one = append(one, i)
			}
		}
		if len(one) == 0 {
			return &matchError{Kind: errInvalid, Word: 2}
		}
		ifs = one
	}
	if s.json {
		s.jsonDone = true
		return show.WriteJSON(w, show.InterfacesJSON(ifs))
	}
	show.ShowInterfaces(w, ifs)
	return nil
}

// execTree is every exec-mode command.
func execTree() *Node {
	cacheView := func(s *Session, _ []string) (show.CacheView, error) { return s.b.CacheView(), nil }
	ipv4JSON := func(v show.CacheView) any { return show.CacheJSON(v, false) }
	cacheFlow := func(verbose bool) func(*Session, io.Writer, []string) error {
		if verbose {
			return view(cacheView, show.IPCacheVerboseFlow, ipv4JSON)
		}
		return view(cacheView, show.IPCacheFlow, ipv4JSON)
	}
	filteredFlow := func(verbose bool) func(*Session, io.Writer, []string) error {
		if verbose {
			return view(filteredCache, show.IPCacheVerboseFlow, ipv4JSON)
		}
		return view(filteredCache, show.IPCacheFlow, ipv4JSON)
	}
	// aggregation is `show ip cache [verbose] flow aggregation SCHEME`.
	aggregation := func(verbose bool) *Node {
		run := view(func(s *Session, args []string) (show.AggregationView, error) {
			scheme := args[len(args)-1]
			for _, a := range s.b.Aggregations() {
				if a.Config.Scheme.String() == scheme {
					return a, nil
				}
			}
			return show.AggregationView{}, errors.New(show.AggregationNotConfigured(scheme))
		}, func(w io.Writer, v show.AggregationView) { show.IPCacheFlowAggregation(w, v, verbose) }, show.AggregationJSON)
		n := kw("aggregation", "Flow aggregation cache entries")
		for _, sc := range platform.Schemes() {
			if config.AggScheme(sc) {
				n.Children = append(n.Children, kw(sc.String(), "The "+sc.String()+" aggregation cache").Runs(run))
			}
		}
		return n
	}
	topTalkersOf := func(ipv6 bool, text func(io.Writer, show.TopTalkers, func(uint32) string)) func(*Session, io.Writer, []string) error {
		return func(s *Session, w io.Writer, _ []string) error {
			tt, err := s.b.TopTalkers(ipv6)
			if err != nil {
				return fmt.Errorf("%% %v", err)
			}
			ifName := s.b.CacheView().IfName
			if s.json {
				s.jsonDone = true
				return show.WriteJSON(w, show.TopTalkersJSON(tt, ifName))
			}
			text(w, tt, ifName)
			return nil
		}
	}
	topTalkers := func(verbose bool) func(*Session, io.Writer, []string) error {
		text := show.IPFlowTopTalkers
		if verbose {
			text = show.IPFlowTopTalkersVerbose
		}
		return topTalkersOf(false, text)
	}
	showTree := kw("show", "Show running system information",
		kw("ip", "IP information",
			kw("ssh", "Information on SSH").Runs(func(s *Session, w io.Writer, _ []string) error {
				show.IPSSH(w, s.b.SSH())
				return nil
			}),
			kw("interface", "IP interface status and configuration",
				kw("brief", "Brief summary of IP status and configuration").Runs(view(func(s *Session, _ []string) ([]show.Interface, error) {
					ifs, err := s.b.Interfaces()
					if err != nil {
						return nil, fmt.Errorf("%% %v", err)
					}
					return ifs, nil
				}, show.ShowIPInterfaceBrief, show.IPInterfaceBriefJSON))),
			kw("cache", "IP fast-switching route cache", append([]*Node{
				kw("biflow", "Flow cache entries as conversations, both directions together").Runs(view(func(s *Session, _ []string) (show.BiflowView, error) {
					return s.b.Biflows(), nil
				}, show.IPCacheBiflow, show.BiflowJSON)),
				kw("flow", "Flow cache entries", aggregation(false)).Runs(cacheFlow(false)),
				kw("verbose", "Display extra information",
					kw("flow", "Flow cache entries", aggregation(true)).Runs(cacheFlow(true))),
			}, cacheFilterNodes(func() *Node { return kw("flow", "Flow cache entries").Runs(filteredFlow(false)) },
				func() *Node {
					return kw("verbose", "Display extra information", kw("flow", "Flow cache entries").Runs(filteredFlow(true)))
				})...)...),
			kw("flow", "NetFlow switching",
				kw("export", "Show flow export information",
					exportTemplate(),
					// IOS's verbose adds the SCTP destinations' fail-over and
					// restore timers and the MPLS PAL records exported [SRC:
					// Cisco IOS NetFlow Command Reference, show ip flow
					// export]; flowtap exports over UDP only and has no PAL
					// table, so its verbose screen is the plain one.
					kw("verbose", "Display extra information", exportTemplate()).Runs(exportScreen)).Runs(exportScreen),
				kw("datapath", "Show flow datapath (XDP meter) statistics").Runs(func(s *Session, w io.Writer, _ []string) error {
					if s.json {
						s.jsonDone = true
						return show.WriteJSON(w, s.b.DatapathView())
					}
					show.IPFlowDatapath(w, s.b.DatapathView())
					return nil
				}),
				kw("applications", "Show traffic per application class").Runs(view(func(s *Session, _ []string) (show.ApplicationsView, error) {
					return s.b.Applications(), nil
				}, show.IPFlowApplications, show.ApplicationsJSON)),
				kw("interface", "Show flow interface information").Runs(view(func(s *Session, _ []string) ([]show.FlowInterface, error) {
					return s.b.FlowInterfaces(), nil
				}, show.IPFlowInterface, show.FlowInterfacesJSON)),
				kw("top-talkers", "Show top talkers",
					kw("verbose", "Display extra information about top talkers").Runs(topTalkers(true))).Runs(topTalkers(false)),
				dynamicTopTree())),
		kw("mls", "Show MultiLayer Switching information",
			kw("netflow", "Show netflow information",
				kw("ip", "IP flow entries").Runs(view(cacheView, show.MLSNetflowIP, ipv4JSON)),
				kw("aging", "Netflow aging information").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.MLSNetflowAging(w, s.b.MLSAging())
					return nil
				}),
				kw("table-contention", "Netflow table contention",
					kw("detailed", "Detailed contention information").Runs(func(s *Session, w io.Writer, _ []string) error {
						show.MLSTableContentionDetailed(w, s.b.Contention())
						return nil
					}),
					kw("aggregate", "Aggregate contention information").Runs(func(s *Session, w io.Writer, _ []string) error {
						show.MLSTableContentionAggregate(w, s.b.Contention())
						return nil
					}))),
			kw("nde", "Show NetFlow Data Export information").Runs(text(Backend.NDE))),
		kw("ipv6", "IPv6 information",
			kw("access-list", "Summary of access lists",
				arg("WORD", "Access list name", nil).Runs(showIPv6AccessList)).Runs(showIPv6AccessList),
			kw("flow", "NetFlow switching",
				kw("cache", "Flow cache entries").Runs(view(cacheView, show.IPv6FlowCache, func(v show.CacheView) any { return show.CacheJSON(v, true) })),
				kw("top-talkers", "Show top talkers").Runs(topTalkersOf(true, show.IPv6FlowTopTalkers)))),
		kw("flowtap", "flowtap extensions",
			kw("taps", "Passive taps: each fibre's state and counters").Runs(view(func(s *Session, _ []string) ([]show.TapView, error) {
				return s.b.Taps(), nil
			}, show.FlowtapTaps, show.TapsJSON))),
		kw("interfaces", "Interface status and configuration",
			arg("WORD", "Interface name", nil).Runs(showInterfaces)).Runs(showInterfaces),
		kw("archive", "Archive functions",
			kw("log", "Show contents of the archive log",
				kw("config", "Show contents of the configuration log",
					kw("all", "List all the commands in the configuration log").Runs(showArchiveLog),
					kw("user", "List the commands of one user",
						arg("WORD", "User name", nil).Runs(showArchiveLog)),
					arg("<1-2147483647>", "First record number", rangeCheck(1, 2147483647),
						arg("<1-2147483647>", "Last record number", rangeCheck(1, 2147483647)).Runs(showArchiveLog)).Runs(showArchiveLog)))),
		kw("clock", "Display the system clock",
			kw("detail", "Display detailed information").Runs(func(s *Session, w io.Writer, _ []string) error {
				show.ClockDetail(w, s.b.Clock())
				return nil
			})).Runs(func(s *Session, w io.Writer, _ []string) error {
			show.Clock(w, s.b.Clock())
			return nil
		}),
		kw("ntp", "Network time protocol",
			kw("associations", "NTP associations").Runs(func(s *Session, w io.Writer, _ []string) error {
				show.NTPAssociations(w, s.b.Clock())
				return nil
			}),
			kw("status", "NTP status").Runs(func(s *Session, w io.Writer, _ []string) error {
				show.NTPStatusScreen(w, s.b.Clock())
				return nil
			})),
		kw("access-lists", "List access lists",
			arg("WORD", "ACL number or name", nil).Runs(showAccessLists)).Runs(showAccessLists),
		fnfShow(),
		kw("flow-sampler", "Flow sampler information",
			arg("WORD", "Sampler name", nil).Runs(showFlowSampler)).Runs(showFlowSampler),
		kw("class-map", "Show QoS Class Map",
			arg("WORD", "class-map name", nil).Runs(showClassMap)).Runs(showClassMap),
		kw("policy-map", "Show QoS Policy Map",
			kw("interface", "Show QoS Policy Map on an interface",
				arg("WORD", "Interface name", nil).Runs(showPolicyMapInterface)).Runs(showPolicyMapInterface),
			arg("WORD", "policy-map name", nil).Runs(showPolicyMap)).Runs(showPolicyMap),
		kw("snmp", "snmp statistics",
			kw("user", "show snmp users").Runs(snmpAccess(show.SNMPUsers)),
			kw("group", "show snmp groups").Runs(snmpAccess(show.SNMPGroups)),
			kw("view", "show snmp views").Runs(snmpAccess(show.SNMPViews)),
			kw("engineid", "show local and remote SNMP engine IDs").Runs(snmpAccess(show.SNMPEngineID)),
			kw("host", "show snmp notification hosts").Runs(snmpAccess(show.SNMPHosts)),
			kw("community", "show snmp communities").Runs(snmpAccess(show.SNMPCommunities))).Runs(view(func(s *Session, _ []string) (show.SNMPView, error) { return s.b.SNMP(), nil },
			show.SNMP, show.SNMPJSON)),
		kw("version", "System hardware and software status").Runs(text(Backend.Version)),
		kw("platform", "Show platform information").Runs(text(Backend.Platform)),
		kw("processes", "Active process statistics",
			kw("cpu", "Show CPU use per process").Runs(func(s *Session, w io.Writer, _ []string) error {
				show.ProcessesCPU(w, s.b.ProcessesCPU())
				return nil
			})),
		kw("inventory", "Show the physical inventory").Runs(func(s *Session, w io.Writer, _ []string) error {
			show.Inventory(w, s.b.Inventory())
			return nil
		}),
		kw("memory", "Memory statistics",
			kw("statistics", "Memory pool statistics").Runs(func(s *Session, w io.Writer, _ []string) error {
				show.MemoryStatistics(w, s.b.MemoryPools())
				return nil
			})),
		kw("running-config", "Current operating configuration",
			kw("interface", "Show interface configuration",
				arg("WORD", "Interface name", nil).Runs(showRunningInterface))).Runs(showRunning),
		kw("startup-config", "Contents of startup configuration").Runs(func(s *Session, w io.Writer, _ []string) error {
			c, err := s.b.StartupConfig()
			if err != nil {
				return fmt.Errorf("%% %v", err)
			}
			io.WriteString(w, c)
			return nil
		}),
		kw("logging", "Show the contents of logging buffers").Runs(text(Backend.Logging)),
		kw("debugging", "State of each debugging option").Runs(text(Backend.Debugging)),
		kw("hosts", "IP domain-name, lookup style, nameservers, and host table",
			arg("WORD", "Hostname for specific information", nil).Runs(showHosts)).Runs(showHosts),
		// flowtap opens no outgoing Telnet or SSH sessions, so a line
		// never has one to list: IOS's words for none [RECALL].
		kw("sessions", "Information about Telnet connections").Runs(func(s *Session, w io.Writer, _ []string) error {
			fmt.Fprintln(w, "% No connections open")
			return nil
		}),
		kw("users", "Display information about terminal lines").Runs(func(s *Session, w io.Writer, _ []string) error {
			var lines []show.UserLine
			if s.lines != nil {
				lines = s.lines.Users(s.lineID)
			}
			show.Users(w, lines)
			return nil
		}),
		kw("line", "TTY line information",
			arg("<0-16>", "First Line range", rangeCheck(0, 16)).Runs(showOneLine),
			kw("console", "Primary terminal line", arg("<0-0>", "First Line range", rangeCheck(0, 0)).Runs(showOneLine)),
			kw("vty", "Virtual terminal", arg("<0-15>", "First Line range", rangeCheck(0, 15)).Runs(showOneLine)),
		).Runs(func(s *Session, w io.Writer, _ []string) error {
			var lines []show.TTYLine
			if s.lines != nil {
				lines = s.lines.TTYs()
			}
			show.Lines(w, lines)
			return nil
		}),
		kw("ssh", "Status of SSH server connections").Runs(func(s *Session, w io.Writer, _ []string) error {
			var conns []show.SSHConn
			if s.lines != nil {
				conns = s.lines.SSH()
			}
			show.SSHSessions(w, conns)
			return nil
		}),
		kw("privilege", "Show current privilege level").Runs(func(s *Session, w io.Writer, _ []string) error {
			fmt.Fprintf(w, "Current privilege level is %d\n", s.priv)
			return nil
		}),
		kw("history", "Display the session command history").Runs(func(s *Session, w io.Writer, _ []string) error {
			for _, h := range s.recalled() {
				fmt.Fprintf(w, "  %s\n", h)
			}
			return nil
		}),
	)
	write := func(s *Session, w io.Writer, _ []string) error {
		fmt.Fprintln(w, "Building configuration...")
		if err := s.b.WriteMemory(); err != nil {
			return fmt.Errorf("%% %v", err)
		}
		fmt.Fprintln(w, "[OK]")
		return nil
	}
	return &Node{Children: []*Node{
		showTree,
		kw("clear", "Reset functions",
			kw("archive", "Clear archive functions",
				kw("log", "Clear the archive log",
					kw("config", "Clear the configuration log").Runs(func(s *Session, _ io.Writer, _ []string) error {
						if l := s.b.ConfigLog(); l != nil {
							l.Clear()
						}
						return nil
					}))),
			kw("access-list", "Clear access list statistical information",
				kw("counters", "Clear access list counters",
					arg("WORD", "Access list number or name", nil).Runs(clearACLCounters(false))).Runs(clearACLCounters(false))),
			kw("host", "Delete host table entries",
				kw("*", "Delete all host table entries").Runs(clearHost),
				arg("WORD", "Hostname to delete", nil).Runs(clearHost)),
			kw("counters", "Clear counters on one or all interfaces",
				arg("WORD", "Interface name", nil).Runs(clearCounters)).Runs(clearCounters),
			kw("line", "Reset a terminal line",
				kw("vty", "Virtual terminal",
					arg("<0-1023>", "Line number", rangeCheck(0, 1023)).Runs(clearLine)),
				arg("<0-1024>", "Line number", rangeCheck(0, 1024)).Runs(clearLine)),
			fnfClear(),
			kw("ipv6", "IPv6",
				kw("access-list", "Clear IPv6 access list match counters",
					arg("WORD", "IPv6 access list name", nil).Runs(clearACLCounters(true))).Runs(clearACLCounters(true))),
			kw("ip", "IP",
				kw("flow", "Clear flow information",
					kw("stats", "Clear NetFlow statistics").Runs(func(s *Session, w io.Writer, _ []string) error {
						s.b.ClearFlowStats()
						return nil
					}))),
			kw("mls", "MultiLayer Switching",
				kw("netflow", "Clear netflow table").Runs(func(s *Session, w io.Writer, _ []string) error {
					if err := s.b.ClearMLSNetflow(); err != nil {
						return fmt.Errorf("%% %v", err)
					}
					return nil
				}))),
		kw("copy", "Copy from one file to another",
			kw("running-config", "Copy from current system configuration",
				kw("startup-config", "Copy to startup configuration").Runs(func(s *Session, w io.Writer, a []string) error {
					// IOS asks, and Return takes the name in brackets; a
					// script that ends here copies, as it asked.
					ans, err := term.Ask(w, "Destination filename [startup-config]? ", false)
					if err != nil && err != io.EOF {
						return nil
					}
					if ans = strings.TrimSpace(ans); ans != "" && ans != "startup-config" && ans != "nvram:startup-config" {
						return fmt.Errorf("%% flowtap keeps one saved configuration: the destination is startup-config")
					}
					return write(s, w, a)
				}))),
		kw("write", "Write running configuration to memory",
			kw("erase", "Erase NV memory").Runs(eraseStartup),
			kw("memory", "Write to NV memory").Runs(write),
			kw("terminal", "Write to terminal").Runs(func(s *Session, w io.Writer, _ []string) error {
				io.WriteString(w, s.b.RunningConfig())
				return nil
			})).Runs(write),
		kw("erase", "Erase a filesystem",
			kw("startup-config", "Erase contents of configuration memory").Runs(eraseStartup)),
		kw("reload", "Halt and perform a cold restart").Runs(func(s *Session, w io.Writer, a []string) error {
			return reload(s, w, write)
		}),
		kw("configure", "Enter configuration mode",
			kw("terminal", "Configure from the terminal").Runs(func(s *Session, w io.Writer, _ []string) error {
				fmt.Fprintln(w, "Enter configuration commands, one per line.  End with CNTL/Z.")
				s.level, s.cfg = configMode, s.b.BeginConfig()
				return nil
			})),
		kw("debug", "Debugging functions (see also 'undebug')", debugTree(true)...),
		kw("undebug", "Disable debugging functions (see also 'debug')", debugTree(false)...),
		kw("no", "Disable debugging functions",
			kw("debug", "Disable debugging functions (see also 'debug')", debugTree(false)...)),
		kw("enable", "Turn on privileged commands",
			arg("<0-15>", "Enable level", rangeCheck(0, 15)).Runs(enable)).Runs(enable),
		kw("disable", "Turn off privileged commands",
			arg("<0-15>", "Privilege level to go to", rangeCheck(0, 15)).Runs(disable)).Runs(disable),
		kw("terminal", "Set terminal line parameters",
			kw("length", "Set number of lines on a screen",
				arg("<0-512>", "Number of lines on screen (0 for no pausing)", rangeCheck(0, 512)).Runs(func(s *Session, w io.Writer, a []string) error {
					s.length, _ = strconv.Atoi(a[2])
					return nil
				})),
			kw("monitor", "Copy debug output to the current terminal line").Runs(func(s *Session, w io.Writer, _ []string) error {
				s.monitor = true
				return nil
			}),
			kw("history", "Enable and control the command history function",
				kw("size", "Set history buffer size",
					arg("<0-256>", "Size of history buffer", rangeCheck(0, term.HistorySize)).Runs(func(s *Session, w io.Writer, a []string) error {
						n, _ := strconv.Atoi(a[3])
						s.histSize = &n
						return nil
					}))),
			kw("width", "Set width of the display terminal",
				arg("<0-512>", "Number of characters on a screen line", rangeCheck(0, 512)).Runs(func(s *Session, w io.Writer, a []string) error {
					s.width, _ = strconv.Atoi(a[2])
					return nil
				})),
			kw("no", "Negate a command or set its defaults",
				kw("length", "Set number of lines on a screen").Runs(func(s *Session, w io.Writer, _ []string) error {
					s.length = s.lineLength
					return nil
				}),
				kw("width", "Set width of the display terminal").Runs(func(s *Session, w io.Writer, _ []string) error {
					s.width = s.lineWidth
					return nil
				}),
				kw("history", "Enable and control the command history function",
					kw("size", "Set history buffer size").Runs(func(s *Session, w io.Writer, _ []string) error {
						s.histSize = nil
						return nil
					})),
				kw("monitor", "Copy debug output to the current terminal line").Runs(func(s *Session, w io.Writer, _ []string) error {
					s.monitor = false
					return nil
				}))),
		kw("exit", "Exit from the EXEC").Runs(func(s *Session, w io.Writer, _ []string) error {
			s.ended = true
			return nil
		}),
		// IOS's other way out, which operators type as often as exit.
		kw("logout", "Exit from the EXEC").Runs(func(s *Session, w io.Writer, _ []string) error {
			s.ended = true
			return nil
		}),
	}}
}

// reload asks IOS's questions: save a modified configuration first
// (yes/no), then confirm (Return or y; anything else keeps the box up).
// A script that ends before the confirmation reloads, as it asked; one
// that does not answer the save question does not.
func reload(s *Session, w io.Writer, write func(*Session, io.Writer, []string) error) error {
	// A box that cannot reload says so before the questions: it asked to
	// save and to confirm, and only then refused.
	if err := s.b.ReloadAvailable(); err != nil {
		return err
	}
	if s.b.Modified() {
		for {
			ans, err := term.Ask(w, "\nSystem configuration has been modified. Save? [yes/no]: ", false)
			if err != nil {
				return nil
			}
			ans = strings.ToLower(strings.TrimSpace(ans))
			if ans != "" && strings.HasPrefix("yes", ans) {
				if err := write(s, w, nil); err != nil {
					return err
				}
				break
			}
			if ans != "" && strings.HasPrefix("no", ans) {
				break
			}
			fmt.Fprintln(w, "% Please answer 'yes' or 'no'.")
		}
	}
	ans, err := term.Ask(w, "Proceed with reload? [confirm]", true)
	if err != nil && err != io.EOF {
		return nil
	}
	if a := strings.ToLower(strings.TrimSpace(ans)); a != "" && a != "y" && a != "yes" {
		return nil
	}
	return s.b.Reload(s.by())
}

// snmpAccess runs one of the SNMPv3 access screens.
func snmpAccess(f func(io.Writer, show.SNMPAccessView)) func(*Session, io.Writer, []string) error {
	return func(s *Session, w io.Writer, _ []string) error {
		f(w, s.b.SNMPAccess())
		return nil
	}
}

// eraseStartup is `write erase` and `erase startup-config`: IOS's warning
// and [confirm] (Return or y erases; a script that ends there erases, as
// it asked), then the saved configuration goes. The running one stays:
// the next boot starts from the default configuration.
func eraseStartup(s *Session, w io.Writer, _ []string) error {
	ans, err := term.Ask(w, "Erasing the nvram filesystem will remove all configuration files! Continue? [confirm]", true)
	if err != nil && err != io.EOF {
		return nil
	}
	if a := strings.ToLower(strings.TrimSpace(ans)); a != "" && a != "y" && a != "yes" {
		return nil
	}
	if err := s.b.EraseStartup(); err != nil {
		return fmt.Errorf("%%Error erasing nvram: (%v)", err)
	}
	fmt.Fprintln(w, "[OK]")
	fmt.Fprintln(w, "Erase of nvram: complete")
	return nil
}

// clearLine is `clear line N` and `clear line vty N`: after IOS's
// [confirm], the session on that line is closed.
func clearLine(s *Session, w io.Writer, args []string) error {
	vty := len(args) > 3
	n, _ := strconv.Atoi(args[len(args)-1])
	ans, err := term.Ask(w, "[confirm]", true)
	if err != nil && err != io.EOF {
		return nil
	}
	if a := strings.ToLower(strings.TrimSpace(ans)); a != "" && a != "y" && a != "yes" {
		return nil
	}
	if s.lines == nil {
		return fmt.Errorf("%% No session on that line")
	}
	if err := s.lines.Clear(n, vty); err != nil {
		return err
	}
	fmt.Fprintln(w, " [OK]")
	return nil
}

// disable is `disable [LEVEL]`: down to the level (1 by default).
func disable(s *Session, w io.Writer, args []string) error {
	target := 1
	if len(args) > 1 {
		target, _ = strconv.Atoi(args[1])
	}
	if target > s.priv {
		return fmt.Errorf("%% New privilege level must be less than current privilege level")
	}
	s.setPriv(target)
	return nil
}

// showClassMap is `show class-map [NAME]`.
func showClassMap(s *Session, w io.Writer, args []string) error {
	return view(func(s *Session, args []string) ([]show.ClassMap, error) {
		return s.b.ClassMaps(lastArg(args, 2))
	}, show.ClassMaps, show.ClassMapsJSON)(s, w, args)
}

// showPolicyMap is `show policy-map [NAME]`.
func showPolicyMap(s *Session, w io.Writer, args []string) error {
	return view(func(s *Session, args []string) ([]show.PolicyMap, error) {
		return s.b.PolicyMaps(lastArg(args, 2))
	}, show.PolicyMaps, show.PolicyMapsJSON)(s, w, args)
}

// showPolicyMapInterface is `show policy-map interface [NAME]`.
func showPolicyMapInterface(s *Session, w io.Writer, args []string) error {
	return view(func(s *Session, args []string) ([]show.InterfacePolicy, error) {
		return s.b.PolicyMapInterface(lastArg(args, 3)), nil
	}, show.PolicyMapInterfaces, show.PolicyMapInterfacesJSON)(s, w, args)
}

// clearCounters is `clear counters [INTERFACE]`.
func clearCounters(s *Session, w io.Writer, args []string) error {
	name := ""
	if len(args) > 2 {
		name = args[2]
	}
	return s.b.ClearCounters(name)
}

// showFlowSampler is `show flow-sampler [NAME]`.
func showFlowSampler(s *Session, w io.Writer, args []string) error {
	return view(func(s *Session, args []string) ([]show.FlowSampler, error) {
		return s.b.FlowSampler(lastArg(args, 2)), nil
	}, show.FlowSamplers, show.FlowSamplersJSON)(s, w, args)
}

// showIPv6AccessList is `show ipv6 access-list [NAME]`: the IPv6 lists
// of show access-lists, on the screen and in `| json` alike.
func showIPv6AccessList(s *Session, w io.Writer, args []string) error {
	return view(func(s *Session, args []string) (show.AccessListsView, error) {
		v := s.b.AccessLists(lastArg(args, 3))
		var six show.AccessListsView
		for _, l := range v.Lists {
			if l.Kind == "IPv6" {
				six.Lists = append(six.Lists, l)
			}
		}
		show6 := false
		var b strings.Builder
		for _, line := range strings.SplitAfter(v.Text, "\n") {
			if line != "" && !strings.HasPrefix(line, " ") {
				// A list's heading decides whether its entries are shown.
				show6 = strings.HasPrefix(line, "IPv6 access list ")
			}
			if show6 {
				b.WriteString(line)
			}
		}
		six.Text = b.String()
		return six, nil
	}, func(w io.Writer, v show.AccessListsView) { io.WriteString(w, v.Text) }, show.AccessListsJSON)(s, w, args)
}

// showAccessLists is `show access-lists [NAME]`.
func showAccessLists(s *Session, w io.Writer, args []string) error {
	return view(func(s *Session, args []string) (show.AccessListsView, error) {
		return s.b.AccessLists(lastArg(args, 2)), nil
	}, func(w io.Writer, v show.AccessListsView) { io.WriteString(w, v.Text) }, show.AccessListsJSON)(s, w, args)
}

// clearACLCounters is `clear access-list counters [LIST]` (six false)
// and `clear ipv6 access-list [NAME]`: the lists' entry counts, every
// list's (every IPv6 list's) when none is named.
func clearACLCounters(six bool) func(*Session, io.Writer, []string) error {
	return func(s *Session, w io.Writer, args []string) error {
		name := lastArg(args, 3)
		if !six && name == "" {
			s.b.ClearACLCounters()
			return nil
		}
		var lists []string
		for _, l := range s.b.AccessLists(name).Lists {
			if !six || l.Kind == "IPv6" {
				lists = append(lists, l.Name)
			}
		}
		switch {
		case name != "" && len(lists) == 0 && six:
			return fmt.Errorf("%% IPv6 access list %s is not configured", name)
		case name != "" && len(lists) == 0:
			return fmt.Errorf("%% Access list %s is not configured", name)
		case len(lists) > 0:
			s.b.ClearACLCounters(lists...)
		}
		return nil
	}
}

// lastArg is the optional word after a command of n words, "" when it
// was not given.
func lastArg(args []string, n int) string {
	if len(args) > n {
		return args[len(args)-1]
	}
	return ""
}

// showOneLine is `show line N`, `show line console 0` and `show line vty
// N`: one line's row and settings. A vty number is its absolute line
// less one (the console is line 0), as on IOS.
func showOneLine(s *Session, w io.Writer, args []string) error {
	n, _ := strconv.Atoi(args[len(args)-1])
	if len(args) >= 2 && args[len(args)-2] == "vty" {
		n++
	}
	var lines []show.TTYLine
	if s.lines != nil {
		lines = s.lines.TTYs()
	}
	for _, l := range lines {
		if l.Number == n {
			show.Line(w, l)
			return nil
		}
	}
	return fmt.Errorf("%% Line %d does not exist", n)
}

// exportScreen is `show ip flow export [verbose]`.
func exportScreen(s *Session, w io.Writer, _ []string) error {
	if s.json {
		s.jsonDone = true
		return show.WriteJSON(w, show.ExportJSON(s.b.ExportView()))
	}
	show.IPFlowExport(w, s.b.ExportView())
	return nil
}

// exportTemplate is `show ip flow export [verbose] template`.
func exportTemplate() *Node {
	return kw("template", "Template-specific export statistics").Runs(func(s *Session, w io.Writer, _ []string) error {
		if s.json {
			s.jsonDone = true
			return show.WriteJSON(w, s.b.ExportView().Template)
		}
		show.IPFlowExportTemplate(w, s.b.ExportView())
		return nil
	})
}
