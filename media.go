package hiretext

import (
	"context"
	"fmt"
	"mime"
	"strings"
	"time"
)

// A candidate's picture (MMS) arrives as links: the provider's webhook
// names each file by URL and declared content type. The message is stored
// with those links at once, in its own transaction; the files are fetched
// afterwards by a background worker (a durable queue like the email
// outbox), checked, and kept in the database with the message.

// MediaID identifies one file attached to a message.
type MediaID int64

// The limits on an inbound message's files: Twilio accepts at most 10
// files and 5 MB in all, so anything past these is not an MMS a carrier
// would deliver and is refused.
const (
	MaxMediaItems = 10
	MaxMediaBytes = 5 << 20
)

// MaxMediaAttempts bounds how often a file is fetched before it is given up.
const MaxMediaAttempts = 8

// MediaBackoff is how long to wait before the next fetch after attempt
// failed: 30 s, 1, 2, 4 … minutes, at most an hour.
func MediaBackoff(attempt int) time.Duration {
	d := 30 * time.Second << min(max(attempt-1, 0), 7)
	return min(d, time.Hour)
}

// MediaStatus is where a file is on its way into hiretext.
type MediaStatus string

// The media statuses.
const (
	MediaPending MediaStatus = "pending" // announced, not fetched yet
	MediaStored  MediaStatus = "stored"  // fetched, checked and kept
	MediaRefused MediaStatus = "refused" // fetched or announced but not acceptable (too big, mislabelled, wrong host)
	MediaFailed  MediaStatus = "failed"  // the provider never gave it (MaxMediaAttempts tries)
)

// IncomingMedia is a file a provider announced with an inbound message.
type IncomingMedia struct {
	URL         string // where the provider serves it
	ContentType string // as the provider declared it
}

// Media is a file attached to a message.
type Media struct {
	ID           MediaID
	OrgID        OrgID
	MessageID    MessageID
	Index        int    // its place in the message, from 0
	Provider     string // the provider that announced it; its credentials fetch it
	ProviderURL  string
	DeclaredType string // the content type the provider declared
	Status       MediaStatus
	ContentType  string // the stored type, checked by sniffing; "" until stored
	Size         int64  // bytes, once stored
	Error        string // why it was refused or failed, for the recruiter and the operator
	Attempts     int
	CreatedAt    time.Time
}

// Inline reports whether the file is shown in the page (an image) rather
// than offered as a download.
func (m *Media) Inline() bool {
	return m.Status == MediaStored && strings.HasPrefix(m.ContentType, "image/")
}

// FileName is the name the file is downloaded and exported under:
// "picture-12.jpg", "file-13.pdf".
func (m *Media) FileName() string {
	kind := "file"
	if strings.HasPrefix(m.ContentType, "image/") {
		kind = "picture"
	}
	return fmt.Sprintf("%s-%d%s", kind, m.ID, MediaExtension(m.ContentType, m.DeclaredType))
}

// MediaFile is a stored file with its bytes and the number whose
// conversation it belongs to, which decides who may read it.
type MediaFile struct {
	Media
	NumberID NumberID
	Content  []byte
}

// inlineTypes are the only types a file may be stored and served as: the
// images a browser shows and PDF. Everything else is kept as
// application/octet-stream and only downloaded.
var inlineTypes = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "application/pdf": ".pdf",
}

// DownloadType is the stored type of every file that is not an image or a PDF.
const DownloadType = "application/octet-stream"

// InlineType reports whether a stored content type may be served inline.
func InlineType(contentType string) bool {
	_, ok := inlineTypes[contentType]
	return ok
}

// MediaExtension returns a file name extension for a stored type, falling
// back to the declared one for downloads (".vcf" for a vCard), and ".bin".
func MediaExtension(stored, declared string) string {
	if ext, ok := inlineTypes[stored]; ok {
		return ext
	}
	switch baseType(declared) {
	case "text/vcard", "text/x-vcard":
		return ".vcf"
	case "text/plain":
		return ".txt"
	case "video/mp4":
		return ".mp4"
	case "audio/mpeg":
		return ".mp3"
	}
	return ".bin"
}

// CheckMedia decides how a fetched file is stored, from its declared type
// and the type its first bytes show (net/http.DetectContentType): an image
// or PDF is stored as what it is only when it was declared as that; a file
// declared as an image or PDF that is something else, or the reverse, is
// mislabelled and refused; anything else (a vCard, text/html, a video) is
// stored as a download that no browser renders.
func CheckMedia(declared, sniffed string) (string, error) {
	declared, sniffed = baseType(declared), baseType(sniffed)
	if declared == "image/jpg" || declared == "image/pjpeg" {
		declared = "image/jpeg"
	}
	_, declaredInline := inlineTypes[declared]
	_, sniffedInline := inlineTypes[sniffed]
	switch {
	case declaredInline && sniffed == declared:
		return sniffed, nil
	case declaredInline || sniffedInline:
		return "", Errorf(EInvalid, "The file was declared as %s but is %s.", orUnknown(declared), orUnknown(sniffed))
	}
	return DownloadType, nil
}

func orUnknown(t string) string {
	if t == "" {
		return "an unknown type"
	}
	return t
}

// baseType is a content type without its parameters, lower case; "" when
// it cannot be read.
func baseType(t string) string {
	base, _, err := mime.ParseMediaType(t)
	if err != nil {
		return ""
	}
	return base
}

// MediaFetch is the background fetch of announced files.
type MediaFetch interface {
	// ClaimMediaFetches leases up to limit pending files of provider due
	// now, each counting one more attempt; one whose lease runs out (the
	// process died mid-fetch) is due again.
	ClaimMediaFetches(ctx context.Context, provider string, limit int, lease time.Duration) ([]*Media, error)
	// StoreMediaContent keeps a fetched file as contentType.
	StoreMediaContent(ctx context.Context, id MediaID, contentType string, content []byte) error
	// RetryMediaFetch puts a claimed file back, due at at, keeping why.
	RetryMediaFetch(ctx context.Context, id MediaID, at time.Time, reason string) error
	// GiveUpMedia records that a file is refused or failed for good, and why.
	GiveUpMedia(ctx context.Context, id MediaID, status MediaStatus, reason string) error
}

// MediaService serves stored files.
type MediaService interface {
	// MediaFile returns one of org's files with its content and its
	// message's number; another company's file is not found.
	MediaFile(ctx context.Context, org OrgID, id MediaID) (*MediaFile, error)
}
