package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/cfgfile"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/daemon"
	"github.com/flowtap/flowtap/appliance/platform"
)

// reloadStartup applies the startup-config on SIGHUP. Unlike boot, a file
// with bad lines changes nothing: the box runs a configuration that
// works, and part of a new one could take away what the operator relies
// on (a user, a community). Each bad line is logged.
func reloadStartup(f flags, m *daemon.Manager, running *runningCopy, hosts config.Resolver, log *slog.Logger) {
	sum := startupSum(f.config)
	c, err := cfgfile.LoadWith(f.config, hosts)
	if err == nil {
		err = m.Apply(c)
		if err == nil {
			running.setStartup(sum, m.Config())
			log.Info("startup-config applied (SIGHUP)", "file", f.config)
			return
		}
	}
	var es config.Errors
	if errors.As(err, &es) {
		reportLines(log, "startup-config line refused (SIGHUP)", es)
	}
	log.Error("reload startup-config: running config unchanged", "file", f.config, "err", firstLine(err))
}

// bootConfig picks the configuration to start with: the running copy a
// crashed daemon left, if the startup-config is the one it ran from;
// otherwise the startup-config, every good line of it.
func bootConfig(f flags, running *runningCopy, hosts config.Resolver, log *slog.Logger) config.Config {
	sum := startupSum(f.config)
	prev, prevSum, err := running.load()
	switch {
	case err == nil && prevSum == sum:
		log.Warn("restoring the running config of the previous daemon, which did not stop in order", "file", f.running)
		running.setStartup(sum, prev)
		return prev
	case err == nil:
		log.Warn("the startup-config changed since the previous daemon read it: starting from it, not from that daemon's running config",
			"file", f.config, "running-copy", f.running)
	case !errors.Is(err, os.ErrNotExist):
		log.Error("the previous daemon's running config does not load: starting from the startup-config", "file", f.running, "err", firstLine(err))
	}
	cfg, skipped, err := cfgfile.LoadSalvageWith(f.config, hosts)
	switch {
	case errors.Is(err, os.ErrNotExist):
		log.Warn("no startup-config: running the default configuration", "file", f.config)
	case err != nil:
		log.Error("startup-config cannot be read: running the default configuration", "file", f.config, "err", err)
	case len(skipped) > 0:
		reportLines(log, "startup-config line skipped", skipped)
		log.Error("startup-config applied without its bad lines", "file", f.config, "skipped", len(skipped))
	}
	running.setStartup(sum, cfg)
	return cfg
}

// reportLines logs each refused line: where, the line, and why.
func reportLines(log *slog.Logger, msg string, es config.Errors) {
	for _, e := range es {
		var le *config.LineError
		if !errors.As(e, &le) {
			log.Error(msg, "reason", firstLine(e))
			continue
		}
		// The line goes to show logging and the syslog hosts: a refused
		// secret's hash is masked as in every other log.
		log.Error(msg, "at", fmt.Sprintf("%s:%d", le.File, le.Line), "line", ios.HideKeys(strings.TrimSpace(le.Text)), "reason", lineReason(le))
	}
}

// lineReason is why a line was refused, in words.
func lineReason(le *config.LineError) string {
	if le.Reason != "" {
		return le.Reason
	}
	switch le.Kind {
	case config.ErrIncomplete:
		return "incomplete command"
	case config.ErrAmbiguous:
		return fmt.Sprintf("ambiguous command at %q", le.Word)
	}
	if le.Word != "" {
		return fmt.Sprintf("invalid input at %q", le.Word)
	}
	return "invalid input"
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// runnable is cfg made to run when its settings cannot be derived: the
// prefix-as table left out first, then everything but management (users,
// SNMP, SSH, logging) as a last resort, so the operator can log in and
// fix it.
func runnable(cfg config.Config, err error, log *slog.Logger) config.Config {
	if cfg.PrefixAS.File != "" {
		c := cfg.Clone()
		c.PrefixAS = config.PrefixAS{}
		if _, err2 := daemon.SettingsFrom(c); err2 == nil {
			log.Error("skipped: the prefix-to-AS table does not load; records carry no AS numbers", "err", err)
			return c
		}
	}
	// Management only: what concerns metering and export goes, the
	// rest (users, SNMP, SSH, lines, logging ...) stays.
	c := cfg.Clone()
	c.Cache, c.Sampling, c.NDE, c.Samplers, c.Interfaces = config.Cache{}, platform.Sampling{}, false, nil, nil
	c.Export, c.Aggregations, c.TopTalkers, c.Capture, c.PrefixAS = config.Export{}, nil, config.TopTalkers{}, 0, config.PrefixAS{}
	if n, nerr := config.Normalize(c); nerr == nil {
		if _, serr := daemon.SettingsFrom(n); serr == nil {
			log.Error("the configuration cannot run: running with management access only", "err", err)
			return n
		}
	}
	log.Error("the configuration cannot run: running the default configuration", "err", err)
	return config.Config{}
}
