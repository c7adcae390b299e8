package junos

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowtap/flowtap/appliance/config"
	junosconf "github.com/flowtap/flowtap/appliance/config/junos"
	"github.com/flowtap/flowtap/cli/cmdtree"
	"github.com/flowtap/flowtap/cli/show"
)

// node is one word of a JunOS command.
type node = cmdtree.Node[*Session]

func kw(word, help string, children ...*node) *node { return cmdtree.Kw(word, help, children...) }

func rest(name, help string) *node { return cmdtree.Rest[*Session](name, help) }

// operationalTree is operational mode's commands.
func operationalTree() *node {
	// acct is a screen drawn from the accounting snapshot, with its
	// `| display json` from the same snapshot.
	acct := func(f func(io.Writer, show.AccountingView), js func(show.AccountingView) any) func(*Session, io.Writer, []string) error {
		return func(s *Session, w io.Writer, _ []string) error {
			v := s.b.Accounting()
			if s.pipes.Has("display json") {
				s.jsonDone = true
				return show.WriteJSON(w, js(v))
			}
			f(w, v)
			return nil
		}
	}
	// acctXML gives an accounting screen its `| display xml`.
	acctXML := func(x func(io.Writer, show.AccountingView), text func(*Session, io.Writer, []string) error) func(*Session, io.Writer, []string) error {
		return func(s *Session, w io.Writer, args []string) error {
			if s.pipes.Has("display xml") {
				s.xmlDone = true
				x(w, s.b.Accounting())
				return nil
			}
			return text(s, w, args)
		}
	}
	// flow-detail's options come in any order: each leads back to all
	// of them.
	detail := kw("flow-detail", "Show flow details").Runs(flowDetail)
	number := func(v string) error {
		if _, err := strconv.Atoi(v); err != nil {
			return err
		}
		return nil
	}
	limit := cmdtree.Value[*Session]("<limit>", "Maximum number of flows to show", number).Runs(flowDetail)
	bytes := kw("bytes", "Order by bytes").Runs(flowDetail)
	packets := kw("packets", "Order by packets").Runs(flowDetail)
	value := func(name, help string, check func(string) error) *node {
		return cmdtree.Value[*Session](name, help, check).Runs(flowDetail)
	}
	prefix := func(v string) error { _, err := parsePrefix(v); return err }
	port := func(v string) error { _, err := config.ParseFilterPort(v); return err }
	proto := func(v string) error { _, err := config.ParseProtocol(v); return err }
	values := []*node{
		limit, bytes, packets,
		value("<prefix>", "Source prefix or address", prefix),
		value("<prefix>", "Destination prefix or address", prefix),
		value("<port>", "Source port: name, number or range", port),
		value("<port>", "Destination port: name, number or range", port),
		value("<protocol>", "Protocol name or number", proto),
		value("<interface-name>", "Input interface", nil),
	}
	opts := []*node{
		kw("terse", "Display terse output").Runs(flowDetail),
		kw("detail", "Display detailed output").Runs(flowDetail),
		kw("extensive", "Display extensive output").Runs(flowDetail),
		kw("limit", "Maximum number of flows to show", limit),
		kw("order", "Order of the flows", bytes, packets),
		kw("source-prefix", "Show flows from a source prefix", values[3]),
		kw("destination-prefix", "Show flows to a destination prefix", values[4]),
		kw("source-port", "Show flows from a source port", values[5]),
		kw("destination-port", "Show flows to a destination port", values[6]),
		kw("protocol", "Show flows of a protocol", values[7]),
		kw("input-interface", "Show flows received on an interface", values[8]),
	}
	for _, n := range append([]*node{detail, opts[0], opts[1], opts[2]}, values...) {
		n.Children = append(n.Children, opts...)
	}
	clear := func(s *Session, w io.Writer, _ []string) error {
		return errors.New("error: clear is not supported; use the IOS CLI's clear ip flow stats")
	}
	exit := func(s *Session, w io.Writer, _ []string) error {
		s.ended = true
		return nil
	}
	// inline: the `inline-jflow fpc-slot N` form of a screen, for the
	// slot a sampling instance is bound to.
	inline := func(f func(io.Writer, show.AccountingView, int)) *node {
		return kw("inline-jflow", "Show inline jflow information",
			kw("fpc-slot", "Show information for an FPC slot",
				cmdtree.Value[*Session]("<fpc-slot>", "FPC slot number", number).Runs(func(s *Session, w io.Writer, args []string) error {
					slot, err := boundSlot(s, args[len(args)-1])
					if err != nil {
						return err
					}
					f(w, s.b.Accounting(), slot)
					return nil
				})))
	}
	// clear services accounting statistics [inline-jflow fpc-slot N]:
	// the accounting counters go back to zero, as IOS's clear ip flow
	// stats does (the same counters).
	clearAcct := func(s *Session, w io.Writer, args []string) error {
		if args[len(args)-2] == "fpc-slot" {
			if _, err := boundSlot(s, args[len(args)-1]); err != nil {
				return err
			}
		}
		s.b.ClearAccounting()
		return nil
	}
	return kw("", "",
		kw("show", "Show system information",
			kw("services", "Show service-specific information",
				kw("accounting", "Show accounting information",
					kw("flow", "Show flow information", inline(show.ServicesAccountingFlowInline)).Runs(acctXML(show.ServicesAccountingFlowXML, acct(show.ServicesAccountingFlow, func(v show.AccountingView) any {
						return show.AccountingFlowOf(v)
					}))),
					detail,
					kw("aggregation", "Show aggregation information", aggregationTypes()...).Runs(acct(show.ServicesAccountingAggregation, show.AccountingAggregationJSON)),
					kw("errors", "Show error information", inline(show.ServicesAccountingErrorsInline)).Runs(acct(show.ServicesAccountingErrors, func(v show.AccountingView) any {
						return show.AccountingErrorsOf(v)
					})),
					kw("usage", "Show usage information").Runs(acct(show.ServicesAccountingUsage, func(v show.AccountingView) any {
						return v.Usage
					})),
					kw("memory", "Show memory information").Runs(acct(show.ServicesAccountingMemory, func(v show.AccountingView) any {
						return show.AccountingMemoryOf(v)
					})),
					kw("status", "Show status information", inline(show.ServicesAccountingStatusInline)).Runs(acct(show.ServicesAccountingStatus, show.AccountingStatusJSON)))),
			kw("firewall", "Show firewall information",
				kw("filter", "Show a filter's counters",
					cmdtree.Value[*Session]("<filter-name>", "Name of the filter", nil).Runs(func(s *Session, w io.Writer, args []string) error {
						name := args[len(args)-1]
						cs, err := s.b.FirewallFilter(name)
						if err != nil {
							return err
						}
						if s.pipes.Has("display json") {
							s.jsonDone = true
							return show.WriteJSON(w, show.FirewallFilterJSON(name, cs))
						}
						show.FirewallFilter(w, name, cs)
						return nil
					}))),
			kw("forwarding-options", "Show forwarding-options information",
				kw("sampling", "Show the samplers and their counters").Runs(func(s *Session, w io.Writer, _ []string) error {
					ss := s.b.Sampling()
					if s.pipes.Has("display json") {
						s.jsonDone = true
						return show.WriteJSON(w, show.ForwardingOptionsSamplingJSON(ss))
					}
					show.ForwardingOptionsSampling(w, ss)
					return nil
				})),
			kw("interfaces", "Show interface information",
				kw("terse", "Display terse output").Runs(showInterfaces),
				kw("brief", "Display brief output").Runs(showInterfaces),
				kw("detail", "Display detailed output").Runs(showInterfaces),
				kw("extensive", "Display extensive output").Runs(showInterfaces),
				kw("descriptions", "Display interface description strings").Runs(showInterfaces),
				cmdtree.Value[*Session]("<interface-name>", "Name of physical interface", nil,
					kw("terse", "Display terse output").Runs(showInterfaces),
					kw("brief", "Display brief output").Runs(showInterfaces),
					kw("detail", "Display detailed output").Runs(showInterfaces),
					kw("extensive", "Display extensive output").Runs(showInterfaces)).Runs(showInterfaces)).Runs(showInterfaces),
			kw("flowtap", "Show flowtap extensions",
				kw("taps", "Show passive taps: each fibre's state and counters").Runs(func(s *Session, w io.Writer, _ []string) error {
					v := s.b.Taps()
					if s.pipes.Has("display json") {
						s.jsonDone = true
						return show.WriteJSON(w, show.TapsJSON(v))
					}
					show.FlowtapTaps(w, v)
					return nil
				})),
			kw("chassis", "Show chassis information",
				kw("hardware", "Show installed hardware components").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.ChassisHardware(w, s.b.Inventory())
					return nil
				}),
				kw("routing-engine", "Show Routing Engine information").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.RoutingEngine(w, s.b.RoutingEngine())
					return nil
				})),
			kw("log", "Show contents of log file",
				kw("messages", "Show the system log: the messages the log buffer keeps").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.JunosLogMessages(w, s.b.LogMessages())
					return nil
				})),
			kw("host", "Show hostname information from domain server",
				cmdtree.Value[*Session]("<hostname>", "Hostname or address to find", nil).Runs(showHost)),
			kw("system", "Show system information",
				kw("uptime", "Show time since the system rebooted and protocols started").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.JunosSystemUptime(w, s.b.System(), loggedIn(s.userLines()))
					return nil
				}),
				kw("memory", "Show system memory usage").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.SystemMemory(w, s.b.SystemMemory())
					return nil
				}),
				kw("alarms", "Show system alarm status").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.SystemAlarms(w, s.b.Alarms())
					return nil
				}),
				kw("storage", "Show local storage data").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.SystemStorage(w, s.b.SystemStorage())
					return nil
				}),
				kw("processes", "Show process table",
					kw("summary", "Display summary output").Runs(func(s *Session, w io.Writer, _ []string) error {
						show.ProcessesSummary(w, s.b.ProcessesSummary())
						return nil
					})),
				kw("users", "Show users who are currently logged in").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.JunosSystemUsers(w, s.b.System(), s.userLines())
					return nil
				}),
				kw("commit", "Show pending commit and commit history").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.SystemCommit(w, s.b.Commits())
					return nil
				}),
				kw("rollback", "Show rolled back configuration",
					cmdtree.Value[*Session]("<number>", "Index of rollback configuration (0..49)", rollbackIndex,
						kw("compare", "Compare rollback configuration",
							cmdtree.Value[*Session]("<number>", "Index of rollback configuration to compare against (0..49)", rollbackIndex).Runs(showRollback))).Runs(showRollback))),
			kw("version", "Show software process revision levels").Runs(func(s *Session, w io.Writer, _ []string) error {
				show.JunosVersion(w, s.b.System())
				return nil
			}),
			kw("snmp", "Show SNMP information",
				kw("statistics", "Show SNMP statistics").Runs(func(s *Session, w io.Writer, _ []string) error {
					show.SNMPStatistics(w, s.b.SNMPCounters())
					return nil
				})),
			kw("configuration", "Show current configuration",
				// `show configuration forwarding-options sampling`: that
				// part of the committed configuration, as configuration
				// mode's `show` gives of the candidate.
				rest("<statement>", "Configuration hierarchy to show").Runs(showConfiguration)).Runs(showConfiguration)),
		kw("set", "Set CLI properties",
			kw("cli", "Set CLI properties",
				kw("screen-length", "Set number of lines on screen",
					cmdtree.Value[*Session]("<length>", "Number of lines on screen (0..100000; 0: do not page)", cmdtree.RangeCheck(0, 100000)).Runs(func(s *Session, w io.Writer, args []string) error {
						s.length, _ = strconv.Atoi(args[len(args)-1])
						fmt.Fprintf(w, "Screen length set to %d\n", s.length)
						return nil
					})),
				kw("screen-width", "Set width of screen",
					cmdtree.Value[*Session]("<width>", "Number of characters in a line (0, 40..1024)", screenWidth).Runs(func(s *Session, w io.Writer, args []string) error {
						s.width, _ = strconv.Atoi(args[len(args)-1])
						fmt.Fprintf(w, "Screen width set to %d\n", s.width)
						return nil
					})))),
		kw("configure", "Manipulate software configuration information",
			kw("exclusive", "Obtain exclusive lock (other users cannot make changes)").Runs(configure),
			kw("private", "Work in private database").Runs(configure)).Runs(configure),
		kw("clear", "Clear information in the system",
			kw("services", "Clear services information",
				kw("accounting", "Clear accounting information",
					kw("statistics", "Clear accounting statistics",
						kw("inline-jflow", "Clear inline jflow statistics",
							kw("fpc-slot", "FPC slot",
								cmdtree.Value[*Session]("<fpc-slot>", "FPC slot number", number).Runs(clearAcct)))).Runs(clearAcct))),
			kw("firewall", "Clear firewall counters",
				kw("filter", "Clear a filter's counters",
					cmdtree.Value[*Session]("<filter-name>", "Name of the filter", nil).Runs(clearFirewall)),
				kw("all", "Clear all filters' counters").Runs(clearFirewall)),
			rest("<what>", "What to clear").Runs(clear)).Runs(clear),
		kw("exit", "Exit the management session").Runs(exit),
		kw("quit", "Exit the management session").Runs(exit),
	)
}

