package junos

import (
	"errors"
	"slices"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/internal/grammar"
)

// statementHelp is what `?` says of each statement of the grammar, and of
// each value a statement takes. The parser offers the words (a
// LineError's Expected, a cursor's Offered); this table only describes
// them, and TestHelpDescribesEveryStatement walks the whole grammar so
// that no word the parser takes is left without its line here.
//
// A key is the word alone, or "CONTEXT WORD" where the same word means
// different things under different statements: Help looks for the
// first word of the line that has an entry with the word (the outermost
// statement decides), then the word alone. A value's key is its form ("<number>" and so on) after
// the statement it follows.
var statementHelp = map[string]string{
	// Top level.
	"firewall":                         "Define a firewall configuration",
	"groups":                           "Configuration groups",
	"groups <group-name>":              "Group name",
	"apply-groups":                     "Groups from which to inherit configuration data",
	"apply-groups-except":              "Don't inherit configuration data from these groups",
	"apply-groups <group-name>":        "Group from which to inherit configuration data (the first listed wins)",
	"annotate <comment>":               "Comment text, in double quotes (\"\" removes the comment)",
	"apply-groups-except <group-name>": "Group not to inherit configuration data from",
	"flowtap":                          "flowtap's own statements: persona, application classes, taps",
	"forwarding-options":               "Configure options to control packet forwarding",
	"interfaces":                       "Interface configuration",
	"snmp":                             "Simple Network Management Protocol configuration",
	"system":                           "System parameters",

	// system
	"host-name":                "Hostname for this router",
	"host-name <host-name>":    "Hostname for this router",
	"login":                    "Names, login classes, and passwords for users",
	"login user":               "Username",
	"login message":            "System login message",
	"login <message>":          "System login message (\\n for a line break)",
	"login announcement":       "System announcement message (displayed after login)",
	"login <announcement>":     "System announcement message (\\n for a line break)",
	"login <user-name>":        "Username",
	"login class":              "Login class (super-user: privilege 15, read-only: privilege 1)",
	"login full-name":          "Full name",
	"login <full-name>":        "Full name",
	"login uid":                "User identifier (uid)",
	"uid <number>":             "User identifier (100..64000)",
	"login super-user":         "All permissions (privilege 15)",
	"login read-only":          "View permissions only (privilege 1)",
	"login authentication":     "Authentication method",
	"login encrypted-password": "Encrypted password string ($1$, $8$ or $9$)",
	"login <password>":         "Encrypted password string ($1$, $8$ or $9$)",
	"system services":          "System services",
	"services ssh":             "Allow ssh access",
	"deactivate ssh":           "Allow ssh access; inactive, SSH is refused (IOS transport input none)",
	"activate ssh":             "Allow ssh access; active again, SSH is taken (IOS transport input ssh)",
	"syslog":                   "System logging facility",
	"syslog host":              "Host to be notified",
	"host <hostname>":          "Name or address of the syslog host",
	"syslog any":               "All facilities; as the level, every message (flowtap: one level for every host, IOS logging trap)",
	"syslog emergency":         "Panic conditions",
	"syslog alert":             "Conditions that should be corrected immediately",
	"syslog critical":          "Critical conditions",
	"syslog error":             "Error conditions",
	"syslog warning":           "Warning messages",
	"syslog notice":            "Conditions that should be handled specially",
	"syslog info":              "Informational messages",
	"syslog port":              "Port number",
	"syslog <number>":          "UDP port (1..65535)",
	"syslog facility-override": "Alternate facility for logging to remote host (flowtap: one for every host, IOS logging facility)",
	"syslog local0":            "Local logging option number 0",
	"syslog local1":            "Local logging option number 1",
	"syslog local2":            "Local logging option number 2",
	"syslog local3":            "Local logging option number 3",
	"syslog local4":            "Local logging option number 4",
	"syslog local5":            "Local logging option number 5",
	"syslog local6":            "Local logging option number 6",
	"syslog local7":            "Local logging option number 7",

	// snmp
	"community":                   "Configure a community string",
	"community <community-name>":  "Community name",
	"contact":                     "Contact information for administrator",
	"contact <contact>":           "Contact information for administrator",
	"location":                    "Physical location of system",
	"location <location>":         "Physical location of system",
	"authorization":               "Authorization type",
	"read-only":                   "Allow read-only access",
	"read-write":                  "Allow read and write access",
	"view":                        "View name",
	"view <view-name>":            "View name",
	"oid":                         "OID to include or exclude from view",
	"oid <oid>":                   "OID to include or exclude from view",
	"include":                     "Include this OID in the view",
	"exclude":                     "Exclude this OID from the view",
	"interfaces <interface-name>": "Interface name",

	// interfaces
	"description":               "Text description of interface",
	"description <description>": "Text description of interface",
	"disable":                   "Disable this interface",
	"no-traps":                  "Don't enable SNMP notifications on state changes",
	"traps":                     "Enable SNMP notifications on state changes",
	"unit":                      "Logical interface",
	"0":                         "Logical unit number",
	"unit family":               "Protocol family",
	"unit inet":                 "IPv4 parameters",
	"unit inet6":                "IPv6 parameters",
	"unit filter":               "Filters to apply to this family",
	"unit sampling":             "Traffic sampling",
	"filter input":              "Name of filter applied to received packets",
	"input <filter-name>":       "Name of filter applied to received packets",
	"sampling input":            "Sample traffic received on this interface",
	"sampling output":           "Sample traffic sent on this interface",

	// forwarding-options
	"sampling":                              "Statistical traffic sampling options",
	"forwarding-options family":             "Protocol family",
	"sampling inet":                         "Sample IPv4 traffic",
	"sampling inet6":                        "Sample IPv6 traffic",
	"forwarding-options input":              "Setting for packet sampling",
	"forwarding-options output":             "Setting for sampling output",
	"input family":                          "Protocol family (JunOS 8 form)",
	"input inet":                            "Sample IPv4 traffic",
	"overload-protection":                   "Sample fewer flows while the meter is overloaded (flowtap)",
	"budget":                                "Per-packet time budget before the meter counts as overloaded",
	"budget <number>":                       "Per-packet time budget in nanoseconds (10..100000)",
	"interval":                              "How often overload is judged",
	"interval <number>":                     "Seconds between judgements (1..60)",
	"max-rate":                              "Largest sampling rate overload protection may reach",
	"max-rate <number>":                     "1 out of N at most (2..65535)",
	"threshold":                             "Load at which overload protection starts",
	"threshold <number>":                    "Percent of the time budget (1..100)",
	"rate":                                  "Ratio of packets to be sampled (1 out of N)",
	"rate <number>":                         "Ratio of packets to be sampled (1..4294967295)",
	"run-length":                            "Number of samples after initial trigger",
	"run-length <number>":                   "Number of samples after initial trigger (0..4294967295)",
	"max-packets-per-second":                "Threshold of packets per second to be sampled",
	"max-packets-per-second <number>":       "Packets per second (1..65535)",
	"output":                                "Setting for sampling output",
	"flow-server":                           "Configure sending traffic aggregates in cflowd format",
	"cflowd":                                "Configure sending traffic aggregates in cflowd format (JunOS 8 form)",
	"flow-active-timeout":                   "Interval after which an active flow is exported",
	"flow-active-timeout <number>":          "Seconds",
	"flow-inactive-timeout":                 "Interval of inactivity that marks a flow inactive",
	"flow-inactive-timeout <number>":        "Seconds",
	"output interface":                      "Interfaces used to send monitored information",
	"output <interface-name>":               "Services interface (sp-*) that exports",
	"interface source-address":              "Address to use for generating monitored packets",
	"source-address A.B.C.D or X:X:X:X::X":  "Source address",
	"flow-server <hostname>":                "Name of host collecting cflowd packets",
	"cflowd <hostname>":                     "Name of host collecting cflowd packets",
	"domain-name":                           "Domain name for this router",
	"name-server":                           "DNS name servers",
	"static-host-mapping":                   "Static hostname database mapping",
	"domain-name <domain-name>":             "Domain name for this router",
	"name-server A.B.C.D or X:X:X:X::X":     "Address of a DNS name server",
	"static-host-mapping <hostname>":        "Hostname",
	"inet":                                  "IP address",
	"inet6":                                 "IPv6 address",
	"inet A.B.C.D or X:X:X:X::X":            "IP address of the host",
	"inet6 A.B.C.D or X:X:X:X::X":           "IPv6 address of the host",
	"autonomous-system-type":                "Type of autonomous system number to export",
	"origin":                                "Export origin-AS numbers",
	"peer":                                  "Export peer-AS numbers",
	"biflow":                                "Export RFC 5103 biflows to this IPFIX server (flowtap)",
	"crypto-pan":                            "Pseudonymise addresses, preserving prefixes (flowtap)",
	"crypto-pan <key>":                      "Key: 64 hex digits or a passphrase",
	"flow-server port":                      "UDP port number on host collecting cflowd packets",
	"cflowd port":                           "UDP port number on host collecting cflowd packets",
	"port <number>":                         "UDP port (1..65535)",
	"flow-server source-address":            "Source address of the packets sent to this server",
	"cflowd source-address":                 "Source address of the packets sent to this server",
	"truncate":                              "Cut IPv4 addresses to a prefix length (flowtap)",
	"truncate <number>":                     "Prefix length (1..31)",
	"version":                               "Format of exported cflowd aggregates",
	"version <number>":                      "Version 5, 8 or 9",
	"ipfix":                                 "IPFIX (RFC 7011)",
	"aggregation":                           "Aggregations this server takes, in version 8",
	"aggregation autonomous-system":         "Aggregate by source and destination AS",
	"aggregation destination-prefix":        "Aggregate by destination prefix",
	"aggregation protocol-port":             "Aggregate by protocol and ports",
	"aggregation source-destination-prefix": "Aggregate by source and destination prefix",
	"aggregation source-prefix":             "Aggregate by source prefix",

	// services flow-monitoring, chassis fpc, sampling instance (inline J-Flow)
	"chassis":                           "Chassis configuration",
	"fpc":                               "Flexible PIC Concentrator parameters",
	"fpc <number>":                      "FPC slot number (0..19)",
	"sampling-instance":                 "Name of sampling instance (names it; flowtap samples the ports with sampling input)",
	"sampling-instance <instance-name>": "Name of sampling instance",
	"services":                          "Service PIC applications settings",
	"flow-monitoring":                   "Configure flow monitoring",
	"version-ipfix":                     "Define IPFIX flow monitoring templates",
	"version9":                          "Define version 9 flow monitoring templates",
	"services template":                 "Template definition",
	"template <template-name>":          "Name of template",
	"flow-server version-ipfix":         "Export in IPFIX with a flow-monitoring template",
	"flow-server version9":              "Export in version 9 with a flow-monitoring template",
	"cflowd version-ipfix":              "Export in IPFIX with a flow-monitoring template",
	"cflowd version9":                   "Export in version 9 with a flow-monitoring template",
	"template":                          "Template to export with",
	"services flow-active-timeout":      "Interval after which an active flow is exported (cache active timeout)",
	"services flow-inactive-timeout":    "Period of inactivity that marks a flow inactive (cache inactive timeout)",
	"template-refresh-rate":             "Template refresh rate",
	"option-refresh-rate":               "Option refresh rate",
	"seconds":                           "In seconds",
	"seconds <number>":                  "Seconds (10..600)",
	"packets":                           "In packets",
	"packets <number>":                  "Packets (1..480000)",
	"ipv4-template":                     "IPv4 template",
	"ipv6-template":                     "IPv6 template",
	"instance":                          "Sampling instance (flowtap takes one)",
	"instance <instance-name>":          "Name of sampling instance",
	"inline-jflow":                      "Inline processing of sampled packets",
	"inline-jflow source-address":       "Address to use for generating monitored packets",

	// firewall
	"firewall family":              "Protocol family",
	"firewall inet":                "Protocol family IPv4 for firewall filter",
	"firewall inet6":               "Protocol family IPv6 for firewall filter",
	"firewall filter":              "Define an IPv4 or IPv6 firewall filter",
	"filter <filter-name>":         "Filter name",
	"term":                         "Define a firewall term",
	"term <term-name>":             "Term name",
	"from":                         "Define match criteria",
	"then":                         "Action to take if the 'from' condition is matched",
	"from source-address":          "Match IP source address",
	"from destination-address":     "Match IP destination address",
	"source-address <prefix>":      "Prefix to match",
	"destination-address":          "Match IP destination address",
	"destination-address <prefix>": "Prefix to match",
	"from protocol":                "Match IP protocol type",
	"protocol <protocol>":          "Protocol name or number",
	"from source-port":             "Match TCP/UDP source port",
	"source-port <port>":           "Port name, number or range",
	"destination-port":             "Match TCP/UDP destination port",
	"destination-port <port>":      "Port name, number or range",
	"tcp-established":              "Match packet of an established TCP connection",
	"tcp-initial":                  "Match initial packet of a TCP connection",
	"accept":                       "Accept the packet",
	"count":                        "Count the packet in the named counter",
	"count <counter-name>":         "Counter name",
	"discard":                      "Discard the packet",
	"sample":                       "Sample the packet",
	"]":                            "End of the list",

	// flowtap
	"application-class":          "Application class rules, in order (default Internet2's)",
	"application-class <name>":   "Class name, or none to start from an empty list",
	"application-class port":     "TCP or UDP port or range the class matches",
	"<port>":                     "Port number or range N-M",
	"application-class protocol": "IP protocol the class matches",
	"<protocol>":                 "Protocol name or number",
	"platform":                   "Persona: the router this appliance behaves as",
	"tap":                        "Passive optical tap: its two fibres as one link",
	"tap <name>":                 "Tap name",
	"fibre-a":                    "Port receiving one direction of the link",
	"fibre-b":                    "Port receiving the other direction",
	"fibre-a <interface-name>":   "Port name",
	"fibre-b <interface-name>":   "Port name",
	"ifindex":                    "ifIndex the tap's flows carry",
	"ifindex <number>":           "ifIndex (1..65535)",
}

