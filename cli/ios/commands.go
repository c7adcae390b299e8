package ios

import (
	"fmt"
	"io"
	"strconv"
	"strings"

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
	cacheFlow := func(verbose bool) func(*Session, io.Writer, []string) error {
		return func(s *Session, w io.Writer, _ []string) error {
			v := s.b.CacheView()
			if verbose {
				show.IPCacheVerboseFlow(w, v)
			} else {
				show.IPCacheFlow(w, v)
			}
			return nil
		}
	}
	showTree := kw("show", "Show running system information",
		kw("ip", "IP information",
			kw("interface", "IP interface status and configuration",
				kw("brief", "Brief summary of IP status and configuration").Runs(func(s *Session, w io.Writer, _ []string) error {
					ifs, err := s.b.Interfaces()
					if err != nil {
						return fmt.Errorf("%% %v", err)
					}
					show.ShowIPInterfaceBrief(w, ifs)
					return nil
				})),
			kw("cache", "IP fast-switching route cache",
				kw("biflow", "Flow cache entries as conversations, both directions together").Runs(text(Backend.Biflows)),
				kw("flow", "Flow cache entries").Runs(cacheFlow(false)),
				kw("verbose", "Display extra information",
					kw("flow", "Flow cache entries").Runs(cacheFlow(true)))),
			kw("flow", "NetFlow switching",
				kw("export", "Show flow export information").Runs(func(s *Session, w io.Writer, _ []string) error {
					if s.json {
						s.jsonDone = true
						return show.WriteJSON(w, show.ExportJSON(s.b.ExportView()))
					}
					show.IPFlowExport(w, s.b.ExportView())
					return nil
				}),
				kw("datapath", "Show flow datapath (XDP meter) statistics").Runs(func(s *Session, w io.Writer, _ []string) error {
					if s.json {
						s.jsonDone = true
						return show.WriteJSON(w, s.b.DatapathView())
					}
					show.IPFlowDatapath(w, s.b.DatapathView())
					return nil
				}),
				kw("applications", "Show traffic per application class").Runs(text(Backend.Applications)),
				kw("interface", "Show flow interface information").Runs(text(Backend.FlowInterfaces)),
				kw("top-talkers", "Show top talkers").Runs(func(s *Session, w io.Writer, _ []string) error {
					tt, err := s.b.TopTalkers()
					if err != nil {
						return fmt.Errorf("%% %v", err)
					}
					show.IPFlowTopTalkers(w, tt, s.b.CacheView().IfName)
					return nil
				}))),
		kw("mls", "Show MultiLayer Switching information",
			kw("netflow", "Show netflow information",
				kw("ip", "IP flow entries").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.MLSNetflowIP(w, s.b.CacheView())
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
			kw("flow", "NetFlow switching",
				kw("cache", "Flow cache entries").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.IPv6FlowCache(w, s.b.CacheView())
					return nil
				}))),
		kw("flowtap", "flowtap extensions",
			kw("taps", "Passive taps: each fibre's state and counters").Runs(text(Backend.Taps))),
		kw("interfaces", "Interface status and configuration",
			arg("WORD", "Interface name", nil).Runs(showInterfaces)).Runs(showInterfaces),
		kw("clock", "Display the system clock").Runs(func(s *Session, w io.Writer, _ []string) error {
			now, synced := s.b.Clock()
			show.Clock(w, now, synced)
			return nil
		}),
		kw("access-lists", "List access lists",
			arg("WORD", "ACL number or name", nil).Runs(showAccessLists)).Runs(showAccessLists),
		kw("flow-sampler", "Flow sampler information",
			arg("WORD", "Sampler name", nil).Runs(showFlowSampler)).Runs(showFlowSampler),
		kw("snmp", "snmp statistics").Runs(func(s *Session, w io.Writer, _ []string) error {
			show.SNMP(w, s.b.SNMP())
			return nil
		}),
		kw("version", "System hardware and software status").Runs(text(Backend.Version)),
		kw("platform", "Show platform information").Runs(text(Backend.Platform)),
		kw("running-config", "Current operating configuration").Runs(text(Backend.RunningConfig)),
		kw("startup-config", "Contents of startup configuration").Runs(func(s *Session, w io.Writer, _ []string) error {
			c, err := s.b.StartupConfig()
			if err != nil {
				return fmt.Errorf("%% %v", err)
			}
			io.WriteString(w, c)
			return nil
		}),
		kw("logging", "Show the contents of logging buffers").Runs(text(Backend.Logging)),
		kw("privilege", "Show current privilege level").Runs(func(s *Session, w io.Writer, _ []string) error {
			fmt.Fprintf(w, "Current privilege level is %d\n", s.priv)
			return nil
		}),
		kw("history", "Display the session command history").Runs(func(s *Session, w io.Writer, _ []string) error {
			for _, h := range s.history {
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
			kw("access-list", "Clear access list statistical information",
				kw("counters", "Clear access list counters").Runs(func(s *Session, w io.Writer, _ []string) error {
					s.b.ClearACLCounters()
					return nil
				})),
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
					fmt.Fprintln(w, "Destination filename [startup-config]? ")
					return write(s, w, a)
				}))),
		kw("write", "Write running configuration to memory",
			kw("memory", "Write to NV memory").Runs(write)).Runs(write),
		kw("reload", "Halt and perform a cold restart").Runs(func(s *Session, w io.Writer, a []string) error {
			return reload(s, w, write)
		}),
		kw("configure", "Enter configuration mode",
			kw("terminal", "Configure from the terminal").Runs(func(s *Session, w io.Writer, _ []string) error {
				fmt.Fprintln(w, "Enter configuration commands, one per line.  End with CNTL/Z.")
				s.level, s.cfg = configMode, s.b.BeginConfig()
				return nil
			})),
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
			kw("no", "Negate a command or set its defaults",
				kw("monitor", "Copy debug output to the current terminal line").Runs(func(s *Session, w io.Writer, _ []string) error {
					s.monitor = false
					return nil
				}))),
		kw("exit", "Exit from the EXEC").Runs(func(s *Session, w io.Writer, _ []string) error {
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

// showFlowSampler is `show flow-sampler [NAME]`.
func showFlowSampler(s *Session, w io.Writer, args []string) error {
	name := ""
	if len(args) > 2 {
		name = args[len(args)-1]
	}
	io.WriteString(w, s.b.FlowSampler(name))
	return nil
}

// showAccessLists is `show access-lists [NAME]`; args are the words as
// typed, the last one the list when one was given.
func showAccessLists(s *Session, w io.Writer, args []string) error {
	name := ""
	if len(args) > 2 {
		name = args[len(args)-1]
	}
	io.WriteString(w, s.b.AccessLists(name))
	return nil
}
