package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
)

// restrictSecrets makes the startup-config and the state directory root's
// alone again when others could read them: the config holds the
// communities in clear, the SNMP users' keys and the password hashes, the
// state directory the SSH host key. A config copied in by hand or a
// restore that lost the modes left them readable by every local user
// until the next `write memory`. What was found is logged: whether
// someone read them meanwhile only the operator can judge.
func restrictSecrets(startup, state string, log *slog.Logger) {
	restrict(startup, 0o600, "startup-config", log)
	restrict(state, 0o700, "state directory", log)
}

func restrict(path string, mode fs.FileMode, what string, log *slog.Logger) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode().Perm()&0o077 == 0 {
		return
	}
	if err != nil {
		log.Warn("cannot check who may read the "+what, "path", path, "err", err)
		return
	}
	if err := os.Chmod(path, mode); err != nil {
		log.Error("the "+what+" is readable by others and cannot be restricted", "path", path, "mode", fi.Mode().Perm().String(), "err", err)
		return
	}
	log.Warn("the "+what+" was readable by others: restricted it", "path", path, "was", fi.Mode().Perm().String(), "now", mode.String())
}
