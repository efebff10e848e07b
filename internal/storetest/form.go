package storetest

import "github.com/hiretext/hiretext"

// WarehouseForm is the custom form: Standard with two questions of
// its own, a required yes/no and a multiple choice.
func WarehouseForm() hiretext.FormInput {
	return hiretext.FormInput{Name: "Warehouse application", Base: hiretext.FormStandard, Questions: []hiretext.Question{
		{Label: "Forklift certified?", Type: hiretext.QuestionYesNo, Required: true},
		{Label: "Shifts available", Type: hiretext.QuestionMultiple, Choices: []string{"Days", "Nights", "Weekends"}},
	}}
}

// DOTAnswers is a complete DOT driver application (the answers beyond the
// applicant's details) with two licences and two
// employers, the second of each at entry index 2 (an entry removed between).
func DOTAnswers() hiretext.AnswerInput {
	in := hiretext.AnswerInput{"date_of_birth": {"1985-03-02"}, "denied": {"no"}, "suspended": {"no"},
		"certify": {"yes"}, "signature": {"Dee Driver"}, "signed_on": {"2026-12-07"}}
	set := func(section string, i int, pairs ...string) {
		for j := 0; j+1 < len(pairs); j += 2 {
			in[hiretext.GroupKey(section, pairs[j], i)] = []string{pairs[j+1]}
		}
	}
	set("addresses", 0, "street", "1 Main St", "city", "Joliet", "state", "IL", "zip", "60431", "from", "2020-01-01")
	set("licences", 0, "state", "IL", "number", "D123-4567-8901", "class", "A", "endorsements", "N, T", "expires", "2028-03-02")
	set("licences", 2, "state", "IN", "number", "1234-56-7890", "class", "B", "expires", "2024-05-01")
	set("employers", 0, "name", "Acme Freight", "address", "2 Dock Rd, Joliet IL", "position", "Driver", "from", "2022-01-01", "cmv", "yes")
	set("employers", 2, "name", "Best Haul", "address", "3 Yard Ave, Gary IN", "position", "Driver", "from", "2019-01-01",
		"to", "2021-12-31", "reason", "Moved", "cmv", "yes")
	return in
}
