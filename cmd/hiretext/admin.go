package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/store"
)

// adminCommand is one operator command, such as "org create".
type adminCommand struct {
	synopsis string
	run      func(ctx context.Context, args []string, e env) error
}

func adminCommands() map[string]adminCommand {
	return map[string]adminCommand{
		"org create": {"hiretext admin org create --name NAME --slug SLUG [--timezone IANA_TZ] [--region US]", adminOrgCreate},
		"org list":   {"hiretext admin org list", adminOrgList},
		"user create": {"hiretext admin user create --org SLUG --email EMAIL --name NAME --role admin|user " +
			"[--permissions jobs,pool,profiles,sms-report] [--password-stdin]", adminUserCreate},
		"user list":    {"hiretext admin user list --org SLUG", adminUserList},
		"token create": {"hiretext admin token create --org SLUG --email EMAIL [--name NAME]", adminTokenCreate},

		// Texting numbers and their allowances.
		"numbers grant": {"hiretext admin numbers grant --org SLUG --count N [--monthly-allowance M]", adminNumbersGrant},
		"allowance set": {"hiretext admin allowance set --number E164 --monthly M", adminAllowanceSet},

		// Consent and personal data.
		"consent verify":  {"hiretext admin consent verify --org SLUG", adminConsentVerify},
		"candidate erase": {"hiretext admin candidate erase --org SLUG --id N", adminCandidateErase},
	}
}

// adminUsage lists the admin commands, or only those of group ("org",
// "user", …) when it names one.
func adminUsage(e env, group string) {
	fmt.Fprintln(e.stderr, "Usage: hiretext admin COMMAND [flags]\n\nCommands:")
	cmds := adminCommands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		if group == "" || strings.HasPrefix(n, group+" ") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(e.stderr, "  "+cmds[n].synopsis)
	}
	fmt.Fprintln(e.stderr, "\nEvery command takes --database URL (env HIRETEXT_DATABASE) and --json.")
}

func runAdmin(ctx context.Context, args []string, e env) error {
	if len(args) >= 1 && isHelp(args[0]) {
		adminUsage(e, "")
		return nil
	}
	if len(args) >= 2 && isHelp(args[1]) && adminGroup(args[0]) {
		adminUsage(e, args[0])
		return nil
	}
	if len(args) < 2 {
		adminUsage(e, "")
		return errUsage
	}
	cmd, ok := adminCommands()[args[0]+" "+args[1]]
	if !ok {
		fmt.Fprintf(e.stderr, "hiretext admin: unknown command %q\n\n", args[0]+" "+args[1])
		adminUsage(e, "")
		return errUsage
	}
	// What an operator command changes is the operator's act in the audit trail.
	return cmd.run(hiretext.WithActor(ctx, hiretext.OperatorActor()), args[2:], e)
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "--help" || arg == "-h" || arg == "-help" || arg == "help"
}

// adminGroup reports whether some admin command starts with group.
func adminGroup(group string) bool {
	for n := range adminCommands() {
		if strings.HasPrefix(n, group+" ") {
			return true
		}
	}
	return false
}

// adminFlags are the flags every admin command shares.
type adminFlags struct {
	fs       *flag.FlagSet
	database *string
	json     *bool
}

func newAdminFlags(name string, e env) adminFlags {
	fs := newFlagSet("admin "+name, adminCommands()[name].synopsis, e)
	return adminFlags{fs: fs, database: databaseFlag(fs, e), json: fs.Bool("json", false, "print one JSON object instead of a sentence")}
}

// output prints a human sentence, or v as one JSON object with --json.
func (f adminFlags) output(e env, human string, v any) error {
	if *f.json {
		enc := json.NewEncoder(e.stdout)
		return enc.Encode(v)
	}
	_, err := fmt.Fprintln(e.stdout, human)
	return err
}

// required reports the first empty required flag as a usage error.
func (f adminFlags) required(names ...string) error {
	for _, n := range names {
		if strings.TrimSpace(f.fs.Lookup(n).Value.String()) == "" {
			fmt.Fprintf(f.fs.Output(), "--%s is required\n", n)
			f.fs.Usage()
			return errUsage
		}
	}
	return nil
}

