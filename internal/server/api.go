package server

import (
	"net/http"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/docs"
)

type apiOrg struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

type apiUser struct {
	ID          string                `json:"id"`
	Email       string                `json:"email"`
	Name        string                `json:"name"`
	Role        hiretext.Role         `json:"role"`
	Permissions []hiretext.Permission `json:"permissions"`
	Active      bool                  `json:"active"`
}

type apiMe struct {
	apiUser
	Org    apiOrg    `json:"org"`
	Notify apiNotify `json:"notify"`
	// TimeZone is the user's IANA time zone, the company's unless they set
	// their own; the daily digest comes at 8 a.m. there.
	TimeZone string `json:"time_zone"`
	// Email says whether this installation sends email at all.
	Email bool `json:"email_enabled"`
}

func toAPIUser(u *hiretext.User) apiUser {
	perms := u.Permissions
	if perms == nil {
		perms = []hiretext.Permission{}
	}
	return apiUser{ID: idString(u.ID), Email: u.Email, Name: u.Name, Role: u.Role, Permissions: perms, Active: u.Active}
}

func (s *Server) handleAPIMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	n, err := s.store.NotifySettings(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiMe{apiUser: toAPIUser(p.user), Org: apiOrg{Slug: p.org.Slug, Name: p.org.Name, Timezone: p.org.Timezone},
		Notify:   apiNotify{AwayReply: &n.AwayReply, Digest: &n.Digest, Allowance: &n.Allowance},
		TimeZone: n.Location(p.org.Location()).String(), Email: s.cfg.Email})
	return nil
}

func (s *Server) handleAPIUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.ListUsers(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	out := struct {
		Users []apiUser `json:"users"`
	}{Users: make([]apiUser, len(users))}
	for i, u := range users {
		out.Users[i] = toAPIUser(u)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(docs.OpenAPI)
	return err
}

// apiNewUser is the body of POST /api/v1/users.
type apiNewUser struct {
	Email       string   `json:"email"`
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
	Password    string   `json:"password"`
}

// handleAPICreateUser creates a user; without a password one is generated
// and returned once.
func (s *Server) handleAPICreateUser(w http.ResponseWriter, r *http.Request) error {
	var in apiNewUser
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	perms, err := hiretext.NormalizePermissions(in.Permissions)
	if err != nil {
		return err
	}
	generated := in.Password == ""
	if generated {
		in.Password = GeneratePassword()
	}
	u, err := s.store.CreateUser(r.Context(), hiretext.NewUser{OrgID: principalFrom(r.Context()).org.ID,
		Email: in.Email, Name: in.Name, Role: hiretext.Role(in.Role), Permissions: perms, Password: in.Password})
	if err != nil {
		return err
	}
	out := struct {
		apiUser
		Password string `json:"password,omitempty"`
	}{apiUser: toAPIUser(u)}
	if generated {
		out.Password = in.Password
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// apiUserPatch is the body of PATCH /api/v1/users/{id}; absent fields stay.
type apiUserPatch struct {
	Name        *string   `json:"name"`
	Role        *string   `json:"role"`
	Permissions *[]string `json:"permissions"`
	Active      *bool     `json:"active"`
}

// handleAPIUpdateUser changes a user's name, role, permissions or active
// state. Administrators cannot demote or deactivate themselves.
func (s *Server) handleAPIUpdateUser(w http.ResponseWriter, r *http.Request) error {
	target, err := s.targetUser(r)
	if err != nil {
		return err
	}
	var in apiUserPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	upd, err := in.toUpdate()
	if err != nil {
		return err
	}
	if target.ID == principalFrom(r.Context()).user.ID &&
		((upd.Role != nil && *upd.Role != hiretext.RoleAdmin) || (upd.Active != nil && !*upd.Active)) {
		return hiretext.Errorf(hiretext.EInvalid, "You cannot remove your own administrator access.")
	}
	u, err := s.store.UpdateUser(r.Context(), target.OrgID, target.ID, upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIUser(u))
	return nil
}

func (in apiUserPatch) toUpdate() (hiretext.UserUpdate, error) {
	upd := hiretext.UserUpdate{Name: in.Name, Active: in.Active}
	if in.Role != nil {
		role := hiretext.Role(*in.Role)
		upd.Role = &role
	}
	if in.Permissions != nil {
		perms, err := hiretext.NormalizePermissions(*in.Permissions)
		if err != nil {
			return upd, err
		}
		upd.Permissions = &perms
	}
	return upd, nil
}
