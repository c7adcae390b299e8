package build

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDigestCoversBuilder: the digest that -if-stale and the hardware
// tests compare changes when the builder's code changes, not only when the
// programs on the image do; otherwise an image built by an older builder
// (without a version stamp, say) is taken for current.
func TestDigestCoversBuilder(t *testing.T) {
	repo := t.TempDir()
	files := map[string]string{
		"go.mod":                         "module example.com/img\n\ngo 1.22\n",
		"go.sum":                         "",
		"image/kernel.version":           "6.1.0-test-amd64\n",
		"image/modules.list":             "virtio_net\n",
		"image/startup-config.default":   "hostname t\n",
		"image/cmd/flowtapinit/main.go":  "package main\n\nfunc main() {}\n",
		"appliance/cmd/flowtapd/main.go": "package main\n\nfunc main() {}\n",
		"cli/cmd/flowtap/main.go":        "package main\n\nfunc main() {}\n",
		"image/cmd/mkimage/main.go":      "package main\n\nimport _ \"example.com/img/image/build\"\n\nfunc main() {}\n",
		"image/build/build.go":           "package build\n\nconst ldflags = \"-s -w\"\n",
	}
	write := func(name, text string) {
		t.Helper()
		f := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range files {
		write(name, text)
	}
	o := Defaults(repo)
	before, err := InputsDigest(o)
	if err != nil {
		t.Fatal(err)
	}
	write("image/build/build.go", "package build\n\nconst ldflags = \"-s -w -X main.version=v\"\n")
	after, err := InputsDigest(o)
	if err != nil {
		t.Fatal(err)
	}
	if before == after {
		t.Errorf("a change to the image builder's package leaves the inputs digest at %s", before)
	}
	write("image/cmd/mkimage/main.go", files["image/cmd/mkimage/main.go"]+"\n// a comment\n")
	if again, err := InputsDigest(o); err != nil || again == after {
		t.Errorf("a change to mkimage leaves the inputs digest at %s (%v)", after, err)
	}
}