// describe turns a coded error into a readable line naming the fields.
func describe(err error) error {
	fields := hiretext.ErrorFields(err)
	if len(fields) == 0 {
		if hiretext.ErrorCode(err) == hiretext.EInternal {
			return err
		}
		return fmt.Errorf("%s", hiretext.ErrorMessage(err))
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = "--" + k + ": " + fields[k]
	}
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}

type jsonOrg struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	Timezone string `json:"timezone"`
	Region   string `json:"region"`
}

func toJSONOrg(o *hiretext.Organization) jsonOrg {
	return jsonOrg{ID: strconv.FormatInt(int64(o.ID), 10), Name: o.Name, Slug: o.Slug, Timezone: o.Timezone, Region: o.Region}
}

func adminOrgCreate(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("org create", e)
	name := f.fs.String("name", "", "company name")
	slug := f.fs.String("slug", "", "URL-safe identifier, e.g. acme-staffing")
	tz := f.fs.String("timezone", "UTC", "IANA time zone, e.g. America/Chicago")
	region := f.fs.String("region", "US", "default phone region (ISO country code)")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("name", "slug"); err != nil {
		return err
	}
	return withNewOrExistingDB(ctx, *f.database, func(db *store.DB) error {
		o, err := db.CreateOrg(ctx, hiretext.NewOrganization{Name: *name, Slug: *slug, Timezone: *tz, Region: *region})
		if err != nil {
			return describe(err)
		}
		return f.output(e, fmt.Sprintf("Created company %q (slug %s, time zone %s, phone region %s).", o.Name, o.Slug, o.Timezone, o.Region), toJSONOrg(o))
	})
}

func adminOrgList(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("org list", e)
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	return withDB(ctx, *f.database, func(db *store.DB) error {
		orgs, err := db.ListOrgs(ctx)
		if err != nil {
			return err
		}
		out := struct {
			Orgs []jsonOrg `json:"orgs"`
		}{Orgs: []jsonOrg{}}
		lines := []string{fmt.Sprintf("%d compan%s", len(orgs), plural(len(orgs), "y", "ies"))}
		for _, o := range orgs {
			out.Orgs = append(out.Orgs, toJSONOrg(o))
			lines = append(lines, fmt.Sprintf("  %-24s %-30s %s", o.Slug, o.Name, o.Timezone))
		}
		return f.output(e, strings.Join(lines, "\n"), out)
	})
}

type jsonUser struct {
	ID          string                `json:"id"`
	Email       string                `json:"email"`
	Name        string                `json:"name"`
	Role        hiretext.Role         `json:"role"`
	Permissions []hiretext.Permission `json:"permissions"`
	Active      bool                  `json:"active"`
	Password    string                `json:"password,omitempty"`
}

func toJSONUser(u *hiretext.User) jsonUser {
	perms := u.Permissions
	if perms == nil {
		perms = []hiretext.Permission{}
	}
	return jsonUser{ID: strconv.FormatInt(int64(u.ID), 10), Email: u.Email, Name: u.Name, Role: u.Role, Permissions: perms, Active: u.Active}
}

func adminUserCreate(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("user create", e)
	org := f.fs.String("org", "", "company slug")
	email := f.fs.String("email", "", "email address (unique across companies)")
	name := f.fs.String("name", "", "full name")
	role := f.fs.String("role", "", "admin or user")
	permList := f.fs.String("permissions", "", "for role user: any of jobs,pool,profiles,sms-report")
	pwStdin := f.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("org", "email", "name", "role"); err != nil {
		return err
	}
	perms, err := hiretext.ParsePermissions(*permList)
	if err != nil {
		return describe(err)
	}
	pw, generated, err := readPassword(e, *pwStdin)
	if err != nil {
		return err
	}
	return withOrg(ctx, *f.database, *org, func(db *store.DB, o *hiretext.Organization) error {
		u, err := db.CreateUser(ctx, hiretext.NewUser{OrgID: o.ID, Email: *email, Name: *name, Role: hiretext.Role(*role), Permissions: perms, Password: pw})
		if err != nil {
			return describe(err)
		}
		ju := toJSONUser(u)
		human := fmt.Sprintf("Created %s %s <%s> in %s.", u.Role, u.Name, u.Email, o.Slug)
		if generated {
			ju.Password = pw
			human += fmt.Sprintf(" Password (shown only now): %s", pw)
		}
		return f.output(e, human, ju)
	})
}

