package simulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
)

// A simulated phone can attach files to a text, as a phone sends an MMS.
// The simulator keeps them and serves each at BaseURL+MediaPath+id; the
// inbound webhook announces them the way Twilio does (NumMedia, MediaUrlN,
// MediaContentTypeN), so hiretext fetches them by the same path as a
// Twilio picture. Fetching needs the simulator's signature over the path,
// as Twilio's media needs the account's credentials.

// MediaPath is where, under BaseURL, the simulator serves its files.
const MediaPath = "/simulator/media/"

var _ sms.MediaSource = (*Provider)(nil)

// File is a file a simulated phone attaches to a text.
type File struct {
	ContentType string
	Content     []byte
}

// checkFiles refuses what no carrier would deliver: more than
// hiretext.MaxMediaItems files, an empty one or one over
// hiretext.MaxMediaBytes.
func checkFiles(files []File) error {
	if len(files) > hiretext.MaxMediaItems {
		return hiretext.FieldError("Attach at most 10 files.", map[string]string{"picture": "At most 10 files."})
	}
	for _, f := range files {
		if len(f.Content) == 0 || len(f.Content) > hiretext.MaxMediaBytes {
			return hiretext.FieldError("A picture must hold something and be at most 5 MB.",
				map[string]string{"picture": "Attach a file of at most 5 MB."})
		}
	}
	return nil
}

// mediaOf names files for the message id.
func mediaOf(id string, files []File) []simstate.Media {
	out := make([]simstate.Media, len(files))
	for i, f := range files {
		out[i] = simstate.Media{ID: newID("ME"), MessageID: id, Index: i, ContentType: f.ContentType, Content: f.Content}
	}
	return out
}

// addMediaParams announces a message's files in an inbound webhook.
func (p *Provider) addMediaParams(ctx context.Context, form url.Values, messageID string) error {
	media, err := p.cfg.Store.MessageMedia(ctx, messageID)
	if err != nil {
		return transient(err)
	}
	if len(media) == 0 {
		return nil
	}
	form.Set("NumMedia", strconv.Itoa(len(media)))
	for i, m := range media {
		ref := p.mediaRef(m)
		form.Set("MediaUrl"+strconv.Itoa(i), ref.URL)
		form.Set("MediaContentType"+strconv.Itoa(i), ref.ContentType)
	}
	return nil
}

// mediaRef is how the simulator announces a file: its URL and type.
func (p *Provider) mediaRef(m simstate.Media) sms.MediaRef {
	return sms.MediaRef{URL: p.cfg.BaseURL + MediaPath + m.ID, ContentType: m.ContentType}
}

// MediaRequest returns the GET of one of the simulator's files, signed
// over its path. A URL not under BaseURL+MediaPath is refused.
func (p *Provider) MediaRequest(ctx context.Context, rawURL string) (*http.Request, error) {
	if !strings.HasPrefix(rawURL, p.cfg.BaseURL+MediaPath) {
		return nil, fmt.Errorf("simulator: media URL %q is not the simulator's", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(SignatureHeader, p.Sign([]byte(req.URL.EscapedPath())))
	return req, nil
}

// MediaHost reports whether u is on the simulator's own origin.
func (p *Provider) MediaHost(u *url.URL) bool {
	base, err := url.Parse(p.cfg.BaseURL)
	return err == nil && u.Scheme == base.Scheme && u.Host == base.Host
}

// MediaFile returns the file at path (MediaPath+id) when signature is the
// simulator's over path; anything else is not found, so the files of
// simulated phones are not open to whoever guesses an address.
func (p *Provider) MediaFile(ctx context.Context, path, signature string) (simstate.Media, error) {
	sig, err := hex.DecodeString(signature)
	if err != nil || !hmac.Equal(sig, p.mac([]byte(path))) || !strings.HasPrefix(path, MediaPath) {
		return simstate.Media{}, hiretext.Errorf(hiretext.ENotFound, "File not found.")
	}
	return p.cfg.Store.MediaByID(ctx, strings.TrimPrefix(path, MediaPath))
}

// Samples are the files the simulator phone offers to attach, by name.
var Samples = []string{"certificate.png", "resume.pdf"}

// Sample returns a sample file by name: a picture of a certificate (PNG,
// drawn here so the binary carries no image) or a one-page résumé (PDF).
func Sample(name string) (File, error) {
	switch name {
	case "certificate.png":
		return File{ContentType: "image/png", Content: certificatePNG()}, nil
	case "resume.pdf":
		return File{ContentType: "application/pdf", Content: []byte(resumePDF)}, nil
	}
	return File{}, hiretext.FieldError("Choose one of the sample files.", map[string]string{"sample": "Not a sample file."})
}

// certificatePNG draws a small certificate: a cream page, a border, lines
// of "text" and a seal.
func certificatePNG() []byte {
	const w, h = 240, 160
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cream, navy, gold := color.RGBA{250, 245, 230, 255}, color.RGBA{30, 50, 100, 255}, color.RGBA{200, 160, 40, 255}
	for y := range h {
		for x := range w {
			c := cream
			switch {
			case x < 6 || y < 6 || x >= w-6 || y >= h-6:
				c = navy
			case (y == 40 || y == 41) && x > 40 && x < 200, (y == 70 || y == 90 || y == 110) && x > 30 && x < 210:
				c = navy
			case (x-190)*(x-190)+(y-130)*(y-130) < 225:
				c = gold
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // writing to a buffer cannot fail
	return b.Bytes()
}

// resumePDF is a minimal one-page PDF.
const resumePDF = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 44 >> stream
BT /F1 18 Tf 20 150 Td (Resume) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
`
