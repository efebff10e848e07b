package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/web"
)

// assets serves the embedded static files under content-hash URLs so
// browsers may cache them forever.
type assets struct {
	files  map[string][]byte // "css/app.css" → content
	hashes map[string]string // "css/app.css" → short content hash
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string][]byte{}, hashes: map[string]string{}}
	err := fs.WalkDir(web.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Static, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		a.files[name], a.hashes[name] = b, hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// url returns the versioned URL of a static file.
func (a *assets) url(name string) string {
	return "/static/" + a.hashes[name] + "/" + name
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	body, found := s.assets.files[name]
	if !ok || !found {
		return hiretext.Errorf(hiretext.ENotFound, "No such file.")
	}
	if hash == s.assets.hashes[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	_, err := w.Write(body)
	return err
}
