// The layout test checks that imports flow one way, as DESIGN.md draws them,
// and that each outside dependency stays in its one home.
package feeflow_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/feeflow/feeflow/"

// allowed lists, for each package of ours, the packages of ours it may import.
var allowed = map[string][]string{
	"cmd/feeflow":     {"server", "ingest", "site", "site/publish", "analytics", "data", "gen"},
	"server":          {"ingest", "site", "site/publish", "analytics", "templates", "data"},
	"ingest":          {"analytics", "data", "ingest/parse", "ingest/source", "ingest/profiles"},
	"ingest/profiles": {},
	"ingest/parse":    {},
	"ingest/source":   {},
	"site":            {"analytics", "templates"},
	"site/publish":    {},
	"analytics":       {"data"},
	"templates":       {},
	"data":            {},
	"gen":             {},
}

// homes says which of our packages may import an outside dependency.
var homes = map[string][]string{
	"github.com/duckdb/duckdb-go":      {"data"},
	"github.com/apache/arrow-go":       {"data"},
	"github.com/go-echarts/go-echarts": {"site"},
	"github.com/a-h/templ":             {"templates", "site", "server"},
	"github.com/xuri/excelize":         {"ingest/source"},
	"golang.org/x/crypto":              {"server"},
}

func TestImportsFlowOneWay(t *testing.T) {
	imports := map[string]map[string]bool{} // package -> imports
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "tools") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			imports[pkg][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		may, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the layout; add it to DESIGN.md's drawing and to this test", pkg)
			continue
		}
		for im := range imports[pkg] {
			if ours, ok := strings.CutPrefix(im, module); ok {
				if !contains(may, ours) {
					t.Errorf("%s imports %s, against the one-way layout (it may import %v)", pkg, ours, may)
				}
				continue
			}
			for dep, where := range homes {
				if strings.HasPrefix(im, dep) && !contains(where, pkg) {
					t.Errorf("%s imports %s, whose home is %v", pkg, im, where)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