// configure is `configure [private | exclusive]`. Every flowtap session
// edits a candidate of its own, which its commit merges (private is how
// they always work); exclusive also stops the other sessions committing
// until this one leaves configuration mode, and is refused while another
// holds it.
func configure(s *Session, w io.Writer, args []string) error {
	mode := ""
	if len(args) > 1 {
		mode = args[1]
	}
	if by := s.editors.lockedBy(nil); mode == "exclusive" && by != "" {
		return errors.New("error: configuration database locked by:\n" + strings.TrimSuffix(by, "\n"))
	}
	s.based = s.b.Running()
	s.cand = s.candidate(s.based)
	s.path, s.edits, s.exclusive = nil, nil, mode == "exclusive"
	if mode != "" {
		fmt.Fprintln(w, "warning: uncommitted changes will be discarded on exit")
	}
	fmt.Fprintln(w, "Entering configuration mode")
	s.othersEditing(w)
	fmt.Fprintln(w)
	return nil
}

// boundSlot is the FPC slot v names when a sampling instance is bound
// to it (chassis fpc N sampling-instance): the one the inline-jflow
// forms answer for.
func boundSlot(s *Session, v string) (int, error) {
	slot, _ := strconv.Atoi(v)
	if !slices.ContainsFunc(s.b.Running().JFlow.FPCs, func(b config.FPCBinding) bool { return b.Slot == slot }) {
		return 0, fmt.Errorf("error: FPC %d has no sampling instance (set chassis fpc %d sampling-instance NAME)", slot, slot)
	}
	return slot, nil
}

