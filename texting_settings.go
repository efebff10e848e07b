package hiretext

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The default texting settings. {Company} is replaced by the organization's
// name and {Contact} by the help contact (the name again when none is set),
// so renaming the company updates every text.
const (
	DefaultConsentDisclosure = "By choosing a phone below, you agree that {Company} may text you at that number " +
		"about your job application, such as interview scheduling and status updates. Message frequency varies. " +
		"Message and data rates may apply. Reply STOP to opt out at any time and HELP for help. " +
		"Consent is not a condition of applying."
	DefaultOptOutConfirmation = "You're unsubscribed from {Company} texts. No more messages will be sent. Reply START to resubscribe."
	DefaultOptInConfirmation  = "You're subscribed to {Company} texts again. Reply STOP to opt out."
	DefaultHelpReply          = "{Company}: texts about your job application. Contact us at {Contact}. Msg & data rates may apply. Reply STOP to opt out."

	// The Spanish replies, sent to a candidate who wrote in Spanish (BAJA,
	// "no me escriban", AYUDA).
	DefaultOptOutConfirmationES = "Cancelaste los mensajes de {Company}. No recibirás más mensajes. Responde COMENZAR para volver a recibirlos."
	DefaultOptInConfirmationES  = "Volverás a recibir mensajes de {Company}. Responde BAJA para cancelarlos."
	DefaultHelpReplyES          = "{Company}: mensajes sobre tu solicitud de empleo. Escríbenos a {Contact}. Pueden aplicar tarifas de mensajes y datos. Responde BAJA para cancelar."
)

// Limits on texting settings, in characters.
const (
	MaxDisclosureLength  = 2000
	MaxAutoReplyLength   = 320 // two GSM-7 segments and change
	MaxHelpContactLength = 200
)

// TextingSettings are an organization's texting texts: the consent
// disclosure shown on the application form and the automatic replies to
// STOP, START and HELP, in English and in Spanish. The texts may hold {Company} and {Contact}; use
// Render (or the methods built on it) before showing or sending them.
type TextingSettings struct {
	OrgID                     OrgID
	Company                   string // the organization's name, for {Company}; not stored
	ConsentDisclosure         string
	OptOutConfirmation        string
	OptOutConfirmationEnabled bool
	OptInConfirmation         string
	HelpReply                 string
	HelpContact               string // email, phone or URL for HELP; "" means the company name
	OptOutConfirmationES      string // the Spanish replies
	OptInConfirmationES       string
	HelpReplyES               string
	UpdatedAt                 time.Time
	UpdatedBy                 UserID // 0 while the defaults apply
}

// DefaultTextingSettings returns the settings of an organization that has
// not changed them.
func DefaultTextingSettings(org *Organization) *TextingSettings {
	return &TextingSettings{
		OrgID:                     org.ID,
		Company:                   org.Name,
		ConsentDisclosure:         DefaultConsentDisclosure,
		OptOutConfirmation:        DefaultOptOutConfirmation,
		OptOutConfirmationEnabled: true,
		OptInConfirmation:         DefaultOptInConfirmation,
		HelpReply:                 DefaultHelpReply,
		OptOutConfirmationES:      DefaultOptOutConfirmationES,
		OptInConfirmationES:       DefaultOptInConfirmationES,
		HelpReplyES:               DefaultHelpReplyES,
	}
}

// Contact is what {Contact} becomes: the help contact, or the company name.
func (s *TextingSettings) Contact() string {
	if c := strings.TrimSpace(s.HelpContact); c != "" {
		return c
	}
	return s.Company
}

// Render replaces {Company} and {Contact} in text.
func (s *TextingSettings) Render(text string) string {
	return strings.NewReplacer("{Company}", s.Company, "{Contact}", s.Contact()).Replace(text)
}

// Disclosure is the consent disclosure as applicants read it.
func (s *TextingSettings) Disclosure() string { return s.Render(s.ConsentDisclosure) }

// OptOutReply is the text confirming an opt-out, and whether to send it.
func (s *TextingSettings) OptOutReply() (string, bool) {
	return s.Render(s.OptOutConfirmation), s.OptOutConfirmationEnabled
}

// OptInReply is the text confirming an opt-in by keyword.
func (s *TextingSettings) OptInReply() string { return s.Render(s.OptInConfirmation) }

// HelpText is the reply to HELP.
func (s *TextingSettings) HelpText() string { return s.Render(s.HelpReply) }

