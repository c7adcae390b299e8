package config

// The login test (an external test, so that it can parse IOS) looks at
// what a login is checked against.
var (
	LoginSecret = Config.loginSecret
	SplitType8  = splitType8
)
