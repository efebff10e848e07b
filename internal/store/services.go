package store

import "github.com/hiretext/hiretext"

// The DB implements every service of the domain. The methods tests use to
// set up state, which no service lists, are in testhooks.go.
var (
	_ hiretext.Pinger                 = (*DB)(nil)
	_ hiretext.OrgService             = (*DB)(nil)
	_ hiretext.UserService            = (*DB)(nil)
	_ hiretext.AuthService            = (*DB)(nil)
	_ hiretext.ThrottleService        = (*DB)(nil)
	_ hiretext.JobService             = (*DB)(nil)
	_ hiretext.CandidateService       = (*DB)(nil)
	_ hiretext.ApplicationService     = (*DB)(nil)
	_ hiretext.ConsentService         = (*DB)(nil)
	_ hiretext.TextingSettingsService = (*DB)(nil)
	_ hiretext.SendPolicyService      = (*DB)(nil)
	_ hiretext.ScheduleService        = (*DB)(nil)
	_ hiretext.CandidateZoneService   = (*DB)(nil)
	_ hiretext.NumberService          = (*DB)(nil)
	_ hiretext.AllowanceService       = (*DB)(nil)
	_ hiretext.MessagingService       = (*DB)(nil)
	_ hiretext.ConversationService    = (*DB)(nil)
	_ hiretext.BulkSendService        = (*DB)(nil)
	_ hiretext.ReportService          = (*DB)(nil)
	_ hiretext.PrivacyService         = (*DB)(nil)
	_ hiretext.AuditService           = (*DB)(nil)
	_ hiretext.OperationsService      = (*DB)(nil)
	_ hiretext.TemplateService        = (*DB)(nil)
	_ hiretext.FormService            = (*DB)(nil)
	_ hiretext.SignatureService       = (*DB)(nil)
	_ hiretext.NotificationService    = (*DB)(nil)
	_ hiretext.EscalationService      = (*DB)(nil)
	_ hiretext.ResponseReportService  = (*DB)(nil)
	_ hiretext.CarrierGuardService    = (*DB)(nil)
)
