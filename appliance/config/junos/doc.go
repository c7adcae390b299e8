// Package junos is the JunOS dialect of the configuration model: Session
// collects `set` and `delete` lines into a candidate that Commit checks,
// Parse and Apply read set lines or brace text (Detect tells them from
// IOS text), RenderSet writes `show configuration | display set`, Render
// brace text and RenderDiff `show | compare`. JunOS says less than IOS:
// Unmapped lists what its renderings leave out, and JunOS lines applied
// onto a model keep those parts. Errors are JunOS's ("syntax error.",
// "'x' is ambiguous.", "error: value N is not within range (a..b)",
// "syntax error, expecting <statement>."). Session.Help is `?`: the words
// the parser offers at the end of a line, described by statementHelp,
// which a test keeps complete by walking the whole grammar.
//
// Syslog (junos_syslog.go): `system syslog host A any LEVEL | port N |
// facility-override localN` are the model's logging hosts, their
// `transport udp port`, each host's own level (a host without one takes
// the first host's, IOS's logging trap; the IOS text says the others as
// `flowtap logging host A level L`) and the model's one facility,
// which every host shows; a facility that would differ between hosts is
// refused with that reason, and deleting the last host takes the level
// and facility along.
//
// Logins (junos_login.go): `system login user NAME class super-user|
// read-only` is the user's privilege 15 or 1, `... authentication
// encrypted-password "HASH"` its secret; flowtap verifies MD5 crypt
// ($1$, JunOS's own), type 8 ($8$) and IOS type 9 ($9$) hashes, so
// SHA-256/512 crypt ($5$, $6$) are refused with that reason. `system services ssh` is IOS `transport input ssh`, and
// deleting or deactivating it `transport input none`; a configuration
// that does not name it leaves SSH on, flowtap's default. SSH refused is
// rendered as the statement deactivated (`inactive: ssh;`, in `display
// set` its set line then `deactivate system services ssh`), so that it
// shows where a deleted statement would not.
//
// Loads (junos_load.go, junos_patch.go): Load merges (a `replace:` tag
// ignored), LoadReplace first deletes each statement tagged `replace:`,
// OverrideBase is what `load override` starts from, and Patch applies
// `show | compare` output hunk by hunk, a *PatchError naming the first
// hunk that does not apply.
//
// Text beside the settings (junos_text.go, junos_textrender.go,
// config.JunOSText): `deactivate STATEMENT` takes the statement's set
// lines out of the settings and keeps them (config.JunOSInactive),
// refused when the grammar's delete would take more than those lines;
// `activate` applies them again, and set or delete inside an inactive
// statement edits what is kept. `annotate STATEMENT "text"` keeps a
// note shown as `/* text */` above the statement (display set leaves
// notes out, as Junos does; SaveText writes them as annotate lines).
// `groups NAME STATEMENT` keeps the statement as text (a `<*>`/`<eth*>`
// wildcard checked as a plain name); `apply-groups` and
// `apply-groups-except` are kept per level. The session's candidate
// holds the local statements; expand (at Commit and Candidate) applies
// the groups' statements under them, lowest priority first (a deeper
// level over the top, the first group listed over the next), a
// wildcard matching the names the local statements and the groups'
// statements have, and records
// which lines only the groups gave (Inherited: left out of show,
// RenderInheritance puts them back with Junos's `##` lines) and which
// local statements they filled (Filled: `eth1;` still shows). A
// session started from a committed configuration with inherited lines
// rebuilds its local statements from SaveText over OverrideBase. A
// pasted configuration's `version X;` is taken and not kept: Junos
// writes its own on commit.
//
// JunOS keys a flow-server by its address alone; flowtap keys it by
// address and port, so that one host can take several collectors:
// `flow-server A port P ...` names the server (A, P), creating it when
// new, and `flow-server A version 9` (no port) applies to the one server
// at A, refused when A has several. `display set` writes the port before
// the options of a server that shares its address. autonomous-system-type
// is per server (Destination.AS); IOS `ip flow-export version 9
// origin-as` is every server's unless one says otherwise.
//
// Application classes, a flowtap extension, are a leaf-list per class:
// `set flowtap application-class NAME protocol P`, `... NAME port N|N-M`
// once per port, `set flowtap application-class none` to start from an
// empty list instead of Internet2's.
//
// A flow-server takes flowtap's `truncate N` (IPv4 addresses cut to /N)
// and `crypto-pan KEY` (prefix-preserving pseudonyms) for what that
// collector may see, as IOS's `ip flow-export destination` does.
//
// A passive tap (IOS `flowtap tap NAME`): `set flowtap tap NAME fibre-a
// PORT`, `... fibre-b PORT`, `... ifindex N`. A flow-server's `biflow`
// (flowtap's) asks an IPFIX server for RFC 5103 biflows.
//
// cflowd aggregation: `flow-server A port P version 8` with `aggregation
// TYPE` (autonomous-system, destination-prefix, protocol-port,
// source-destination-prefix, source-prefix) makes A:P an export
// destination of the TYPE aggregation cache (IOS `ip flow-aggregation
// cache SCHEME`); Commit folds the version 8 server into the caches that
// name it, so it takes no main-cache flows, whatever the order of the
// lines. A cache JunOS cannot say (version 9, the ToS schemes) is left
// to Unmapped.
//
// Inline J-Flow (junos_jflow.go): `services flow-monitoring version9|
// version-ipfix template NAME`, `forwarding-options sampling instance
// NAME ...`, a flow-server's `version9|version-ipfix template NAME`,
// `output inline-jflow source-address A` and `chassis fpc N
// sampling-instance NAME` keep their names in config.JFlow; Commit folds
// the templates the servers use into Cache, Export and each server's
// version (while any server uses a template, what no template sets is
// the default), refusing two templates in use that disagree, and refusing an
// FPC binding that names no configured instance.
package junos
