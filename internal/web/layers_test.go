package web

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The web layer talks to services, never to the database: no file of the
// package, tests included, may import the store. A handler that needs
// data asks the service that owns it (DESIGN §2 and §10a).
func TestWebNeverImportsTheStore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files found: %v", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err != nil {
					t.Fatal(err)
				}
				if path == "mxcert/internal/store" || strings.HasPrefix(path, "mxcert/internal/store/") {
					t.Errorf("%s imports %s: go through a service instead", f, path)
				}
			}
		})
	}
}
