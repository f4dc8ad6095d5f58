// Package templates holds the built-in email and web templates. Users override
// them file by file with BULLETIN_TEMPLATES_DIR (see Overlay).
package templates

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"sort"
)

//go:embed email web
var builtin embed.FS

// Builtin returns the templates compiled into the binary.
func Builtin() fs.FS { return builtin }

// Overlay returns an FS that serves a file from dir when dir has it and the
// built-in copy otherwise. An empty dir means the built-in templates alone.
func Overlay(dir string) fs.FS {
	if dir == "" {
		return builtin
	}
	return overlay{top: os.DirFS(dir), base: builtin}
}

type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	if st, err := fs.Stat(o.top, name); err == nil && !st.IsDir() {
		return o.top.Open(name)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}

// ReadDir merges both listings so that fs.Glob and template.ParseFS see the
// user's extra files as well as the built-in ones.
func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	base, errBase := fs.ReadDir(o.base, name)
	for _, e := range base {
		seen[e.Name()] = e
	}
	top, errTop := fs.ReadDir(o.top, name)
	for _, e := range top {
		seen[e.Name()] = e
	}
	if errBase != nil && errTop != nil {
		return nil, errBase
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}
