package hiretext

import (
	"context"
	"strings"
	"time"
)

// Organization is a company using hiretext: the tenant. Every company-owned
// row carries its id.
type Organization struct {
	ID        OrgID
	Name      string
	Slug      string // URL-safe, unique, e.g. "acme-staffing"
	Timezone  string // IANA name, e.g. "America/Chicago"
	Region    string // default phone region, ISO 3166-1 alpha-2, e.g. "US"
	CreatedAt time.Time
}

// Location returns the organization's time zone, or UTC if it is unknown.
func (o *Organization) Location() *time.Location {
	loc, err := time.LoadLocation(o.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// MaxOrgName bounds a company's name, in characters.
const MaxOrgName = 200

// NewOrganization is the input for creating an organization.
type NewOrganization struct {
	Name     string
	Slug     string
	Timezone string
	Region   string
}

// Validate checks n and fills defaults (America/Chicago is not assumed: the
// time zone defaults to UTC, the region to US).
func (n *NewOrganization) Validate(validRegion func(string) bool) error {
	n.Slug = strings.TrimSpace(n.Slug)
	n.Region = strings.ToUpper(strings.TrimSpace(n.Region))
	if n.Timezone == "" {
		n.Timezone = "UTC"
	}
	if n.Region == "" {
		n.Region = "US"
	}
	v := Validation{}
	n.Name = requiredText(v, "name", "company name", MaxOrgName, n.Name)
	if !ValidSlug(n.Slug) {
		v.Add("slug", "Use 2–63 lowercase letters, digits and hyphens, starting with a letter.")
	}
	if _, err := time.LoadLocation(n.Timezone); err != nil || n.Timezone == "Local" {
		v.Add("timezone", "Use an IANA time zone such as America/Chicago.")
	}
	if validRegion != nil && !validRegion(n.Region) {
		v.Add("region", "Use a two-letter country code such as US.")
	}
	return v.Err()
}

// ValidSlug reports whether s is a well-formed organization slug.
func ValidSlug(s string) bool {
	if len(s) < 2 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// OrgService manages organizations. Only the operator (the command line)
// creates and lists them.
type OrgService interface {
	CreateOrg(ctx context.Context, n NewOrganization) (*Organization, error)
	OrgBySlug(ctx context.Context, slug string) (*Organization, error)
	OrgByID(ctx context.Context, id OrgID) (*Organization, error)
	ListOrgs(ctx context.Context) ([]*Organization, error)
}