// readOnly prunes the operational tree to what the read-only class may
// run. JunOS leaves the commands a class lacks out of the CLI altogether:
// they get "unknown command." and `?` does not list them.
func readOnly(op *node) *node {
	drop := func(n *node, words ...string) {
		n.Children = slices.DeleteFunc(n.Children, func(c *node) bool { return slices.Contains(words, c.Word) })
	}
	drop(op, "configure", "clear")
	for _, c := range op.Children {
		if c.Word == "show" {
			drop(c, "configuration")
		}
	}
	return op
}

// runTree is what `run` takes in configuration mode: the operational
// commands that look or clear, not configure (which threw the
// candidate away for the committed configuration, no question asked)
// nor exit and quit (which ended the session from configuration mode).
func runTree() *node {
	op := operationalTree()
	op.Children = slices.DeleteFunc(op.Children, func(c *node) bool {
		return slices.Contains([]string{"configure", "exit", "quit"}, c.Word)
	})
	return op
}

// screenWidth checks `set cli screen-width`: 0 (do not wrap) or 40..1024
// [RECALL]. flowtap's CLI wraps no line at any width; the value is kept
// for the session.
func screenWidth(v string) error {
	if n, err := strconv.Atoi(v); err != nil || n != 0 && (n < 40 || n > 1024) {
		return errors.New("screen-width wants 0 or 40..1024")
	}
	return nil
}

