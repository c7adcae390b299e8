package cfgfile

import (
	"fmt"
	"os"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// Save writes the configuration to path as IOS text, atomically: a crash
// at any point leaves either the old file or the new one, never a mix.
// The file is mode 0600: it holds password hashes and SNMPv3 passphrases.
func Save(path string, c config.Config) error {
	return config.WriteFile(path, []byte(ios.Render(c)))
}

// Load reads a configuration file: IOS text, or JunOS set lines or brace
// text (see junos.Detect).
func Load(path string) (config.Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return config.Config{}, fmt.Errorf("config: %w", err)
	}
	return Parse(path, src)
}

// Parse reads IOS or JunOS text, whichever src is.
func Parse(file string, src []byte) (config.Config, error) {
	if junos.Detect(src) {
		return junos.Parse(file, src)
	}
	return ios.Parse(file, src)
}
