package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"

	"github.com/hiretext/hiretext"
)

// userForm is the state of the add/edit user form.
type userForm struct {
	Name, Email, Role string
	Permissions       []hiretext.Permission
	Editing           bool
	Errors            map[string]string
}

// PermissionChoice is one permission checkbox.
type PermissionChoice struct {
	Value, Label string
	Checked      bool
}

var permissionLabels = map[hiretext.Permission]string{
	hiretext.PermJobs:      "Jobs — view and manage job postings",
	hiretext.PermPool:      "Candidate pool — search all candidates",
	hiretext.PermProfiles:  "Candidate profiles — open a candidate's profile",
	hiretext.PermSMSReport: "SMS Activity report",
}

// PermissionChoices lists the checkboxes with their state.
func (f userForm) PermissionChoices() []PermissionChoice {
	out := make([]PermissionChoice, len(hiretext.AllPermissions))
	for i, p := range hiretext.AllPermissions {
		out[i] = PermissionChoice{Value: string(p), Label: permissionLabels[p], Checked: slices.Contains(f.Permissions, p)}
	}
	return out
}

type adminUsersPage struct {
	Page    Page
	Users   []*hiretext.User
	Form    userForm
	Created *createdUser
}

type createdUser struct{ Name, Email, Password string }

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminUsers(w, r, http.StatusOK, userForm{Role: "user"}, nil)
}

func (s *Server) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, f userForm, created *createdUser) error {
	p := principalFrom(r.Context())
	users, err := s.store.ListUsers(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "admin_users", &adminUsersPage{Page: s.page(w, r, "Users"), Users: users, Form: f, Created: created})
}

// handleAdminCreateUser creates a user; without a password one is generated
// and shown once.
func (s *Server) handleAdminCreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	f := userForm{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"), Role: r.PostForm.Get("role")}
	perms, err := hiretext.NormalizePermissions(r.PostForm["permissions"])
	if err != nil {
		f.Errors = hiretext.ErrorFields(err)
		return s.renderAdminUsers(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	f.Permissions = perms
	pw := r.PostForm.Get("password")
	if pw == "" {
		pw = GeneratePassword()
	}
	u, err := s.store.CreateUser(r.Context(), hiretext.NewUser{OrgID: p.org.ID, Email: f.Email, Name: f.Name,
		Role: hiretext.Role(f.Role), Permissions: perms, Password: pw})
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		f.Errors = hiretext.ErrorFields(err)
		return s.renderAdminUsers(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	if err != nil {
		return err
	}
	created := &createdUser{Name: u.Name, Email: u.Email}
	if r.PostForm.Get("password") == "" {
		created.Password = pw
	} else {
		created.Password = "(the password you entered)"
	}
	return s.renderAdminUsers(w, r, http.StatusCreated, userForm{Role: "user"}, created)
}

type adminUserPage struct {
	Page   Page
	Target *hiretext.User
	Form   userForm
	IsSelf bool
}

func (s *Server) targetUser(r *http.Request) (*hiretext.User, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, hiretext.Errorf(hiretext.ENotFound, "User not found.")
	}
	return s.store.UserByID(r.Context(), principalFrom(r.Context()).org.ID, hiretext.UserID(id))
}

func (s *Server) handleAdminUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.targetUser(r)
	if err != nil {
		return err
	}
	f := userForm{Name: u.Name, Role: string(u.Role), Permissions: u.Permissions, Editing: true}
	return s.renderAdminUser(w, r, http.StatusOK, u, f)
}

func (s *Server) renderAdminUser(w http.ResponseWriter, r *http.Request, status int, u *hiretext.User, f userForm) error {
	self := principalFrom(r.Context()).user.ID == u.ID
	return s.render(w, r, status, "admin_user_edit", &adminUserPage{Page: s.page(w, r, u.Name), Target: u, Form: f, IsSelf: self})
}

// handleAdminUpdateUser saves a user's name, role and permissions. An
// administrator cannot demote themselves, so a company always keeps one.
func (s *Server) handleAdminUpdateUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.targetUser(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	f := userForm{Name: r.PostForm.Get("name"), Role: r.PostForm.Get("role"), Editing: true}
	perms, err := hiretext.NormalizePermissions(r.PostForm["permissions"])
	if err == nil && u.ID == principalFrom(r.Context()).user.ID && f.Role != string(hiretext.RoleAdmin) {
		err = hiretext.FieldError("You cannot remove your own administrator role.", map[string]string{"role": "You cannot remove your own administrator role."})
	}
	if err == nil {
		role := hiretext.Role(f.Role)
		_, err = s.store.UpdateUser(r.Context(), u.OrgID, u.ID, hiretext.UserUpdate{Name: &f.Name, Role: &role, Permissions: &perms})
	}
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		f.Permissions, f.Errors = perms, hiretext.ErrorFields(err)
		return s.renderAdminUser(w, r, http.StatusUnprocessableEntity, u, f)
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/users", "success", "Saved "+f.Name+".")
}

// handleAdminSetActive deactivates or reactivates a user.
func (s *Server) handleAdminSetActive(active bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.targetUser(r)
		if err != nil {
			return err
		}
		if !active && u.ID == principalFrom(r.Context()).user.ID {
			return hiretext.Errorf(hiretext.EInvalid, "You cannot deactivate yourself.")
		}
		if _, err := s.store.UpdateUser(r.Context(), u.OrgID, u.ID, hiretext.UserUpdate{Active: &active}); err != nil {
			return err
		}
		msg := u.Name + " is deactivated; their sessions and API tokens no longer work."
		if active {
			msg = u.Name + " is active again."
		}
		return s.redirectWithFlash(w, r, "/admin/users", "success", msg)
	}
}

// GeneratePassword returns a random 20-character password.
func GeneratePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