// rollbackIndex checks a rollback number: JunOS keeps 0..49.
func rollbackIndex(v string) error {
	if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 49 {
		return errors.New("rollback wants 0..49")
	}
	return nil
}

// showRollback is `show system rollback N [compare M]`: the
// configuration rollback N holds, or, with compare, what going from
// rollback M to rollback N changes (M is the base, as the rollback of
// `show | compare rollback M` is).
func showRollback(s *Session, w io.Writer, args []string) error {
	n, _ := strconv.Atoi(args[3])
	c, err := s.b.Rollback(n)
	if err != nil {
		return fmt.Errorf("error: %v", err)
	}
	if len(args) < 6 {
		writeConfigAt(w, c, nil, s.pipes.Has("display set"))
		return nil
	}
	m, _ := strconv.Atoi(args[5])
	base, err := s.b.Rollback(m)
	if err != nil {
		return fmt.Errorf("error: %v", err)
	}
	io.WriteString(w, junosconf.RenderDiff(base, c))
	return nil
}

// showConfiguration is `show configuration [STATEMENT...]`.
func showConfiguration(s *Session, w io.Writer, args []string) error {
	// The rest of the line comes as one argument.
	words := strings.Fields(strings.Join(args[2:], " "))
	if st, ok := s.pipes.Find("compare"); ok {
		// `show configuration | compare rollback N`: what the commits
		// since rollback N changed, as configuration mode's show |
		// compare prints a candidate's changes.
		f := strings.Fields(st.Arg)
		n, err := 0, errors.New("no rollback")
		if len(f) == 2 && f[0] == "rollback" {
			n, err = strconv.Atoi(f[1])
		}
		if err != nil || n < 0 || n > 49 {
			return errors.New("error: operational mode compares with a rollback: show configuration [STATEMENT] | compare rollback N (0..49)")
		}
		old, err := s.b.Rollback(n)
		if err != nil {
			return fmt.Errorf("error: %v", err)
		}
		io.WriteString(w, junosconf.RenderDiffAt(old, s.b.Running(), words))
		return nil
	}
	if st, ok := s.pipes.Find("display inheritance"); ok {
		style, err := inheritStyle(st.Arg)
		if err != nil {
			return err
		}
		io.WriteString(w, junosconf.RenderInheritanceStyle(s.b.Running(), words, style))
		return nil
	}
	writeConfigAt(w, s.b.Running(), words, s.pipes.Has("display set"))
	return nil
}

