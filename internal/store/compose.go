package store

import (
	"context"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// A send's text is parsed once (hiretext.Composition: the body and the
// sender's signature) and filled in for each candidate with values read in
// as few statements as the text needs: the company's and the sender's
// names once, the job titles of all candidates in one query, and whom the
// number has texted before (for a first-text signature) in one more. Only
// what the text names is read.

// composeTexts renders req's text for every distinct requested candidate,
// in request order, on c (the send's transaction, or the read pool for a
// preview). It returns the template the text came from, if any.
func (db *DB) composeTexts(ctx context.Context, c conn, req hiretext.SendRequest, num *hiretext.Number,
	plan *sendPlan) ([]hiretext.TextPreview, *hiretext.Template, error) {
	tpl, body, err := sendBody(ctx, c, req)
	if err != nil {
		return nil, nil, err
	}
	sig, err := signature(ctx, c, req.OrgID, req.UserID)
	if err != nil {
		return nil, nil, err
	}
	comp, err := hiretext.NewComposition(body, sig)
	if err != nil {
		return nil, nil, err
	}
	v, err := db.senderValues(ctx, c, req, num, comp)
	if err != nil {
		return nil, nil, err
	}
	titles, err := jobTitles(ctx, c, req, comp, plan.ids)
	if err != nil {
		return nil, nil, err
	}
	texted := map[hiretext.CandidateID]bool{}
	if comp.SignsFirstTextOnly() {
		if texted, err = textedBefore(ctx, c, req.OrgID, num.ID, plan.ids); err != nil {
			return nil, nil, err
		}
	}
	return renderAll(comp, v, num, plan, titles, texted), tpl, nil
}

// renderAll fills comp in for each candidate of plan.
func renderAll(comp *hiretext.Composition, base hiretext.MergeValues, num *hiretext.Number, plan *sendPlan,
	titles map[hiretext.CandidateID]string, texted map[hiretext.CandidateID]bool) []hiretext.TextPreview {
	out := make([]hiretext.TextPreview, len(plan.ids))
	national, abroad := phone.FormatFor(num.Phone, num.Phone), phone.FormatFor(num.Phone, "")
	code := phone.CountryCode(num.Phone)
	for i, id := range plan.ids {
		out[i] = hiretext.TextPreview{CandidateID: id, Skipped: plan.skipped[id]}
		cand := plan.found[id]
		if cand == nil {
			continue
		}
		v := base
		v.FirstName, v.LastName, v.JobTitle = cand.FirstName, cand.LastName, titles[id]
		if comp.Uses(hiretext.FieldRecruiterNumber) {
			v.RecruiterNumber = abroad
			if phone.InCountryCode(cand.TextingPhone(), code) {
				v.RecruiterNumber = national
			}
		}
		out[i].CandidateName, out[i].Rendering = cand.Name(), comp.Render(&v, !texted[id])
	}
	return out
}

// sendBody returns the template req names (which the sender must be able
// to see: the company's or their own) and the body to send: req's, or the
// template's when req has none.
func sendBody(ctx context.Context, c conn, req hiretext.SendRequest) (*hiretext.Template, string, error) {
	if req.TemplateID == 0 {
		return nil, req.Body, nil
	}
	tpl, err := templateByID(ctx, c, req.OrgID, req.UserID, req.TemplateID)
	if err != nil {
		return nil, "", err
	}
	if req.Body != "" {
		return tpl, req.Body, nil
	}
	return tpl, tpl.Body, nil
}

// senderValues reads the values every candidate of a send shares: the
// company's name and the sender's, when the text names them.
func (db *DB) senderValues(ctx context.Context, c conn, req hiretext.SendRequest, num *hiretext.Number,
	comp *hiretext.Composition) (hiretext.MergeValues, error) {
	var v hiretext.MergeValues
	if comp.Uses(hiretext.FieldCompanyName) {
		if err := c.queryRow(ctx, `SELECT name FROM organizations WHERE id = ?`, req.OrgID).Scan(&v.CompanyName); err != nil {
			return v, err
		}
	}
	if comp.Uses(hiretext.FieldRecruiterName) || comp.Uses(hiretext.FieldRecruiterFirstName) {
		if err := c.queryRow(ctx, `SELECT name FROM users WHERE org_id = ? AND id = ?`, req.OrgID, req.UserID).Scan(&v.RecruiterName); err != nil {
			return v, orNotFound(err, "User")
		}
		v.RecruiterFirstName = hiretext.FirstWord(v.RecruiterName)
	}
	return v, nil
}

// jobTitles returns what {JobTitle} is for each candidate: the title of the
// job the text is sent from, or else the job of each candidate's newest
// application. It reads nothing when the text does not name the field.
func jobTitles(ctx context.Context, c conn, req hiretext.SendRequest, comp *hiretext.Composition,
	ids []hiretext.CandidateID) (map[hiretext.CandidateID]string, error) {
	out := map[hiretext.CandidateID]string{}
	if !comp.Uses(hiretext.FieldJobTitle) || len(ids) == 0 {
		return out, nil
	}
	if req.JobID != 0 {
		job, err := jobByID(ctx, c, req.OrgID, req.JobID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = job.Title
		}
		return out, nil
	}
	args := []any{req.OrgID}
	for _, id := range ids {
		args = append(args, id)
	}
	err := queryEach(ctx, c, func(row scanner) error {
		var id hiretext.CandidateID
		var title string
		if err := row.Scan(&id, &title); err != nil {
			return err
		}
		out[id] = title
		return nil
	}, jobTitlesQuery(c.d, len(ids)), args...)
	return out, err
}

// jobTitlesQuery selects the job title of the newest application of each of
// n candidates of a company, looked up by id (see notIndexed).
func jobTitlesQuery(d dialect, n int) string {
	return `SELECT c.id, j.title FROM candidates c` + d.notIndexed() + `
		JOIN applications a ON a.id = c.last_application_id
		JOIN jobs j ON j.id = a.job_id
		WHERE c.org_id = ? AND c.id IN (` + placeholders(n) + `)`
}

// textedBefore reports which of ids the number has texted already, for a
// signature that goes on the first text of a conversation only.
func textedBefore(ctx context.Context, c conn, org hiretext.OrgID, number hiretext.NumberID,
	ids []hiretext.CandidateID) (map[hiretext.CandidateID]bool, error) {
	out := map[hiretext.CandidateID]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{org, number}
	for _, id := range ids {
		args = append(args, id)
	}
	texted, err := queryAll(ctx, c, scanValue[hiretext.CandidateID], conversationsQuery(c.d, "candidate_id", len(ids))+
		" AND last_outbound_at IS NOT NULL", args...)
	for _, id := range texted {
		out[id] = true
	}
	return out, err
}
