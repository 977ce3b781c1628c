package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Version identifies the content an attempt was built from. Inside a git
// work tree with a clean content folder it is the commit ("git:<sha>");
// otherwise (no git, or uncommitted edits) it is a SHA-256 over every file's
// path and bytes in a fixed order ("sha256:<hex>"), so two different trees
// never share a version.
func Version(dir string) (string, error) {
	if v, ok := gitVersion(dir); ok {
		return v, nil
	}
	return hashVersion(dir)
}

func gitVersion(dir string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	run := func(args ...string) (string, bool) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...) // #nosec G204 -- fixed git arguments
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			return "", false
		}
		return strings.TrimSpace(out.String()), true
	}
	commit, ok := run("log", "-1", "--format=%H", "--", ".")
	if !ok || commit == "" {
		return "", false
	}
	status, ok := run("status", "--porcelain", "--untracked-files=all", "--", ".")
	if !ok || status != "" {
		return "", false
	}
	return "git:" + commit, true
}

func hashVersion(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p) // #nosec G304 G122 -- the operator's own content directory, hashed read-only
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16], nil
}