// aggregationTypes are `show services accounting aggregation TYPE`, each
// on the aggregation cache of its scheme.
// Each takes `limit N` and `order bytes|packets`, in any order.
func aggregationTypes() []*node {
	var out []*node
	for _, a := range show.JunosAggregations {
		run := func(s *Session, w io.Writer, args []string) error {
			var o show.AggregationOptions
			for i := 5; i < len(args); i++ {
				switch args[i] {
				case "limit":
					i++
					o.Limit, _ = strconv.Atoi(args[i])
				case "order":
					i++
					o.ByPackets = args[i] == "packets"
				}
			}
			for _, v := range s.b.Aggregations() {
				if v.Config.Scheme != a.Scheme {
					continue
				}
				if s.pipes.Has("display json") {
					s.jsonDone = true
					return show.WriteJSON(w, show.AccountingAggregationTypeJSON(v, o))
				}
				show.ServicesAccountingAggregationType(w, v, o)
				return nil
			}
			return fmt.Errorf("error: no %s aggregation is running (ip flow-aggregation cache %s)", a.Type, a.Scheme)
		}
		typ := kw(a.Type, a.Help).Runs(run)
		limit := cmdtree.Value[*Session]("<limit>", "Maximum number of aggregates to show", cmdtree.RangeCheck(1, 1<<30)).Runs(run)
		bytes := kw("bytes", "Order by bytes").Runs(run)
		packets := kw("packets", "Order by packets").Runs(run)
		opts := []*node{
			kw("limit", "Maximum number of aggregates to show", limit),
			kw("order", "Order of the aggregates", bytes, packets),
		}
		for _, n := range []*node{typ, limit, bytes, packets} {
			n.Children = append(n.Children, opts...)
		}
		out = append(out, typ)
	}
	return out
}

// clearFirewall is `clear firewall filter NAME` and `clear firewall all`:
// the filters' counters go back to zero only here.
func clearFirewall(s *Session, w io.Writer, args []string) error {
	name := ""
	if args[2] == "filter" {
		name = args[3]
	}
	return s.b.ClearFirewall(name)
}

// flowDetail is `show services accounting flow-detail [OPTION...]`; args
// are the words in full from flow-detail on.
func flowDetail(s *Session, w io.Writer, args []string) error {
	o := show.FlowDetailOptions{}
	f := args[4:]
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case "terse":
			o.Terse = true
		case "limit":
			i++
			o.Limit, _ = strconv.Atoi(f[i])
		case "order":
			i++
			o.ByBytes = f[i] == "bytes"
		case "source-prefix", "destination-prefix":
			i++
			p, _ := parsePrefix(f[i])
			if f[i-1] == "source-prefix" {
				o.SrcPrefix = p
			} else {
				o.DstPrefix = p
			}
		case "source-port", "destination-port":
			i++
			r, _ := config.ParseFilterPort(f[i])
			if f[i-1] == "source-port" {
				o.SrcPort = &r
			} else {
				o.DstPort = &r
			}
		case "protocol":
			i++
			p, _ := config.ParseProtocol(f[i])
			o.Proto = &p
		case "input-interface":
			i++
			o.InputIf = f[i]
		}
	}
	v := s.b.Accounting()
	if s.pipes.Has("display json") {
		s.jsonDone = true
		return show.WriteJSON(w, show.AccountingFlowDetailJSON(v, o))
	}
	show.ServicesAccountingFlowDetail(w, v, o)
	return nil
}