// Reply is the automatic reply to kw in lang, and whether to send it: the
// opt-out confirmation may be turned off; the Spanish texts answer a
// candidate who wrote in Spanish.
func (s *TextingSettings) Reply(kw Keyword, lang Language) (string, bool) {
	texts := map[Keyword]string{KeywordOptOut: s.OptOutConfirmation, KeywordOptIn: s.OptInConfirmation, KeywordHelp: s.HelpReply}
	if lang == Spanish {
		texts = map[Keyword]string{KeywordOptOut: s.OptOutConfirmationES, KeywordOptIn: s.OptInConfirmationES, KeywordHelp: s.HelpReplyES}
	}
	text, ok := texts[kw]
	return s.Render(text), ok && (kw != KeywordOptOut || s.OptOutConfirmationEnabled)
}

// TextingSettingsUpdate replaces an organization's texting settings.
type TextingSettingsUpdate struct {
	ConsentDisclosure         string
	OptOutConfirmation        string
	OptOutConfirmationEnabled bool
	OptInConfirmation         string
	HelpReply                 string
	HelpContact               string
	OptOutConfirmationES      string
	OptInConfirmationES       string
	HelpReplyES               string
}

// placeholder finds {Word} placeholders.
var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// Validate trims u and checks every text, reporting all problems at once.
func (u *TextingSettingsUpdate) Validate() error {
	v := Validation{}
	u.ConsentDisclosure = validSettingText(v, "consent_disclosure", u.ConsentDisclosure, MaxDisclosureLength, true)
	u.OptOutConfirmation = validSettingText(v, "optout_confirmation", u.OptOutConfirmation, MaxAutoReplyLength, false)
	u.OptInConfirmation = validSettingText(v, "optin_confirmation", u.OptInConfirmation, MaxAutoReplyLength, true)
	u.HelpReply = validSettingText(v, "help_reply", u.HelpReply, MaxAutoReplyLength, true)
	// A Spanish text left empty is the default one.
	u.OptOutConfirmationES = validSettingText(v, "optout_confirmation_es", orDefault(u.OptOutConfirmationES, DefaultOptOutConfirmationES), MaxAutoReplyLength, false)
	u.OptInConfirmationES = validSettingText(v, "optin_confirmation_es", orDefault(u.OptInConfirmationES, DefaultOptInConfirmationES), MaxAutoReplyLength, true)
	u.HelpReplyES = validSettingText(v, "help_reply_es", orDefault(u.HelpReplyES, DefaultHelpReplyES), MaxAutoReplyLength, true)
	u.HelpContact = optionalText(v, "help_contact", SingleLine, MaxHelpContactLength, "Use at most 200 characters, without braces.", u.HelpContact)
	if strings.ContainsAny(u.HelpContact, "{}") {
		v.Add("help_contact", "Use at most 200 characters, without braces.")
	}
	return v.Err()
}

// orDefault returns text, or def when text is blank.
func orDefault(text, def string) string {
	if strings.TrimSpace(text) == "" {
		return def
	}
	return text
}

// validSettingText trims one text and records its problems under field:
// blank, too long, an unknown placeholder, or (when needsStop) no opt-out
// instructions, which carriers require wherever consent is asked or
// confirmed.
func validSettingText(v Validation, field, text string, limit int, needsStop bool) string {
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case CheckText(text, MultiLine) != nil:
		v.Text(field, text, MultiLine)
	case n == 0:
		v.Add(field, "Enter the text.")
	case n > limit:
		v.Add(field, "Shorten the text to at most "+strconv.Itoa(limit)+" characters.")
	}
	for _, p := range placeholder.FindAllString(text, -1) {
		if p != "{Company}" && p != "{Contact}" {
			v.Add(field, "Unknown placeholder "+p+": use {Company} or {Contact}.")
		}
	}
	if needsStop && !namesOptOutWord(text) {
		v.Add(field, "Tell people how to opt out, e.g. \"Reply STOP to opt out\" or \"Responde BAJA para cancelar\".")
	}
	return text
}

// namesOptOutWord reports whether text names an opt-out keyword in capitals
// (STOP, BAJA, PARAR …), as instructions to candidates do.
func namesOptOutWord(text string) bool {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if keywords[strings.ToUpper(w)].keyword == KeywordOptOut {
			return true
		}
	}
	return false
}

// TextingSettingsService reads and changes an organization's texting
// settings. Settings never saved are the defaults.
type TextingSettingsService interface {
	TextingSettings(ctx context.Context, org OrgID) (*TextingSettings, error)
	UpdateTextingSettings(ctx context.Context, org OrgID, u TextingSettingsUpdate, by UserID) (*TextingSettings, error)
}
