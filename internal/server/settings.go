package server

import (
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
)

type settingsPage struct {
	Page     Page
	Tokens   []*hiretext.APIToken
	NewToken string
	Errors   map[string]string
	// KeepTokens is the password form's "keep my API tokens" box, as typed.
	KeepTokens bool
	// Signature is the caller's signature: as saved, or as typed when
	// signatureTyped (the form came back with an error).
	Signature      hiretext.Signature
	signatureTyped bool
	Templates      []templateRow // the caller's personal templates
	Template       templateForm  // the new-template form
	Fields         []hiretext.MergeField
	// Notify is the caller's email choices and time zone: as saved, or as
	// typed when notifyTyped (the form came back with an error).
	Notify      hiretext.NotifySettings
	notifyTyped bool
	Email       bool   // whether this installation sends email
	OrgZone     string // the company's time zone, the default of the caller's
}

func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderSettings(w, r, http.StatusOK, &settingsPage{})
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, data *settingsPage) error {
	p := principalFrom(r.Context())
	tokens, err := s.store.ListTokens(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	if !data.signatureTyped {
		if data.Signature, err = s.store.Signature(r.Context(), p.org.ID, p.user.ID); err != nil {
			return err
		}
	}
	ts, err := s.store.Templates(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	if !data.notifyTyped {
		if data.Notify, err = s.store.NotifySettings(r.Context(), p.org.ID, p.user.ID); err != nil {
			return err
		}
	}
	data.Email, data.OrgZone = s.cfg.Email, p.org.Location().String()
	data.Page, data.Tokens, data.Templates, data.Fields = s.page(w, r, "My settings"), tokens, templateRows(personalTemplates, ts), hiretext.MergeFields[:]
	return s.render(w, r, status, "settings", data)
}

// handleChangePassword checks the current password, and that the new one
// was typed the same twice, before setting it; any mistake changes nothing.
// The new password ends every other session of the user, and their API
// tokens unless they ticked "keep my API tokens": whoever knew the old
// password is shut out.
func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	keep := hiretext.KeepAccess{Tokens: r.PostForm.Get("keep_tokens") == "yes"}
	errs, status := map[string]string{}, http.StatusUnprocessableEntity
	wrong, wait, err := s.checkCurrentPassword(r, p.user.Email)
	switch {
	case err != nil:
		return err
	case wait > 0:
		w.Header().Set("Retry-After", retryAfter(wait))
		errs["current"], status = "Too many wrong passwords. Wait "+humanWait(wait)+" and try again.", http.StatusTooManyRequests
	case wrong:
		errs["current"] = "That is not your current password."
	}
	newPassword := r.PostForm.Get("new")
	if err := hiretext.ValidatePassword(newPassword); err != nil {
		errs["new"] = hiretext.ErrorMessage(err)
	} else if r.PostForm.Get("confirm") != newPassword {
		errs["confirm"] = "The two new passwords are not the same. Type the new password again in both boxes."
	}
	if len(errs) > 0 {
		return s.renderSettings(w, r, status, &settingsPage{Errors: errs, KeepTokens: keep.Tokens})
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		keep.Session = c.Value
	}
	if err := s.store.SetPassword(r.Context(), p.org.ID, p.user.ID, newPassword, keep); err != nil {
		if hiretext.ErrorCode(err) != hiretext.EInvalid {
			return err
		}
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, &settingsPage{Errors: map[string]string{"new": hiretext.ErrorMessage(err)}, KeepTokens: keep.Tokens})
	}
	msg := "Your password is changed, and you are logged out everywhere else. Your API tokens are revoked: create new ones for your scripts."
	if keep.Tokens {
		msg = "Your password is changed, and you are logged out everywhere else. Your API tokens still work."
	}
	return s.redirectWithFlash(w, r, "/settings", "success", msg)
}

// checkCurrentPassword checks the password typed as the current one,
// counting a wrong one as a failed login (see passwordCheck): whoever holds
// someone's session, say at an unattended computer, may not guess their
// password either. It reports a wrong password, or how long the client
// must wait after too many (and then checks nothing).
func (s *Server) checkCurrentPassword(r *http.Request, email string) (wrong bool, wait time.Duration, err error) {
	check := s.newPasswordCheck(r, email)
	if wait, err = s.wait(r.Context(), check); err != nil || wait > 0 {
		return false, wait, err
	}
	_, err = s.store.Authenticate(r.Context(), email, r.PostForm.Get("current"))
	switch hiretext.ErrorCode(err) {
	case "":
		return false, 0, s.succeeded(r.Context(), check)
	case hiretext.EUnauthorized:
		return true, 0, s.failed(r.Context(), check)
	}
	return false, 0, err
}

// handleCreateTokenPage issues a token and shows its secret once.
func (s *Server) handleCreateTokenPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	_, secret, err := s.store.CreateToken(r.Context(), p.org.ID, p.user.ID, r.PostForm.Get("name"))
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, &settingsPage{Errors: hiretext.ErrorFields(err)})
	}
	if err != nil {
		return err
	}
	return s.renderSettings(w, r, http.StatusCreated, &settingsPage{NewToken: secret})
}

func (s *Server) handleRevokeTokenPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[hiretext.TokenID](r, "id", "Token")
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if err := s.store.RevokeToken(r.Context(), p.org.ID, p.user.ID, id); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/settings", "success", "The token is revoked.")
}