// parsePrefix reads flow-detail's prefix filter: a prefix, or an address
// for its host prefix.
func parsePrefix(v string) (netip.Prefix, error) {
	if !strings.Contains(v, "/") {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(v)
	return p.Masked(), err
}

// confirmExit is JunOS's question on leaving configuration mode with
// changes not committed: Return or yes leaves (the changes are dropped),
// no stays. Nobody to ask (output captured) or nobody left (the input
// ended) leaves, with the warning.
func (s *Session) confirmExit(w io.Writer) bool {
	const changed = "The configuration has been changed but not committed"
	if s.ask == nil {
		fmt.Fprintln(w, changed)
		return true
	}
	prompt := changed + "\nExit with uncommitted changes? [yes,no] (yes) "
	for {
		a, err := s.ask.Ask(prompt, false)
		if err != nil {
			return true
		}
		switch a = strings.ToLower(strings.TrimSpace(a)); {
		case a == "" || strings.HasPrefix("yes", a):
			return true
		case strings.HasPrefix("no", a):
			return false
		}
		prompt = "Exit with uncommitted changes? [yes,no] (yes) "
	}
}

// loadKind is `load KIND terminal|FILE`, with `relative` where Junos
// takes it (merge, replace, set).
func loadKind(kind, help string, relative bool) *node {
	from := func() []*node {
		if !relative {
			return nil
		}
		return []*node{kw("relative", "Load configuration relative to the current edit level").Runs(load)}
	}
	return kw(kind, help,
		kw("terminal", "Use login terminal", from()...).Runs(load),
		cmdtree.Value[*Session]("<filename>", "Filename (a name alone is beside the startup-config)", nil, from()...).Runs(load))
}

// upLevels is the edit level n statements above the session's: a level
// is a statement, so `family inet` or `unit 0` is one, and the words
// dropped go back to one that holds statements (`up` from [edit
// interfaces eth1 unit 0] is [edit interfaces eth1], not [edit
// interfaces eth1 unit]).
func (s *Session) upLevels(n int) []string {
	path := slices.Clone(s.path)
	for range n {
		if len(path) == 0 {
			break
		}
		path = path[:len(path)-1]
		for len(path) > 0 && s.cand.Level(path) >= 0 {
			path = path[:len(path)-1]
		}
	}
	return path
}

// execAt runs cmd as typed at the edit level at (`top COMMAND`, `up N
// COMMAND`): the session stays at its own level unless the command moves
// it (`top edit X`). typed is the words before the command, for the
// caret of a refused one.
func (s *Session) execAt(w io.Writer, at []string, typed, cmd string) error {
	saved := s.path
	s.path = slices.Clone(at)
	err := s.exec(w, s.conf, cmd)
	if s.cand != nil && slices.Equal(s.path, at) {
		s.path = saved
	}
	// A caret under the command's words: the line as typed.
	if err != nil && strings.HasPrefix(err.Error(), cmd+"\n") {
		line, rest, _ := strings.Cut(err.Error(), "\n")
		err = errors.New(typed + line + "\n" + strings.Repeat(" ", len(typed)) + rest)
	}
	return err
}

// configurationTree is configuration mode's commands.
func configurationTree() *node {
	edit := func(s *Session, w io.Writer, args []string) error {
		line := args[0]
		if len(s.path) > 0 {
			line += " " + strings.Join(s.path, " ")
		}
		if len(args) > 1 {
			line += " " + args[1]
		}
		before := s.cand.Candidate().Export.Destinations
		if err := s.screen(s.cand.Exec(line)); err != nil {
			return err
		}
		if args[0] == "set" {
			warnSecondPort(w, before, s.cand.Candidate().Export.Destinations)
		}
		return nil
	}
	up := func(s *Session, w io.Writer, args []string) error {
		n := 1
		if len(args) > 1 {
			n, _ = strconv.Atoi(args[1])
		}
		s.path = s.upLevels(n)
		return nil
	}
	exit := func(s *Session, w io.Writer, args []string) error {
		if len(s.path) > 0 && len(args) == 1 {
			// Back to the level the last edit left, as Junos's exit
			// and quit go (the top when no edit is remembered).
			s.path = nil
			if n := len(s.edits); n > 0 {
				s.path, s.edits = s.edits[n-1], s.edits[:n-1]
			}
			return nil
		}
		if !config.Equal(s.cand.Candidate(), s.based) && !s.confirmExit(w) {
			return nil
		}
		fmt.Fprintln(w, "Exiting configuration mode")
		s.cand, s.path = nil, nil
		return nil
	}
	showCand := func(s *Session, w io.Writer, args []string) error {
		var at []string
		if len(args) > 1 {
			at = strings.Fields(args[1])
		}
		return s.showCandidate(w, s.pipes, at)
	}
	commit := func(s *Session, w io.Writer, args []string) error { return s.commit(w, strings.Join(args[1:], " ")) }
	rollback := func(s *Session, w io.Writer, args []string) error {
		n := 0
		if len(args) > 1 {
			var err error
			if n, err = strconv.Atoi(args[1]); err != nil || n < 0 || n > 49 {
				return fmt.Errorf("error: rollback wants 0..49")
			}
		}
		c, err := s.b.Rollback(n)
		if err != nil {
			return fmt.Errorf("error: %v", err)
		}
		s.cand, s.based = s.candidate(c), s.b.Running()
		fmt.Fprintln(w, "load complete")
		return nil
	}
	// commit's options come in any order (`commit comment "x"
	// and-quit`, `commit and-quit comment "x"`); each leads on to the
	// ones not yet given. A comment takes the rest of the line, which
	// parseCommit reads: its quoted text ends at the quote, options may
	// follow.
	var commitOpts func(used ...string) []*node
	commitOpts = func(used ...string) []*node {
		var out []*node
		if !slices.Contains(used, "and-quit") {
			out = append(out, kw("and-quit", "Quit configuration mode if commit succeeds", commitOpts(append(used, "and-quit")...)...).Runs(commit))
		}
		if len(used) == 0 {
			out = append(out, kw("check", "Check correctness of syntax; do not apply changes").Runs(commit))
		}
		if !slices.Contains(used, "comment") {
			out = append(out, kw("comment", "Message to write to commit log", rest("<comment>", "Message to write to commit log").Runs(commit)))
		}
		if !slices.Contains(used, "confirmed") {
			more := append(slices.Clone(used), "confirmed")
			out = append(out, kw("confirmed", "Automatically rollback if not confirmed",
				append([]*node{cmdtree.Value[*Session]("<minutes>", "Number of minutes until rollback (1..65535)", nil, commitOpts(more...)...).Runs(commit)},
					commitOpts(more...)...)...).Runs(commit))
		}
		return out
	}
	return kw("", "",
		kw("set", "Set a parameter", rest("<statement>", "Configuration statement").Runs(edit)),
		kw("delete", "Delete a data element", rest("<statement>", "Configuration statement").Runs(edit)).Runs(deleteLevel),
		// Any statement: an inactive one is kept in the candidate and
		// not applied (appliance/config/junos/junos_text.go).
		kw("activate", "Remove the inactive tag from a statement", rest("<statement>", "Configuration statement").Runs(edit)),
		kw("deactivate", "Add the inactive tag to a statement", rest("<statement>", "Configuration statement").Runs(edit)),
		kw("annotate", "Annotate the statement with a comment", rest("<statement>", "Configuration statement and \"comment\"").Runs(edit)),
		kw("edit", "Edit a particular hierarchy level", rest("<path>", "Hierarchy level").Runs(func(s *Session, w io.Writer, args []string) error {
			typed := strings.Fields(args[1])
			// Only a level that holds statements: Junos refuses a
			// path its schema lacks (`edit interfaces` under
			// sampling) at the word that is wrong.
			if bad := s.cand.Level(append(slices.Clone(s.path), typed...)) - len(s.path); bad >= 0 {
				line := "edit " + strings.Join(typed, " ")
				pos := len("edit ") + len(strings.Join(typed[:bad], " "))
				if bad > 0 {
					pos++
				}
				return fmt.Errorf("%s\n%s^\nsyntax error.", line, strings.Repeat(" ", pos))
			}
			s.edits = append(s.edits, slices.Clone(s.path))
			s.path = append(slices.Clone(s.path), typed...)
			return nil
		})).Runs(func(*Session, io.Writer, []string) error { return nil }),
		kw("up", "Exit one or more levels of configuration",
			// `up 2 show`, `up set ...`: the command as typed that many
			// levels up, as `top COMMAND` runs it at the top.
			cmdtree.Value[*Session]("<number>", "Number of levels to move up", cmdtree.RangeCheck(1, 1<<20),
				rest("<command>", "Command to run at that level").Runs(func(s *Session, w io.Writer, args []string) error {
					n, _ := strconv.Atoi(args[1])
					return s.execAt(w, s.upLevels(n), "up "+args[1]+" ", args[2])
				})).Runs(up),
			rest("<command>", "Command to run one level up").Runs(func(s *Session, w io.Writer, args []string) error {
				return s.execAt(w, s.upLevels(1), "up ", args[1])
			})).Runs(up),
		kw("top", "Exit to top level of configuration",
			// `top set ...`, `top show ...`: the command as typed at the
			// top, the edit level kept, unless it moves (`top edit X`).
			rest("<command>", "Command to run at the top level").Runs(func(s *Session, w io.Writer, args []string) error {
				return s.execAt(w, nil, "top ", args[1])
			})).Runs(func(s *Session, w io.Writer, _ []string) error {
			s.path = nil
			return nil
		}),
		kw("exit", "Exit from this level", rest("<what>", "configuration-mode: leave configuration mode").Runs(exit)).Runs(exit),
		kw("quit", "Quit from this level").Runs(exit),
		kw("show", "Show a parameter", rest("<statement>", "Configuration statement").Runs(showCand)).Runs(showCand),
		kw("commit", "Commit current set of changes", commitOpts()...).Runs(commit),
		kw("load", "Load configuration from ASCII file",
			kw("factory-default", "Override existing configuration with factory default").Runs(loadFactoryDefault),
			loadKind("merge", "Merge contents with existing configuration", true),
			loadKind("override", "Override existing configuration", false),
			loadKind("patch", "Load patch file", false),
			loadKind("replace", "Replace configuration data", true),
			loadKind("set", "Execute set of commands on existing configuration", true),
			loadKind("update", "Update existing configuration", false)),
		kw("rollback", "Roll back to previous committed configuration",
			cmdtree.Value[*Session]("<number>", "Index of rollback configuration (0..49)", nil).Runs(rollback)).Runs(rollback),
		kw("copy", "Copy a statement", rest("<statement>", "Statement to copy, then to and the new name").Runs(copyStatement)),
		kw("rename", "Rename a statement", rest("<statement>", "Statement to rename, then to and the new name").Runs(copyStatement)),
		kw("insert", "Insert a new ordered data element", rest("<statement>", "Statement to move, then before or after and its sibling").Runs(insertStatement)),
		kw("replace", "Replace character string in configuration",
			kw("pattern", "Pattern to replace", rest("<pattern>", "Pattern, then with and its replacement").Runs(replacePattern))),
		kw("wildcard", "Wildcard operations",
			kw("delete", "Delete statements matching a regular expression", rest("<statement>", "Statement path, then the regular expression its identifiers match").Runs(wildcardDelete))),
		kw("save", "Save configuration to ASCII file",
			cmdtree.Value[*Session]("<filename>", "Name of the file, beside the startup-config", nil).Runs(save)),
		kw("update", "Update private database").Runs(func(s *Session, w io.Writer, _ []string) error {
			return s.update(w)
		}),
		kw("status", "Show users currently editing configuration").Runs(func(s *Session, w io.Writer, args []string) error {
			return s.status(w, args)
		}),
		kw("run", "Run an operational-mode command", rest("<command>", "Operational-mode command").Runs(func(s *Session, w io.Writer, args []string) error {
			err := s.exec(w, runTree(), args[1])
			// A caret under the command's words: the line as typed.
			if err != nil && strings.HasPrefix(err.Error(), args[1]+"\n") {
				line, rest, _ := strings.Cut(err.Error(), "\n")
				err = errors.New("run " + line + "\n    " + rest)
			}
			return err
		})),
	)
}

// warnSecondPort warns when a set line gave a flow-server address a
// second port. On Junos a flow-server's port is an attribute, so `set
// ... flow-server A port P` moves the server to P; flowtap names a server
// by address and port (several collectors on one host), so the same line
// adds a collector and both get every flow. The operator who meant to
// move it learns so before committing a double export.
func warnSecondPort(w io.Writer, before, after []config.Destination) {
	for _, d := range after {
		if slices.ContainsFunc(before, func(b config.Destination) bool { return b.Addr == d.Addr }) || d.Addr.Port() == 0 {
			continue
		}
		var ports []string
		for _, o := range after {
			// Servers under different families share no flow.
			if o.Addr.Addr() == d.Addr.Addr() && o.Addr != d.Addr && o.Addr.Port() != 0 && o.Families.Overlaps(d.Families) {
				ports = append(ports, strconv.Itoa(int(o.Addr.Port())))
			}
		}
		if len(ports) == 0 {
			continue
		}
		fmt.Fprintf(w, "warning: flow-server %s now exports to port %d as well as %s: each port gets every flow; to move the server instead, delete flow-server %s port %s\n",
			d.Addr.Addr(), d.Addr.Port(), strings.Join(ports, ", "), d.Addr.Addr(), ports[0])
	}
}

// showInterfaces is `show interfaces [NAME] [terse | extensive]` and
// `show interfaces descriptions`: the
// kernel's links as JunOS prints its physical interfaces, from the
// snapshot IOS's show interfaces and IF-MIB read.
func showInterfaces(s *Session, w io.Writer, args []string) error {
	ifs, err := s.b.Interfaces()
	if err != nil {
		return fmt.Errorf("error: %v", err)
	}
	level := show.JunosIfNormal
	words := args[2:]
	if n := len(words); n > 0 && slices.Contains([]string{"terse", "brief", "detail", "extensive", "descriptions"}, words[n-1]) {
		switch words[n-1] {
		case "extensive":
			level = show.JunosIfExtensive
		case "brief":
			level = show.JunosIfBrief
		case "detail":
			level = show.JunosIfDetail
		}
		words = words[:n-1]
	}
	if len(words) == 1 {
		i := slices.IndexFunc(ifs, func(i show.Interface) bool { return i.Name == words[0] })
		if i < 0 {
			return fmt.Errorf("error: device %s not found", words[0])
		}
		ifs = ifs[i : i+1]
	}
	if s.pipes.Has("display json") {
		s.jsonDone = true
		return show.WriteJSON(w, show.JunosInterfacesJSON(ifs))
	}
	if s.pipes.Has("display xml") && args[len(args)-1] == "terse" {
		s.xmlDone = true
		show.JunosInterfacesTerseXML(w, ifs)
		return nil
	}
	if args[len(args)-1] == "descriptions" {
		show.JunosInterfacesDescriptions(w, ifs)
		return nil
	}
	if args[len(args)-1] == "terse" {
		show.JunosInterfacesTerse(w, ifs)
		return nil
	}
	now := time.Now()
	for n, i := range ifs {
		if n > 0 {
			fmt.Fprintln(w) // JunOS leaves a line between physical interfaces
		}
		show.JunosInterface(w, i, level, now)
	}
	return nil
}

// userLines are the box's CLI lines for show system users; none when
// the session was given no table.
func (s *Session) userLines() []show.UserLine {
	if s.users == nil {
		return nil
	}
	return s.users()
}

// loggedIn counts the lines someone is logged in on, uptime(1)'s users.
func loggedIn(lines []show.UserLine) int {
	n := 0
	for _, l := range lines {
		if l.User != "" {
			n++
		}
	}
	return n
}
