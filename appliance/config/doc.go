// Package config is flowtap's one configuration model: every management
// interface (the IOS and JunOS CLIs, startup-config files, the SNMP
// agent) edits a Config, and the daemon applies the Diff between the old
// and the new one live. This package holds the model, its validation
// (Normalize), Diff and atomic writes (WriteFile); it speaks no dialect.
//
// The dialects live beside it, each with its parser, renderer and `?`
// help: config/ios (IOS text, `show running-config`) and config/junos
// (`set` lines and brace text). config/cfgfile reads and writes files in
// either dialect (Load, Parse, Salvage, Save); config/internal/grammar is
// the word cursor and error blame both dialects share.
//
// Values are checked against the platform persona the configuration
// names (`platform NAME`, `set flowtap platform NAME`), which decides the
// ranges, the defaults, the rounding and which commands exist: the router
// and cflowd age with `ip flow-cache timeout`, a Catalyst with `mls
// aging`; `mls` is invalid input on the router. A zero field is the
// persona's default and Normalize stores a typed default as zero, so that
// the renderings leave defaults out as IOS does.
//
// A refusal is a *FieldError naming the model path; the dialects turn it
// into a *LineError that names the file, the line and the word. Normalize
// is the one check of an operator's values: the daemon's derivation
// (daemon.SettingsFrom) resolves defaults from a normalized model without
// checking again.
//
// The model speaks its own words (model_vocab.go: capture fields,
// top-talkers match) and platform's, which the engines share (mask,
// export version, aggregation scheme, AS mode, sort-by, sampling); it
// imports no engine, and
// TestModelSpeaksItsOwnWords keeps it so. The derivation maps the words to
// the engines' types.
//
// Secrets are IOS password hashes: type 8 (PBKDF2-HMAC-SHA-256, 20000
// rounds, see Secret), or type 5 (MD5-crypt) or 9 (scrypt) kept as a
// pasted line gave them; a clear-text `secret` or a type 7 `password` is
// hashed as type 8 on input, so nothing reversible is kept. SNMPv3 passphrases
// are kept as typed, because the agent localizes keys from them.
package config
