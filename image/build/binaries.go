package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// binary is one program of ours on the image.
type binary struct {
	Name     string // file name under /bin
	Pkg      string // Go package relative to the repository
	Prebuilt string // a static binary to use instead of building Pkg
	What     string // for messages
}

func (o Options) binaries() []binary {
	return []binary{
		{Name: "flowtapinit", Pkg: o.InitPkg, What: "the image's init helper and supervisor"},
		{Name: "flowtapd", Pkg: o.DaemonPkg, Prebuilt: o.DaemonBin, What: "the daemon (flowtapd --config FILE [--state DIR])"},
		{Name: "flowtap", Pkg: o.CLIPkg, Prebuilt: o.CLIBin, What: "the CLI (flowtap -c \"show ...\")"},
	}
}

// ErrMissingProgram is returned when a program the image must carry does
// not exist yet in the repository.
var ErrMissingProgram = errors.New("program the image carries is missing")

// ImageVersion is the version the image's flowtapd reports (`show
// version`, its start-up log line): the first 12 hex digits of the
// inputs digest, as out/manifest.txt's "inputs" line has it in full. It
// is a function of the sources alone, so equal inputs still give
// byte-identical images, and two images that differ say so.
func ImageVersion(inputsDigest string) string {
	if len(inputsDigest) > 12 {
		inputsDigest = inputsDigest[:12]
	}
	return "image-" + inputsDigest
}

// buildBinaries builds our programs as static linux/amd64 binaries into
// dir and returns name -> file. The daemon is stamped with version.
func buildBinaries(ctx context.Context, o Options, dir, version string) (map[string]string, error) {
	out := map[string]string{}
	var missing []error
	for _, b := range o.binaries() {
		if b.Prebuilt != "" {
			if _, err := os.Stat(b.Prebuilt); err != nil {
				return nil, fmt.Errorf("prebuilt %s: %w", b.Name, err)
			}
			out[b.Name] = b.Prebuilt
			continue
		}
		if !hasGoFiles(filepath.Join(o.Repo, b.Pkg)) {
			missing = append(missing, fmt.Errorf("%w: %s, %s, does not exist yet (no Go files in %s); "+
				"build the image once it lands, or pass a prebuilt static binary with -%s-bin FILE",
				ErrMissingProgram, b.Pkg, b.What, filepath.Join(o.Repo, b.Pkg), b.Name))
			continue
		}
		file := filepath.Join(dir, b.Name)
		env := []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64"}
		ldflags := "-ldflags=-s -w -buildid="
		if b.Pkg == o.DaemonPkg {
			ldflags += " -X main.version=" + version
		}
		if _, err := command(ctx, o.Log, o.Repo, env, "go", "build", "-trimpath", "-buildvcs=false",
			ldflags, "-o", file, b.Pkg); err != nil {
			return nil, fmt.Errorf("build %s: %w", b.Name, err)
		}
		out[b.Name] = file
	}
	if len(missing) > 0 {
		return nil, errors.Join(missing...)
	}
	return out, nil
}

func hasGoFiles(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(m) > 0
}
