package config

// JunOSText is the part of a JunOS configuration that is text rather
// than settings: statements kept but not applied (`inactive:`),
// `/* annotations */`, `groups` and where they apply. The settings the
// engines read (the rest of Config) are the active statements with the
// groups' statements inherited into them; package junos keeps this in
// step and renders it. Statements are held as their set lines without
// the `set` word, words quoted as JunOS displays them.
type JunOSText struct {
	// Inactive are the deactivated statements, in deactivation order.
	Inactive []JunOSInactive
	// Notes are `annotate` comments, one per statement.
	Notes []JunOSNote
	// Groups are the statements under `groups`: "NAME statement...",
	// in configuration order ("NAME" alone is an empty group).
	Groups []string
	// Apply are the `apply-groups` and `apply-groups-except` lists,
	// one per hierarchy level and kind.
	Apply []JunOSApply
	// Inherited are the set lines the groups gave the settings that no
	// local statement says (what `display inheritance` adds), with the
	// group each came from. Filled when a candidate is committed.
	Inherited []JunOSInherited
	// Filled are local statements that hold only what groups give
	// them (an interface named alone that a group samples): the
	// settings show them only through the inherited lines, so they are
	// kept here to be shown as themselves.
	Filled []string
}

// JunOSInactive is one deactivated statement: its path (the words that
// name it, "forwarding-options sampling input") and the set lines of
// everything it held, applied again by `activate`.
type JunOSInactive struct {
	Path  string
	Lines []string
}

// JunOSNote is `annotate`: the text shown as `/* Text */` above the
// statement Path names.
type JunOSNote struct {
	Path string
	Text string
}

// JunOSApply is `apply-groups [ G... ]` (Except false) or
// `apply-groups-except [ G... ]` at the hierarchy level Path ("" is the
// top).
type JunOSApply struct {
	Path   string
	Groups []string
	Except bool
}

// JunOSInherited is one statement a group gave the settings.
type JunOSInherited struct {
	Line  string
	Group string
}
