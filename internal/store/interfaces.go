package store

import "github.com/hiretext/hiretext"

// The DB implements the domain's services.
var (
	_ hiretext.OrgService  = (*DB)(nil)
	_ hiretext.UserService = (*DB)(nil)
	_ hiretext.AuthService = (*DB)(nil)
	_ hiretext.Pinger      = (*DB)(nil)
)

// The DB implements the texting services.
var (
	_ hiretext.MessagingService    = (*DB)(nil)
	_ hiretext.ConversationService = (*DB)(nil)
)
