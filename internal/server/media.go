package server

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/hiretext/hiretext"
)

// Pictures and files candidates send (MMS) are served by hiretext itself,
// never linked at the provider: to users who may read the conversation
// (the caller's number's, with the texts permissions), checked by sniffing
// on the way out too, and never as a page that could run script.

// mediaPath and apiMediaPath are where a file is served to a page and to
// the API.
const (
	mediaPath    = "/media/"
	apiMediaPath = apiPrefix + "media/"
)

// mediaCSP is the policy of a served file: nothing loads or runs, an image
// shows; sandbox makes anything else an inert document.
const mediaCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

// handleMedia serves one stored file of the caller's number: images and
// PDFs inline, anything else as an application/octet-stream download.
// Another number's or company's file, or one not stored (still on its way,
// refused), is not found.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	id, err := pathID[hiretext.MediaID](r, "id", "File")
	if err != nil {
		return err
	}
	f, err := s.store.MediaFile(r.Context(), p.org.ID, id)
	if err != nil {
		return err
	}
	if f.NumberID != num.ID || f.Status != hiretext.MediaStored {
		return hiretext.Errorf(hiretext.ENotFound, "File not found.")
	}
	writeMedia(w, f)
	return nil
}

// writeMedia writes a file with the headers that keep it inert. The stored
// type was checked when the file was fetched; it is checked again against
// the bytes here, so a file stored before a rule changed is still served
// only as what it is.
func writeMedia(w http.ResponseWriter, f *hiretext.MediaFile) {
	contentType, disposition := hiretext.DownloadType, "attachment"
	if hiretext.InlineType(f.ContentType) {
		if sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(f.Content)); sniffed == f.ContentType {
			contentType, disposition = f.ContentType, "inline"
		}
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.FileName()}))
	h.Set("Content-Length", strconv.Itoa(len(f.Content)))
	h.Set("X-Content-Type-Options", "nosniff")
	csp := mediaCSP
	if contentType != "application/pdf" {
		csp += "; sandbox" // a PDF viewer needs its own script; nothing else does
	}
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "private, no-cache") // erasure must take it away from every browser
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Content)
}

// mediaRow is a file as a conversation shows it.
type mediaRow struct {
	URL     string
	Name    string
	Inline  bool   // an image, shown in the thread
	Pending bool   // still being fetched from the provider
	Problem string // why it was not kept
	Size    string // "48 KB"
}

// mediaRows lists a message's files for a page.
func mediaRows(media []*hiretext.Media) []mediaRow {
	var out []mediaRow
	for _, m := range media {
		r := mediaRow{URL: mediaPath + idString(m.ID), Name: m.FileName(), Inline: m.Inline(), Size: byteSize(m.Size)}
		switch m.Status {
		case hiretext.MediaPending:
			r.Pending = true
		case hiretext.MediaRefused, hiretext.MediaFailed:
			r.Problem = "A file the candidate sent was not kept: " + m.Error
		}
		out = append(out, r)
	}
	return out
}

// byteSize reads a size as people do: "812 bytes", "48 KB", "1.2 MB".
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// apiMedia is a file of a message in the API: its url is hiretext's own
// (a path on this server), authenticated like the API, never the
// provider's.
type apiMedia struct {
	ID          string  `json:"id"`
	ContentType *string `json:"content_type"` // null until stored
	Size        int64   `json:"size"`
	Status      string  `json:"status"`
	URL         *string `json:"url"` // null until stored
}

func toAPIMedia(media []*hiretext.Media) []apiMedia {
	out := []apiMedia{}
	for _, m := range media {
		a := apiMedia{ID: idString(m.ID), Size: m.Size, Status: string(m.Status)}
		if m.Status == hiretext.MediaStored {
			u := apiMediaPath + idString(m.ID)
			a.ContentType, a.URL = &m.ContentType, &u
		}
		out = append(out, a)
	}
	return out
}
