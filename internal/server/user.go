package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"

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

// PermissionChoices lists the checkboxes with their state.
func (f userForm) PermissionChoices() []PermissionChoice {
	out := make([]PermissionChoice, len(hiretext.AllPermissions))
	for i, p := range hiretext.AllPermissions {
		out[i] = PermissionChoice{Value: string(p), Label: p.Label() + " — " + p.Allows(), Checked: slices.Contains(f.Permissions, p)}
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
// and shown once. Any invalid field shows the form again with every error
// at once, and nothing is stored.
func (s *Server) handleAdminCreateUser(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	f := userForm{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"), Role: r.PostForm.Get("role")}
	pw := r.PostForm.Get("password")
	if pw == "" {
		pw = GeneratePassword()
	}
	perms, permErr := hiretext.NormalizePermissions(r.PostForm["permissions"])
	n := hiretext.NewUser{OrgID: principalFrom(r.Context()).org.ID, Email: f.Email, Name: f.Name,
		Role: hiretext.Role(f.Role), Permissions: perms, Password: pw}
	if permErr != nil {
		// Unknown permissions: report them with the other fields' errors.
		f.Errors = withField(hiretext.ErrorFields(n.Validate()), "permissions", hiretext.ErrorFields(permErr)["permissions"])
		return s.renderAdminUsers(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	u, err := s.store.CreateUser(r.Context(), n)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		f.Permissions, f.Errors = perms, hiretext.ErrorFields(err)
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
	id, err := pathID[hiretext.UserID](r, "id", "User")
	if err != nil {
		return nil, err
	}
	return s.store.UserByID(r.Context(), principalFrom(r.Context()).org.ID, id)
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
// Any invalid field shows the form again with every error at once.
func (s *Server) handleAdminUpdateUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.targetUser(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	f := userForm{Name: r.PostForm.Get("name"), Role: r.PostForm.Get("role"), Editing: true}
	perms, permErr := hiretext.NormalizePermissions(r.PostForm["permissions"])
	role := hiretext.Role(f.Role)
	upd := hiretext.UserUpdate{Name: &f.Name, Role: &role, Permissions: &perms}
	f.Errors = hiretext.ErrorFields(upd.Validate())
	if permErr != nil {
		f.Errors = withField(f.Errors, "permissions", hiretext.ErrorFields(permErr)["permissions"])
	}
	if u.ID == principalFrom(r.Context()).user.ID && role != hiretext.RoleAdmin {
		f.Errors = withField(f.Errors, "role", "You cannot remove your own administrator role.")
	}
	if f.Errors == nil {
		_, err = s.store.UpdateUser(r.Context(), u.OrgID, u.ID, upd)
		if err == nil {
			return s.redirectWithFlash(w, r, "/admin/users", "success", "Saved "+*upd.Name+".")
		}
		if hiretext.ErrorCode(err) != hiretext.EInvalid {
			return err
		}
		f.Errors = hiretext.ErrorFields(err)
	}
	f.Permissions = perms
	return s.renderAdminUser(w, r, http.StatusUnprocessableEntity, u, f)
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
