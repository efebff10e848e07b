package store

import (
	"context"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

const orgColumns = "id, name, slug, timezone, region, created_at"

// CreateOrg creates an organization; its slug must be unused.
func (db *DB) CreateOrg(ctx context.Context, n hiretext.NewOrganization) (*hiretext.Organization, error) {
	if err := n.Validate(phone.ValidRegion); err != nil {
		return nil, err
	}
	o := &hiretext.Organization{Name: n.Name, Slug: n.Slug, Timezone: n.Timezone, Region: n.Region, CreatedAt: db.now()}
	err := db.inTx(ctx, func(tx conn) error {
		return tx.queryRow(ctx, `INSERT INTO organizations (name, slug, timezone, region, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, o.Name, o.Slug, o.Timezone, o.Region, o.CreatedAt).Scan(&o.ID)
	})
	if db.dialect.isUniqueViolation(err) {
		return nil, hiretext.FieldError("That slug is taken.", map[string]string{"slug": "Another company uses this slug."})
	}
	return o, err
}

// OrgBySlug returns the organization with slug.
func (db *DB) OrgBySlug(ctx context.Context, slug string) (*hiretext.Organization, error) {
	return scanOrg(db.reader().queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE slug = ?", slug))
}

// OrgByID returns the organization with id.
func (db *DB) OrgByID(ctx context.Context, id hiretext.OrgID) (*hiretext.Organization, error) {
	return scanOrg(db.reader().queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", id))
}

// ListOrgs lists every organization by name.
func (db *DB) ListOrgs(ctx context.Context) ([]*hiretext.Organization, error) {
	return queryAll(ctx, db.reader(), scanOrg, "SELECT "+orgColumns+" FROM organizations ORDER BY name, id")
}

func scanOrg(s scanner) (*hiretext.Organization, error) {
	var o hiretext.Organization
	err := s.Scan(&o.ID, &o.Name, &o.Slug, &o.Timezone, &o.Region, &o.CreatedAt)
	if err != nil {
		return nil, orNotFound(err, "Organization")
	}
	return &o, nil
}
