// Package config is flowtap's one configuration model: every management
// interface (the IOS and JunOS CLIs, startup-config files, the SNMP
// agent) edits a Config, and the daemon applies the Diff between the old
// and the new one live.
//
// A Config is read from IOS-style text (ParseIOS, ApplyIOS, or an
// IOSSession line by line, `no` forms included) or from JunOS `set` and
// `delete` lines and brace text (ParseJunOS, ApplyJunOS, JunOSSession).
// It is written as `show running-config` (RunningConfig, RenderIOS), as
// `show configuration | display set` (RenderJunOSSet) and as brace text
// (RenderJunOS); feeding any of them back yields an Equal Config. JunOS
// says less than IOS: JunOSUnmapped lists what its renderings leave out,
// and JunOS lines applied onto a model keep those parts. Save and Load
// keep the model on disk as IOS text, written atomically.
//
// Values are checked against the platform persona the configuration
// names (`platform NAME`, `set flowtap platform NAME`), which decides the
// ranges, the defaults, the rounding and which commands exist: the router
// and cflowd age with `ip flow-cache timeout`, a Catalyst with `mls
// aging`; `mls` is invalid input on the router. A zero field is the
// persona's default and Normalize stores a typed default as zero, so that
// the renderings leave defaults out as IOS does.
//
// Errors name the file, the line and the word, then print the line as the
// dialect's CLI does: the caret under the refused word and "% Invalid
// input detected at '^' marker.", "% Incomplete command.", "% Ambiguous
// command: ..." (JunOS: "syntax error.", "'x' is ambiguous.", "error:
// value N is not within range (a..b)"). LineError.Expected holds what
// could have followed, the `?` help of that point. Keywords may be
// abbreviated to any unique prefix in both dialects.
//
// flowtap extensions, under keywords the vendors do not use:
//
//	platform NAME                                  the persona (always shown)
//	interface X / flowtap verdict passive|inline   tap port or inline port
//	interface X / flowtap xdp-mode best|native|generic|offload
//	ip flow-export destination A P [version V] [source-address S] [origin-as|peer-as]
//	flowtap prefix-as-file PATH                    routes for origin-as/peer-as
//	flowtap as-mode origin|peer                    which AS of those routes
//	flowtap sampling rate N [run-length N] [max-packets-per-second N]
//	                                               JunOS sampling input, in IOS words
//	username NAME ssh-key TYPE BASE64              an authorized SSH key
//
// Access lines, as on IOS (the CLI and the SSH server apply them):
//
//	username NAME privilege N secret ...           the user's starting level
//	enable secret ...                              what `enable` asks for
//	privilege exec level N COMMAND                 COMMAND needs level N
//	privilege exec reset COMMAND                   back to its default level
//	line con 0 / login local                       the console asks for a login
//	login block-for S attempts N within T          per-source quiet mode
//	set flowtap platform NAME                      the persona, in JunOS
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
// A startup-config at boot is read with Salvage: every good line applies
// and the refused ones are returned, as a router does; Parse and Load
// apply nothing when anything is wrong (SIGHUP, copy).
//
// Secrets are IOS type 8 hashes (PBKDF2-HMAC-SHA-256, 20000 rounds, see
// Secret); a clear-text `secret` is hashed on input. SNMPv3 passphrases
// are kept as typed, because the agent localizes keys from them.
package config
