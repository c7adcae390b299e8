package ios

import "github.com/flowtap/flowtap/appliance/config"

// archive is `archive`: the mode holding ` log config`. `no archive`
// drops the configuration logger.
func (x *cmd) archive() {
	x.archiveEnter(modeArchive)
}

// archiveEnter ends an `archive` or `log config` line: it opens mode m,
// or, negated, drops the configuration logger.
func (x *cmd) archiveEnter(m modeKind) {
	x.c.End()
	if x.c.Err != nil {
		return
	}
	if x.neg {
		x.cfg.Archive = config.ArchiveLog{}
		return
	}
	x.open(m, "")
}

// archiveMode is `log config` under `archive`; IOS's path, maximum and
// write-memory (configuration archives) are not kept by flowtap.
func (x *cmd) archiveMode() {
	if _, ok := x.subMode("log"); !ok {
		return
	}
	x.c.Keyword("config")
	x.archiveEnter(modeArchiveLog)
}

// archiveLogMode is the configuration logger's settings: `logging
// enable`, `logging size N`, `notify syslog [contenttype plaintext]` and
// `hidekeys`.
func (x *cmd) archiveLogMode() {
	k, ok := x.subMode("hidekeys", "logging", "notify")
	if !ok {
		return
	}
	a := &x.cfg.Archive
	switch k {
	case "hidekeys":
		x.c.End()
		a.HideKeys = !x.neg
	case "logging":
		if x.c.Keyword("enable", "size") == "enable" {
			x.c.End()
			a.Enabled = !x.neg && x.c.Err == nil
			return
		}
		if x.neg {
			x.c.Skip()
			a.Size = 0
			return
		}
		n := x.c.Uint(1, config.MaxArchiveLogSize)
		x.c.End()
		a.Size = int(n)
		x.touch("archive.log-size")
	case "notify":
		x.c.Keyword("syslog")
		if x.c.OptKeyword("contenttype") != "" {
			x.c.Keyword("plaintext")
		}
		x.c.End()
		a.NotifySyslog = !x.neg && x.c.Err == nil
	}
}

// renderArchive writes the configuration logger as IOS shows it.
func renderArchive(r *iosWriter, a config.ArchiveLog) {
	if a == (config.ArchiveLog{}) {
		return
	}
	r.line("archive")
	r.line(" log config")
	if a.Enabled {
		r.line("  logging enable")
	}
	if a.Size != 0 {
		r.line("  logging size %d", a.Size)
	}
	if a.NotifySyslog {
		r.line("  notify syslog contenttype plaintext")
	}
	if a.HideKeys {
		r.line("  hidekeys")
	}
}
