package store

import "github.com/hiretext/hiretext"

// The DB implements the ATS services.
var (
	_ hiretext.JobService             = (*DB)(nil)
	_ hiretext.CandidateService       = (*DB)(nil)
	_ hiretext.ApplicationService     = (*DB)(nil)
	_ hiretext.ConsentService         = (*DB)(nil)
	_ hiretext.TextingSettingsService = (*DB)(nil)
)
