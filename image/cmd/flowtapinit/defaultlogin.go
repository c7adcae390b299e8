package main

import (
	"os"
	"strings"
)

// defaultLogins returns the users of the startup-config cfg that still
// have the secret the built-in default config (def) gives them: the same
// `username NAME ... secret ...` line, hash and all. Its password is in
// the image's documentation, so anyone who reaches SSH can log in with
// it until the operator sets another and saves (a new secret is a new
// hash, even for the same password).
func defaultLogins(cfg, def string) []string {
	d, err := os.ReadFile(def)
	if err != nil {
		return nil
	}
	c, err := os.ReadFile(cfg)
	if err != nil {
		return nil
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(c), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var users []string
	for _, l := range strings.Split(string(d), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "username" || !strings.Contains(l, " secret ") || !have[strings.TrimSpace(l)] {
			continue
		}
		users = append(users, f[1])
	}
	return users
}

// warnDefaultLogins says on the console, at every boot, which users can
// still log in with the documented default password, and how to change it.
func warnDefaultLogins(log *logger, cfg, def string) {
	for _, u := range defaultLogins(cfg, def) {
		log.Warnf("config: warning: user %s has the built-in default password (in the image's documentation): "+
			"anyone who reaches SSH can log in as %s; set your own with `username %s privilege 15 secret NEW` and `write memory`", u, u, u)
	}
}
