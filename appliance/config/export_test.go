package config

import "github.com/flowtap/flowtap/internal/syncfile"

// The external tests (they parse and save through the dialects) look at
// what a login is checked against and at a save stopped before its
// rename.
var (
	LoginSecret = Config.loginSecret
	SplitType8  = splitType8
	MD5Crypt    = md5Crypt
	SecretTypes = Config.secretTypes
	WriteTemp   = syncfile.WriteTemp
)
