package testproc_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// helperDirs are the packages, beside _test.go files, whose code runs only
// in tests and starts processes.
var helperDirs = []string{"internal/collector", "internal/dnsmasq", "internal/mibfiles", "internal/testnet"}

// TestEverySpawnGoesThroughTestproc keeps the promise made good by one
// sweep of the tree: a process a test starts with exec.Cmd's own Start,
// Run, Output or CombinedOutput outlives a killed test binary. It finds
// such calls on an exec.Command(...) result, or on a name or field this
// file assigns one to.
func TestEverySpawnGoesThroughTestproc(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not at %s: %v", root, err)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if p == root {
				return nil
			}
			if rel == "internal/testproc" || skipDir(p, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		for _, h := range helperDirs {
			if filepath.Dir(rel) == h {
				files = append(files, p)
				return nil
			}
		}
		if strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d files to check under %s", len(files), root)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, pos := range directSpawns(file) {
			t.Errorf("%s: starts a process without testproc (use testproc.Start, Run, Output or CombinedOutput)", fset.Position(pos))
		}
	}
}

// skipDir says whether a directory under the module root holds none of
// this module's code, by the go tool's own rules: testdata and names that
// start with "." or "_" are ignored, and a go.mod starts another module.
// The image build unpacks u-root's sources (a module of their own, with
// tests that start processes) under out/, so a walk that entered it failed
// in every clone that had built the image.
func skipDir(path, name string) bool {
	if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "go.mod"))
	return err == nil
}

// directSpawns returns where file calls Start, Run, Output or
// CombinedOutput on an exec.Cmd it made with exec.Command.
func directSpawns(file *ast.File) []token.Pos {
	cmds := map[string]bool{} // names and fields (".field") assigned an exec.Command
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, rhs := range n.Rhs {
				if isExecCommand(rhs) && i < len(n.Lhs) {
					cmds[exprName(n.Lhs[i])] = true
				}
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && isExecCommand(n.Value) {
				cmds["."+k.Name] = true
			}
		case *ast.ValueSpec:
			for i, v := range n.Values {
				if isExecCommand(v) && i < len(n.Names) {
					cmds[n.Names[i].Name] = true
				}
			}
		}
		return true
	})
	var found []token.Pos
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		switch sel.Sel.Name {
		case "Start", "Run", "Output", "CombinedOutput":
		default:
			return true
		}
		name := exprName(sel.X)
		field := ""
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			field = name[i:]
		}
		if isExecCommand(sel.X) || cmds[name] || field != "" && cmds[field] {
			found = append(found, call.Pos())
		}
		return true
	})
	return found
}

func isExecCommand(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "exec" && (sel.Sel.Name == "Command" || sel.Sel.Name == "CommandContext")
}

// exprName spells a name or a field selector (d.cmd, n.cmd): "" for
// anything else.
func exprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := exprName(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}
