package build

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ManifestFile in Out describes the last build; its "inputs" line is the
// digest Fresh compares.
const ManifestFile = "manifest.txt"

// Image file names in Out.
const (
	KernelFile    = "vmlinuz"
	InitramfsFile = "initramfs.cpio.gz"
)

// BuilderPkg is the image builder itself (mkimage, this package): how the
// image is put together is an input too, so a change to it (a flag given
// to go build, what /etc/flowtap holds) rebuilds an image that is
// otherwise current.
const BuilderPkg = "./image/cmd/mkimage"

// InputsDigest hashes everything a build reads: the Go files (and embedded
// files, such as the BPF objects) of our three programs, of the builder
// (BuilderPkg) and of the packages of this module they import, go.mod and
// go.sum, image/kernel.version,
// image/modules.list, the default config, the u-root version and
// commands, and any prebuilt binaries. Files nothing on the image uses do
// not count, so that work elsewhere in the tree does not force a rebuild.
func InputsDigest(o Options) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "u-root %s %s\n", URootVersion, strings.Join(o.Commands, " "))
	fmt.Fprintf(h, "pkgs %s %s %s\n", o.DaemonPkg, o.CLIPkg, o.InitPkg)
	files := map[string]string{} // name in the digest -> file
	for _, f := range []string{"go.mod", "go.sum", o.kernelVersionFile(), o.modulesListFile(), o.defaultConfigFile()} {
		if !filepath.IsAbs(f) {
			f = filepath.Join(o.Repo, f)
		}
		files[f] = f
	}
	pkgs := []string{o.InitPkg, BuilderPkg}
	if o.DaemonBin == "" {
		pkgs = append(pkgs, o.DaemonPkg)
	} else {
		files["prebuilt flowtapd"] = o.DaemonBin
	}
	if o.CLIBin == "" {
		pkgs = append(pkgs, o.CLIPkg)
	} else {
		files["prebuilt flowtap"] = o.CLIBin
	}
	src, err := sourceFiles(o.Repo, pkgs)
	if err != nil {
		return "", err
	}
	for _, f := range src {
		files[f] = f
	}
	for _, name := range sortedKeys(files) {
		label := name
		if rel, err := filepath.Rel(o.Repo, name); err == nil && !strings.HasPrefix(rel, "..") {
			label = rel
		}
		if err := hashFile(h, label, files[name]); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sourceFiles lists the Go and embedded files of pkgs and of every package
// of the main module they import. A package that does not exist yet adds
// nothing (the build reports it).
func sourceFiles(repo string, pkgs []string) ([]string, error) {
	cmd := exec.Command("go", append([]string{"list", "-e", "-deps", "-f",
		`{{if .Module}}{{if .Module.Main}}{{range .GoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{end}}{{end}}`},
		pkgs...)...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("digest inputs: go list %v: %w", pkgs, err)
	}
	var files []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			files = append(files, l)
		}
	}
	return files, nil
}

func hashFile(h io.Writer, name, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("digest inputs: %w", err)
	}
	defer f.Close()
	fmt.Fprintf(h, "file %s\n", name)
	_, err = io.Copy(h, f)
	return err
}

// Fresh tells whether Out holds an image built from the current inputs.
func Fresh(o Options) (bool, error) {
	want, err := InputsDigest(o)
	if err != nil {
		return false, err
	}
	for _, f := range []string{KernelFile, InitramfsFile} {
		if _, err := os.Stat(filepath.Join(o.Out, f)); err != nil {
			return false, nil
		}
	}
	return manifestValue(filepath.Join(o.Out, ManifestFile), "inputs") == want, nil
}

// manifestValue returns the value of a "key value" line, or "".
func manifestValue(file, key string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}
