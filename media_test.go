package hiretext_test

import (
	"testing"

	"github.com/hiretext/hiretext"
)

func TestCheckMedia(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ declared, sniffed, want string }{
		{"image/jpeg", "image/jpeg", "image/jpeg"},
		{"image/jpg", "image/jpeg", "image/jpeg"},
		{"application/pdf", "application/pdf", "application/pdf"},
		{"image/png; name=a.png", "image/png", "image/png"},
		{"text/vcard", "text/plain; charset=utf-8", hiretext.DownloadType},
		{"text/html", "text/html; charset=utf-8", hiretext.DownloadType},
		{"image/jpeg", "text/html; charset=utf-8", ""}, // mislabelled: refused
		{"image/png", "image/jpeg", ""},
		{"text/plain", "image/png", ""}, // a picture passed off as text
		{"", "image/png", ""},
	} {
		got, err := hiretext.CheckMedia(c.declared, c.sniffed)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("CheckMedia(%q, %q) = %q, %v; want %q", c.declared, c.sniffed, got, err, c.want)
		}
	}
}

func TestMediaFileName(t *testing.T) {
	t.Parallel()
	pic := hiretext.Media{ID: 12, ContentType: "image/jpeg", Status: hiretext.MediaStored}
	card := hiretext.Media{ID: 13, ContentType: hiretext.DownloadType, DeclaredType: "text/vcard", Status: hiretext.MediaStored}
	if pic.FileName() != "picture-12.jpg" || !pic.Inline() || card.FileName() != "file-13.vcf" || card.Inline() {
		t.Fatalf("names %q %q, inline %v %v", pic.FileName(), card.FileName(), pic.Inline(), card.Inline())
	}
}
