package build

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// urootSource returns the directory of u-root's source in the module
// cache, downloading it through the Go module proxy if needed.
func urootSource(ctx context.Context, o Options) (string, error) {
	out, err := command(ctx, o.Log, os.TempDir(), []string{"GOWORK=off", "GO111MODULE=on"},
		"go", "mod", "download", "-json", "github.com/u-root/u-root@"+URootVersion)
	if err != nil {
		return "", fmt.Errorf("fetch u-root %s: %w", URootVersion, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", fmt.Errorf("go mod download u-root: %w", err)
	}
	if m.Error != "" || m.Dir == "" {
		return "", fmt.Errorf("go mod download u-root %s: %s", URootVersion, m.Error)
	}
	return m.Dir, nil
}

// urootArchive builds the initramfs (uncompressed newc cpio) with u-root
// (its source with urootPatches applied): its init and commands as one
// busybox binary, /bin/uinit pointing at flowtapinit, and our files. u-root zeroes mtimes and inode numbers in
// the archive, and builds with -trimpath and an empty build id.
func urootArchive(ctx context.Context, o Options, cpio string, files map[string]string) error {
	src, err := urootSource(ctx, o)
	if err != nil {
		return err
	}
	if src, err = patchedURoot(ctx, o, src); err != nil {
		return err
	}
	// gosh's line editor: liner, not bubbline, which queries the terminal
	// for colours and the cursor and waits for answers a serial console
	// or a test's pipe never gives.
	args := []string{"run", ".", "-o", cpio, "-uinitcmd=/bin/flowtapinit", "-defaultsh=gosh", "-skip-ldd", "-go-build-tags=goshliner"}
	for _, dst := range sortedKeys(files) {
		args = append(args, "-files", files[dst]+":"+dst)
	}
	for _, c := range o.Commands {
		args = append(args, "github.com/u-root/u-root/cmds/core/"+c)
	}
	env := []string{"GOWORK=off", "GO111MODULE=on", "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64"}
	if _, err := command(ctx, o.Log, src, env, "go", args...); err != nil {
		return fmt.Errorf("u-root %s: %w", URootVersion, err)
	}
	return nil
}
