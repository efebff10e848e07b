// Package web carries the HTML templates and static assets that the server
// renders and serves, embedded so the binary needs no files beside it.
package web

import "embed"

// Templates holds layouts/, partials/ and pages/.
//
//go:embed templates
var Templates embed.FS

// Static holds css/, js/ and img/.
//
//go:embed static
var Static embed.FS
