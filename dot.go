package hiretext

// The DOT driver application: what 49 CFR 391.21(b) requires of an
// application for employment as a driver of commercial motor vehicles,
// after the applicant's name, email and phones that every form asks.

// dotLicenceClasses are the commercial and non-commercial licence classes.
var dotLicenceClasses = []string{"A", "B", "C", "D (non-commercial)", "Other"}

// dotEquipment are the classes of equipment 391.21(b)(6) asks experience of.
var dotEquipment = []string{"Straight truck", "Tractor and semi-trailer", "Tractor and two trailers",
	"Tractor and triples", "Motorcoach or school bus", "Other"}

// dotSSN is the Social Security number 391.21(b)(2) lists, asked only when
// the company turns it on.
var dotSSN = Section{ID: "identity", Title: "Social Security number", Questions: []Question{
	{ID: "ssn", Label: "Social Security number", Help: "Nine digits. Kept encrypted and shown only masked.", Type: QuestionShortText,
		Required: true, Sensitive: true},
}}

// dotSections are the DOT driver application's sections, in the order of
// 391.21(b); ssn adds the Social Security number first.
func dotSections(ssn bool) []Section {
	var out []Section
	if ssn {
		out = append(out, dotSSN)
	}
	return append(out, []Section{
		{ID: "addresses", Title: "Addresses of the past three years", Noun: "address", Min: 1, Max: 10,
			Help: "Your current address first, then every address where you lived in the past three years.",
			Questions: []Question{
				{ID: "street", Label: "Street address", Type: QuestionShortText, Required: true},
				{ID: "city", Label: "City", Type: QuestionShortText, Required: true},
				{ID: "state", Label: "State", Type: QuestionShortText, Required: true},
				{ID: "zip", Label: "ZIP code", Type: QuestionShortText, Required: true},
				{ID: "from", Label: "Lived there from", Type: QuestionDate, Required: true},
				{ID: "to", Label: "Until", Help: "Leave empty for your current address.", Type: QuestionDate},
			}},
		{ID: "birth", Title: "Date of birth", Questions: []Question{
			{ID: "date_of_birth", Label: "Date of birth", Type: QuestionDate, Required: true},
		}},
		{ID: "licences", Title: "Motor vehicle licences held in the past three years", Noun: "licence", Min: 1, Max: 10,
			Help: "Every operator's licence or permit, in any state, of the past three years.",
			Questions: []Question{
				{ID: "state", Label: "State", Type: QuestionShortText, Required: true},
				{ID: "number", Label: "Licence number", Type: QuestionShortText, Required: true},
				{ID: "class", Label: "Class", Type: QuestionSingle, Required: true, Choices: dotLicenceClasses},
				{ID: "endorsements", Label: "Endorsements", Help: "For example H, N, P, S, T, X; leave empty for none.", Type: QuestionShortText},
				{ID: "expires", Label: "Expires", Type: QuestionDate, Required: true},
			}},
		{ID: "experience", Title: "Driving experience", Noun: "experience", Max: 10,
			Help: "The kinds of equipment you have driven, with dates and approximate miles.",
			Questions: []Question{
				{ID: "equipment", Label: "Class of equipment", Type: QuestionSingle, Required: true, Choices: dotEquipment},
				{ID: "from", Label: "From", Type: QuestionDate, Required: true},
				{ID: "to", Label: "To", Type: QuestionDate, Required: true},
				{ID: "miles", Label: "Approximate miles", Type: QuestionNumber, Required: true},
			}},
		{ID: "accidents", Title: "Accidents of the past three years", Noun: "accident", Max: 20,
			Help: "Leave empty if you had none.",
			Questions: []Question{
				{ID: "date", Label: "Date", Type: QuestionDate, Required: true},
				{ID: "nature", Label: "Nature of the accident", Help: "Head-on, rear-end, upset and so on.", Type: QuestionShortText, Required: true},
				{ID: "fatalities", Label: "Fatalities", Type: QuestionNumber},
				{ID: "injuries", Label: "Injuries", Type: QuestionNumber},
			}},
		{ID: "convictions", Title: "Traffic convictions of the past three years", Noun: "conviction", Max: 20,
			Help: "Other than parking violations. Leave empty if you had none.",
			Questions: []Question{
				{ID: "date", Label: "Date", Type: QuestionDate, Required: true},
				{ID: "location", Label: "Location", Type: QuestionShortText, Required: true},
				{ID: "charge", Label: "Charge", Type: QuestionShortText, Required: true},
				{ID: "penalty", Label: "Penalty", Type: QuestionShortText},
			}},
		{ID: "licence_actions", Title: "Licence denials, suspensions and revocations", Questions: []Question{
			{ID: "denied", Label: "Have you ever been denied a licence, permit or privilege to operate a motor vehicle?", Type: QuestionYesNo, Required: true},
			{ID: "suspended", Label: "Has any licence, permit or privilege ever been suspended or revoked?", Type: QuestionYesNo, Required: true},
			{ID: "licence_actions_explained", Label: "If yes, explain", Type: QuestionLongText},
		}},
		{ID: "employers", Title: "Employers", Noun: "employer", Min: 1, Max: 20,
			Help: "Every employer of the past three years, and every employer for whom you drove a commercial motor vehicle in the seven years before, most recent first.",
			Questions: []Question{
				{ID: "name", Label: "Employer", Type: QuestionShortText, Required: true},
				{ID: "address", Label: "Address", Type: QuestionShortText, Required: true},
				{ID: "position", Label: "Position held", Type: QuestionShortText, Required: true},
				{ID: "from", Label: "From", Type: QuestionDate, Required: true},
				{ID: "to", Label: "To", Help: "Leave empty for your current employer.", Type: QuestionDate},
				{ID: "reason", Label: "Reason for leaving", Type: QuestionShortText},
				{ID: "cmv", Label: "Did you drive a commercial motor vehicle for this employer?", Type: QuestionYesNo, Required: true},
			}},
		{ID: "certification", Title: "Certification", Questions: []Question{
			{ID: "certify", Label: "I certify that this application was completed by me, and that all entries on it and information in it are true and complete to the best of my knowledge.",
				Type: QuestionYesNo, Required: true, MustBeYes: true},
			{ID: "signature", Label: "Your full name, typed as your signature", Type: QuestionShortText, Required: true},
			{ID: "signed_on", Label: "Date signed", Type: QuestionDate, Required: true},
		}},
	}...)
}
