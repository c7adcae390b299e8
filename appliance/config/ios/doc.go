// Package ios is the IOS dialect of the configuration model: Session
// applies lines one at a time as `configure terminal` does (`no` forms
// included, Help gives the `?` answer of a partial line), Parse and Apply
// read a whole file, Render and RunningConfig write `show running-config`,
// RenderDiff is `show archive config differences`. Feeding a rendering
// back yields an Equal config.Config.
//
// Errors name the file, the line and the word, then print the line as the
// dialect's CLI does: the caret under the refused word and "% Invalid
// input detected at '^' marker.", "% Incomplete command.", "% Ambiguous
// command: ..." (JunOS: "syntax error.", "'x' is ambiguous.", "error:
// value N is not within range (a..b)"). LineError.Expected holds what
// could have followed, the `?` help of that point; keywordHelp
// (ios_help_text.go) gives each keyword and each value position its line
// of help (positionalHelp, where only the place tells what a value is),
// and a grammar word added without one fails TestHelpDescribesEveryKeyword. Keywords may be
// abbreviated to any unique prefix in both dialects.
//
// flowtap extensions, under keywords the vendors do not use:
//
//	platform NAME                                  the persona (always shown)
//	interface X / flowtap verdict passive|inline   tap port or inline port
//	interface X / flowtap xdp-mode best|native|generic|offload
//	ip flow-export destination A P [version V] [source-address S] [origin-as|peer-as]
//	        [truncate N] [crypto-pan KEY]          what this collector may see: IPv4
//	                                               addresses cut to /N (Internet2: 21),
//	                                               Crypto-PAn pseudonyms (KEY: 64 hex
//	                                               digits or a passphrase)
//	flowtap application-class NAME protocol P [port N|N-M ...]
//	                                               an application class; first match
//	                                               wins; the default list is Internet2's
//	flowtap application-class none                 start the list from empty
//	no flowtap application-class [NAME]            remove one; without NAME, the default
//	flowtap prefix-as-file PATH                    routes for origin-as/peer-as
//	flowtap as-mode origin|peer                    which AS of those routes
//	flowtap junos set ...                          in a saved file only (package cfgfile):
//	                                               a JunOS set line for what IOS cannot say
//	                                               (firewall filters, J-Flow names)
//	flowtap sampling rate N [run-length N] [max-packets-per-second N]
//	                                               JunOS sampling input, in IOS words
//	flowtap tap NAME                               a passive tap's link, its own interface
//	 fibre a|b PORT                                A: input on the link, B: output on it
//	 ifindex N                                     the link's ifIndex (default 64000 + position)
//	ip flow-export destination A P ... biflow      RFC 5103 biflows (IPFIX only)
//	interface P.N [/ encapsulation dot1Q V]        VLAN N (or V) on port P as its own
//	                                               interface (ifIndex 63000 + position)
//	username NAME ssh-key TYPE BASE64              an authorized SSH key
//	ip flow-cache overload-protection [threshold PCT] [max-rate N] [interval S] [budget NS]
//	                                               adaptive sampling while the cache
//	                                               refuses new flows (appliance/overload);
//	                                               JunOS: forwarding-options sampling
//	                                               overload-protection
//
// Access lines, as on IOS (the CLI and the SSH server apply them):
//
//	username NAME privilege N secret ...           the user's starting level
//	enable secret ...                              what `enable` asks for
//	privilege exec level N COMMAND                 COMMAND needs level N
//	privilege exec reset COMMAND                   back to its default level
//	privilege configure|interface level N COMMAND  a configuration command (global or
//	                                               interface mode) for level N and up
//	line con 0 / login local | login               the console asks for a login | its password
//	 password [0|7] X, privilege level N           the line password (kept as IOS keeps it:
//	                                               shown in clear, or type 7) and its starting level
//	service password-encryption                    line and enable passwords shown as type 7
//	enable password [0|7] X                        checked by enable while no enable secret is set
//	line vty 0 N / login local | login             local users (the default) | the line's
//	 password [0|7] X                              password, any user name (none set: SSH refused)
//	 transport input ssh|all|telnet ssh|none       none refuses SSH; telnet alone refused
//	 transport output none                         the only output form
//	 privilege level N                             the level a user without its own starts at
//	line vty A B (A > 0)                           may only repeat line vty 0's settings:
//	                                               flowtap has one for every line
//	logging host A [transport udp port N]          vrf and tcp refused with the reason
//	logging trap|buffered [SIZE] LEVEL, logging facility F, logging source-interface IF
//	ntp server A [prefer]                          prefer: asked before the others
//	login block-for S attempts N within T          per-source quiet mode
//	login on-failure log [every N]                 log failed logins (each Nth); off by default
//	login on-success log [every N]                 log successful logins (each Nth); off by default
//	archive / log config                           the configuration logger (off by default):
//	  logging enable                               keep each command with its user and line
//	  logging size N                               entries kept, 1-1000 (default 100)
//	  notify syslog [contenttype plaintext]        also log %PARSER-5-CFGLOG_LOGGEDCMD
//	  hidekeys                                     accepted; secrets are always masked
//	set flowtap platform NAME                      the persona, in JunOS
//
// The clock and log stamps, as on IOS (the daemon applies them to `show
// clock`, wall-clock columns and log messages):
//
//	clock timezone NAME HOURS [MINUTES]            standard time, east of UTC
//	clock summer-time NAME recurring [WEEK DAY MONTH HH:MM WEEK DAY MONTH HH:MM [OFFSET]]
//	                                               yearly summer time (US rules by default)
//	service timestamps log datetime [msec] [localtime] [show-timezone] [year]
//	service timestamps log uptime | no service timestamps log
//	service timestamps debug ...                   the same words for debug messages (flowtap emits
//	                                               none: kept, saved and applied to severity 7)
//	service timestamps                             is service timestamps debug uptime, as on IOS
//
// Cisco's NetFlow Input Filters (MQC), as on IOS 12.3(4)T and later:
//
//	class-map [match-all|match-any] C              traffic of one class
//	 match access-group N | name ACL               (match-all: every list permits)
//	policy-map P
//	 class C | class-default                       in order; class-default last
//	  netflow-sampler MAP                          meter the class through MAP;
//	                                               a class without it is not metered
//	interface X / service-policy input P           apply P (not with flow-sampler
//	                                               or ip flow ingress input-filter)
//
// flowtap's older `ip flow ingress input-filter ACL` stays, as an
// extension: one list, permit meters through the port's sampler.
//
// IPv6 access lists, as IOS writes them, for class maps and for the
// extension `ipv6 flow ingress input-filter NAME`:
//
//	ipv6 access-list NAME
//	 [sequence N] permit|deny ipv6|tcp|udp|icmp|<0-255> SRC [PORTS] DST [PORTS]
//	                                               SRC/DST: any | host X:X::X | X:X::X/LEN
//
// IOS-XE's Flexible NetFlow (ios_fnf.go), folded into the one main cache
// by config.Effective:
//
//	flow record NAME
//	 description LINE
//	 match ipv4|ipv6 source|destination address, ipv4 protocol|tos, ...
//	 collect counter bytes|packets [long], timestamp sys-uptime first|last, ...
//	flow exporter NAME
//	 destination ADDR / source IFNAME / transport udp PORT
//	 export-protocol netflow-v5|netflow-v9|ipfix / template data timeout S
//	 option interface-table|sampler-table [timeout S]
//	flow monitor NAME
//	 exporter NAME / cache timeout active|inactive S / cache entries N
//	 record NAME|netflow ipv4|ipv6 original-input|netflow-original
//	sampler NAME
//	 mode deterministic|random 1 out-of N
//	interface IF
//	 ip|ipv6 flow monitor NAME [sampler NAME] input|output
//
// A file at boot is read with Salvage: every good line applies and the
// refused ones are returned, as a router does. A router's commands
// flowtap does not carry out (ios_foreign.go: routing, AAA, boot, crypto,
// port addresses) are refused with the reason, not a bare marker.
package ios