// readPassword reads one line from stdin, or generates a password.
func readPassword(e env, fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		return server.GeneratePassword(), true, nil
	}
	line, _ := bufio.NewReader(e.stdin).ReadString('\n') // io.EOF still returns the line read
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", false, fmt.Errorf("--password-stdin: no password on standard input")
	}
	if err := hiretext.ValidatePassword(line); err != nil {
		return "", false, fmt.Errorf("--password-stdin: %s", hiretext.ErrorMessage(err))
	}
	return line, false, nil
}

func adminUserList(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("user list", e)
	org := f.fs.String("org", "", "company slug")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("org"); err != nil {
		return err
	}
	return withOrg(ctx, *f.database, *org, func(db *store.DB, o *hiretext.Organization) error {
		users, err := db.ListUsers(ctx, o.ID)
		if err != nil {
			return err
		}
		out := struct {
			Users []jsonUser `json:"users"`
		}{Users: []jsonUser{}}
		lines := []string{fmt.Sprintf("%d user%s in %s", len(users), plural(len(users), "", "s"), o.Slug)}
		for _, u := range users {
			out.Users = append(out.Users, toJSONUser(u))
			status := ""
			if !u.Active {
				status = " (deactivated)"
			}
			lines = append(lines, fmt.Sprintf("  %-40s %-24s %-6s %s%s", u.Email, u.Name, u.Role, joinPermissions(u.Permissions), status))
		}
		return f.output(e, strings.Join(lines, "\n"), out)
	})
}

func adminTokenCreate(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("token create", e)
	org := f.fs.String("org", "", "company slug")
	email := f.fs.String("email", "", "the user the token acts as")
	name := f.fs.String("name", "created by the operator", "a label to recognise the token by")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("org", "email"); err != nil {
		return err
	}
	return withOrg(ctx, *f.database, *org, func(db *store.DB, o *hiretext.Organization) error {
		u, err := db.UserByEmail(ctx, o.ID, *email)
		if err != nil {
			return fmt.Errorf("no user %s in %s", *email, o.Slug)
		}
		_, secret, err := db.CreateToken(ctx, o.ID, u.ID, *name)
		if err != nil {
			return describe(err)
		}
		return f.output(e, fmt.Sprintf("API token for %s (shown only now; only its hash is stored):\n%s", u.Email, secret),
			map[string]string{"token": secret})
	})
}

// withDB opens and migrates an existing database for one command. A SQLite
// file that does not exist is refused rather than created: a mistyped
// --database would otherwise answer "0 companies" from a new, empty one.
func withDB(ctx context.Context, url string, fn func(db *store.DB) error) error {
	if err := sqliteFileExists(url); err != nil {
		return err
	}
	return withNewOrExistingDB(ctx, url, fn)
}

// withNewOrExistingDB is withDB for the command that sets up a new
// installation (org create), which may create the database.
func withNewOrExistingDB(ctx context.Context, url string, fn func(db *store.DB) error) error {
	db, err := openMigrated(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// withOrg is withDB plus looking the company up by slug.
func withOrg(ctx context.Context, url, slug string, fn func(db *store.DB, o *hiretext.Organization) error) error {
	return withDB(ctx, url, func(db *store.DB) error {
		o, err := db.OrgBySlug(ctx, slug)
		if hiretext.ErrorCode(err) == hiretext.ENotFound {
			return fmt.Errorf("--org: no company with slug %q (see hiretext admin org list)", slug)
		}
		if err != nil {
			return err
		}
		return fn(db, o)
	})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func joinPermissions(ps []hiretext.Permission) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}
