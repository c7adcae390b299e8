package hwtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakeHelpListsEveryTarget: `make help` is what a new operator types
// first, so every target the Makefiles declare phony (but the internal
// ones) must have its line there, and every line must name a real target.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	phony := map[string]bool{}
	for _, f := range []string{"Makefile", "mk/image.mk"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindAllStringSubmatch(string(b), -1) {
			for _, name := range strings.Fields(m[1]) {
				phony[name] = true
			}
		}
	}
	cmd := exec.Command("make", "-s", "help")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+make ([a-z-]+)\s`).FindAllStringSubmatch(string(out), -1) {
		listed[m[1]] = true
		if !phony[m[1]] {
			t.Errorf("make help lists %q, which no .PHONY line declares", m[1])
		}
	}
	internal := map[string]bool{"all": true, "help": true, "image-deps": true}
	for name := range phony {
		if !internal[name] && !listed[name] {
			t.Errorf("make help does not list the target %q", name)
		}
	}
}