// platformHelp describes the personas `flowtap platform` takes.
var platformHelp = "Persona"

// The options of the statements that stand alone as well as with one of
// them (`set interfaces eth0` creates the interface): the parser takes
// them from here and offers them to `?` at the end of the bare statement.
var (
	interfaceOptions  = []string{"description", "disable", "no-traps", "traps", "unit"}
	communityOptions  = []string{"authorization", "view"}
	overloadOptions   = []string{"budget", "interval", "max-rate", "threshold"}
	flowServerOptions = []string{"aggregation", "autonomous-system-type", "biflow", "crypto-pan", "port", "source-address", "truncate", "version", "version-ipfix", "version9"}
	termOptions       = []string{"from", "then"}
	tapOptions        = []string{"fibre-a", "fibre-b", "ifindex"}
	// samplingInputOptions are offered after `delete ... input` too.
	samplingInputOptions = []string{"max-packets-per-second", "rate", "run-length"}
)

// HelpItem is one line of `?`: what may come next and what it does.
type HelpItem struct {
	Label, Help string
}

// Help answers `?` after line, a `set` or `delete` statement written in
// full (an edit path already joined in): the words that may follow with
// their descriptions, in order, and complete when the statement stands
// as it is (JunOS's <[Enter]>). A last word not followed by a space is a
// prefix: only words it begins are listed. A line whose words before
// that do not parse gets the parser's error, nothing applied.
func (s *Session) Help(line string) (items []HelpItem, complete bool, err error) {
	partial := ""
	if !strings.HasSuffix(line, " ") {
		i := strings.LastIndexAny(line, " \t")
		partial, line = line[i+1:], line[:i+1]
	}
	try := &Session{file: s.file, base: s.base, cfg: s.cfg.Clone(), where: grammar.Origins{}, offline: true}
	words, _ := splitJunOS(line)
	var next []string
	switch e := try.exec(1, line); {
	case e == nil:
		// A statement as it stands: what may still follow it.
		next, complete = try.offered, true
	case e.Kind == config.ErrIncomplete:
		next = e.Expected
	default:
		return nil, false, e
	}
	ctx := make([]string, len(words))
	for i, w := range words {
		ctx[i] = w.Text
	}
	if try.inherits(ctx) {
		next = append([]string{"apply-groups", "apply-groups-except"}, next...)
	}
	if len(ctx) > 1 && ctx[0] == "annotate" {
		// Once a statement is named, its note may follow.
		next = append([]string{"<comment>"}, next...)
	}
	for _, n := range next {
		label := helpLabel(n, ctx)
		// A partial word may be the start of a keyword or of a value.
		if partial != "" && !strings.HasPrefix(label, "<") && !strings.HasPrefix(n, partial) {
			continue
		}
		items = append(items, HelpItem{Label: label, Help: describe(n, ctx)})
	}
	if partial != "" {
		complete = false
		if len(items) == 0 {
			return nil, false, errors.New("syntax error")
		}
	}
	return items, complete, nil
}

