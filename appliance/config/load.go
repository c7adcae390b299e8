package config

import (
	"fmt"
	"os"
)

// Save writes the configuration to path as IOS text, atomically: a crash
// at any point leaves either the old file or the new one, never a mix.
// The file is mode 0600: it holds password hashes and SNMPv3 passphrases.
func Save(path string, c Config) error {
	return WriteFile(path, []byte(RenderIOS(c)))
}

// Load reads a configuration file: IOS text, or JunOS set lines or brace
// text (see DetectJunOS).
func Load(path string) (Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return Parse(path, src)
}

// Parse reads IOS or JunOS text, whichever src is.
func Parse(file string, src []byte) (Config, error) {
	if DetectJunOS(src) {
		return ParseJunOS(file, src)
	}
	return ParseIOS(file, src)
}
