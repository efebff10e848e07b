package server

import (
	"net/http"

	"github.com/hiretext/hiretext"
)

// textingForm is the Texting settings form, as typed.
type textingForm struct {
	ConsentDisclosure         string
	OptOutConfirmation        string
	OptOutConfirmationEnabled bool
	OptInConfirmation         string
	HelpReply                 string
	HelpContact               string
	OptOutConfirmationES      string
	OptInConfirmationES       string
	HelpReplyES               string
	Errors                    map[string]string
}

// textPreview shows one text as candidates will receive it.
type textPreview struct {
	Label    string
	Text     string
	Segments int // 0 for the disclosure, which is not texted
}

type textingSettingsPage struct {
	Page     Page
	Form     textingForm
	Previews []textPreview
	Defaults *hiretext.TextingSettings
	Saved    *hiretext.TextingSettings // what candidates get now
}

func (s *Server) handleTextingSettings(w http.ResponseWriter, r *http.Request) error {
	settings, err := s.store.TextingSettings(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	f := textingForm{ConsentDisclosure: settings.ConsentDisclosure, OptOutConfirmation: settings.OptOutConfirmation,
		OptOutConfirmationEnabled: settings.OptOutConfirmationEnabled, OptInConfirmation: settings.OptInConfirmation,
		HelpReply: settings.HelpReply, HelpContact: settings.HelpContact, OptOutConfirmationES: settings.OptOutConfirmationES,
		OptInConfirmationES: settings.OptInConfirmationES, HelpReplyES: settings.HelpReplyES}
	return s.renderTextingSettings(w, r, http.StatusOK, f, settings)
}

// renderTextingSettings shows the form and previews of the saved texts.
func (s *Server) renderTextingSettings(w http.ResponseWriter, r *http.Request, status int, f textingForm, saved *hiretext.TextingSettings) error {
	optOut, send := saved.OptOutReply()
	stopLabel := "Reply to STOP"
	if !send {
		stopLabel += " (not sent)"
	}
	data := &textingSettingsPage{Page: s.page(w, r, "Texting settings"), Form: f, Saved: saved,
		Defaults: hiretext.DefaultTextingSettings(principalFrom(r.Context()).org),
		Previews: []textPreview{
			{Label: "Consent disclosure (application form)", Text: saved.Disclosure()},
			preview(stopLabel, optOut), preview("Reply to START", saved.OptInReply()), preview("Reply to HELP", saved.HelpText()),
		}}
	for _, es := range []struct {
		label string
		kw    hiretext.Keyword
	}{{"Reply to BAJA (Spanish)", hiretext.KeywordOptOut}, {"Reply to COMENZAR (Spanish)", hiretext.KeywordOptIn}, {"Reply to AYUDA (Spanish)", hiretext.KeywordHelp}} {
		text, send := saved.Reply(es.kw, hiretext.Spanish)
		if !send {
			es.label += " (not sent)"
		}
		data.Previews = append(data.Previews, preview(es.label, text))
	}
	return s.render(w, r, status, "admin_texting", data)
}

func preview(label, text string) textPreview {
	return textPreview{Label: label, Text: text, Segments: hiretext.CountSegments(text).Segments}
}

// handleSaveTextingSettings saves the texting settings; invalid input shows
// every error at once and saves nothing.
func (s *Server) handleSaveTextingSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	f := textingForm{ConsentDisclosure: r.PostForm.Get("consent_disclosure"), OptOutConfirmation: r.PostForm.Get("optout_confirmation"),
		OptOutConfirmationEnabled: r.PostForm.Get("optout_confirmation_enabled") == "yes",
		OptInConfirmation:         r.PostForm.Get("optin_confirmation"), HelpReply: r.PostForm.Get("help_reply"),
		HelpContact: r.PostForm.Get("help_contact"), OptOutConfirmationES: r.PostForm.Get("optout_confirmation_es"),
		OptInConfirmationES: r.PostForm.Get("optin_confirmation_es"), HelpReplyES: r.PostForm.Get("help_reply_es")}
	_, err := s.store.UpdateTextingSettings(r.Context(), p.org.ID, hiretext.TextingSettingsUpdate{
		ConsentDisclosure: f.ConsentDisclosure, OptOutConfirmation: f.OptOutConfirmation,
		OptOutConfirmationEnabled: f.OptOutConfirmationEnabled, OptInConfirmation: f.OptInConfirmation,
		HelpReply: f.HelpReply, HelpContact: f.HelpContact, OptOutConfirmationES: f.OptOutConfirmationES,
		OptInConfirmationES: f.OptInConfirmationES, HelpReplyES: f.HelpReplyES}, p.user.ID)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		f.Errors = hiretext.ErrorFields(err)
		saved, err := s.store.TextingSettings(r.Context(), p.org.ID)
		if err != nil {
			return err
		}
		return s.renderTextingSettings(w, r, http.StatusUnprocessableEntity, f, saved)
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/texting", "success", "Saved the texting settings. New applications show the new disclosure.")
}
