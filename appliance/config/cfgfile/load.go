package cfgfile

import (
	"fmt"
	"os"
	"strings"

	"github.com/flowtap/flowtap/appliance/config"
	"github.com/flowtap/flowtap/appliance/config/ios"
	"github.com/flowtap/flowtap/appliance/config/junos"
)

// Save writes the configuration to path as IOS text, atomically: a crash
// at any point leaves either the old file or the new one, never a mix.
// The file is mode 0600: it holds password hashes and SNMPv3 passphrases.
// What IOS cannot say (JunOS firewall filters, J-Flow names) follows the
// IOS lines, before `end`, as `flowtap junos set ...` lines, so the file
// loads back to the same model whichever dialect configured it.
func Save(path string, c config.Config) error {
	return config.WriteFile(path, []byte(SaveText(c)))
}

// SaveText is the text Save writes.
func SaveText(c config.Config) string {
	text := ios.Render(c)
	ext := junosExtension(c, text)
	if ext == "" {
		return text
	}
	body, ok := strings.CutSuffix(text, "end\n")
	if !ok {
		return text + "!\n" + ext
	}
	return body + ext + "!\nend\n"
}

// Load reads a configuration file: IOS text, or JunOS set lines or brace
// text (see junos.Detect).
func Load(path string) (config.Config, error) {
	return LoadWith(path, nil)
}

// LoadWith is Load resolving host names with r (nil: the configured
// name servers alone).
func LoadWith(path string, r config.Resolver) (config.Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return config.Config{}, fmt.Errorf("config: %w", err)
	}
	return ParseWith(path, src, r)
}

// Parse reads IOS or JunOS text, whichever src is.
func Parse(file string, src []byte) (config.Config, error) {
	return ParseWith(file, src, nil)
}

// ParseWith is Parse resolving host names with r.
func ParseWith(file string, src []byte, r config.Resolver) (config.Config, error) {
	if junos.Detect(src) {
		return junos.ParseWith(file, src, r)
	}
	iosSrc, junosSrc, found := splitJunOS(src)
	c, err := ios.ParseWith(file, iosSrc, r)
	if err != nil || !found {
		return c, err
	}
	return junos.ApplyWith(c, file, junosSrc, r)
}
