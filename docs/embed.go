// Package docs carries the OpenAPI description of hiretext's JSON API, so the
// server can serve the very document that lives in the repository.
package docs

import _ "embed"

// OpenAPI is docs/api/openapi.json.
//
//go:embed api/openapi.json
var OpenAPI []byte