// describe finds w's line of statementHelp under the first word of ctx
// that has one, else w's own.
func describe(w string, ctx []string) string {
	for i := range ctx {
		if h, ok := statementHelp[ctx[i]+" "+w]; ok {
			return h
		}
	}
	if h, ok := statementHelp[w]; ok {
		return h
	}
	if len(ctx) > 1 && ctx[len(ctx)-1] == "platform" {
		return platformHelp
	}
	return ""
}

// helpLabel is a value form as JunOS lists it: a number is named after
// the statement it follows (`rate ?` lists <rate>), an address <address>.
func helpLabel(w string, ctx []string) string {
	switch {
	case w == "<number>" && len(ctx) > 0 && !strings.HasPrefix(ctx[len(ctx)-1], "<"):
		return "<" + ctx[len(ctx)-1] + ">"
	case w == "A.B.C.D or X:X:X:X::X":
		return "<address>"
	}
	return w
}

// inherits reports whether `?` after ctx offers apply-groups: after set
// at a level that holds statements (containerAt), where the parser takes
// them; not inside a group, which holds no apply-groups.
func (s *Session) inherits(ctx []string) bool {
	if len(ctx) < 2 || ctx[0] != "set" || ctx[1] == "groups" || slices.ContainsFunc(ctx, isApplyWord) {
		return false
	}
	le, container := s.containerAt(0, ctx[1:])
	return le == nil && container
}

// Values reports, for each word of a set line after `set`, whether it
// is an identifier or value (a name, an address, a number, a text) rather
// than a keyword of the grammar: what `replace pattern` may change.
func (s *Session) Values(line string) []bool {
	ws := words(line)
	if len(ws) < 2 {
		return nil
	}
	out := make([]bool, len(ws)-1)
	for i := 1; i < len(ws); i++ {
		items, _, err := s.Help(joinWords(ws[:i]) + " ")
		if err != nil {
			out[i-1] = true
			continue
		}
		keyword := false
		for _, it := range items {
			if it.Label == ws[i] {
				keyword = true
				break
			}
		}
		out[i-1] = !keyword
	}
	return out
}
