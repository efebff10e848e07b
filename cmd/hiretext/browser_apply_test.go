package main

// The application journeys: the public form as a candidate meets it.

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserApplyWithoutTextingAnswer: a candidate submits the public form
// without answering the texting question; the application is accepted, the
// candidate is told they will not be texted, and their profile shows them
// opted out with the consent history's reason.
func TestBrowserApplyWithoutTextingAnswer(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.WaitText("Welcome, " + danaName)

	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, dana, "Forklift Operator"))
	candidate.WaitText("If you choose nothing, we will not text you.")
	candidate.Fill("First name", "Nora")
	candidate.Fill("Last name", "Noanswer")
	candidate.Fill("Email", "nora.noanswer@example.com")
	candidate.Fill("Main phone", "(773) 555-0187")
	candidate.Click("Submit application")
	candidate.WaitText("You did not choose whether we may text you, so we will not.")

	openProfile(t, dana, "Noanswer")
	dana.WaitText("SMS: Opted Out")
	dana.WaitText(hiretext.NoAnswerNote)
}

// viewport is a browser window's size.
type viewport struct {
	name          string
	width, height int64
}

// widths are the viewports the application journeys run at: a desktop
// and a phone.
var widths = []viewport{{"desktop", 1280, 900}, {"phone", 390, 844}}

// eachWidth runs journey once per viewport of widths, in parallel, each
// with an application of its own.
func eachWidth(t *testing.T, journey func(t *testing.T, app *app, w viewport)) {
	for _, w := range widths {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			journey(t, startApp(t), w)
		})
	}
}

// loggedInAt opens a page called name at viewport w and logs in the demo
// user with email and name.
func loggedInAt(t *testing.T, app *app, w viewport, page, email, name string) *browsertest.Page {
	t.Helper()
	p := app.page(t, page)
	p.SetViewport(w.width, w.height)
	loginAs(t, p, email, demo.Password)
	p.WaitText("Welcome, " + name)
	return p
}

// TestBrowserWarehouseForm is the first journey: an administrator
// creates "Warehouse application" from Standard with a required yes/no and
// a multiple choice and sets it on a job; a candidate applies through the
// public link without answering the texting question and is opted out,
// with the answers on the profile.
func TestBrowserWarehouseForm(t *testing.T) {
	t.Parallel()
	eachWidth(t, func(t *testing.T, app *app, w viewport) {
		dana := loggedInAt(t, app, w, "dana", danaEmail, danaName)

		dana.Visit("/admin/forms")
		dana.Fill("Name", "Warehouse application")
		dana.Click("Create form")
		dana.WaitText("Created “Warehouse application”.")
		dana.WaitText("Always asked")
		dana.Click("Add a question")
		dana.Fill("Question 1: Wording", "Forklift certified?")
		dana.Fill("Question 1: Answer type", "Yes or no")
		dana.Check("Required (question 1)")
		dana.Click("Add a question")
		dana.Fill("Question 2: Wording", "Shifts available")
		dana.Fill("Question 2: Answer type", "Multiple choice")
		dana.Fill("Question 2: Choices", "Days\nNights\nWeekends")
		dana.Fill("Question 2: Wording", "Shifts available")
		dana.Press("Enter") // saves: the editor's default button is Save, not a move or remove button
		dana.WaitText("Saved the form.")

		dana.Visit("/jobs")
		dana.Click("Forklift Operator")
		link := dana.Value("Application link")
		dana.Click("Edit")
		dana.Fill("Application form", "Warehouse application")
		dana.Click("Save changes")
		dana.WaitText("Saved the job posting.")

		candidate := app.page(t, "candidate")
		candidate.SetViewport(w.width, w.height)
		candidate.Visit(link)
		candidate.Fill("First name", "Wes")
		candidate.Fill("Last name", "Warehouse")
		candidate.Fill("Email", "wes.warehouse@example.com")
		candidate.Fill("Main phone", "(872) 555-0187")
		candidate.Check("Nights")
		candidate.Click("Submit application")
		candidate.WaitText("Answer “Forklift certified?”.") // required: shown with the form again
		candidate.Check("Yes")
		candidate.Check("Weekends")
		candidate.Click("Submit application")
		candidate.WaitText("You did not choose whether we may text you, so we will not.")

		findProfile(t, dana, "Wes Warehouse")
		dana.WaitText("SMS: Opted Out")
		dana.Click("Answers to Warehouse application")
		dana.WaitText("Forklift certified?")
		dana.WaitText("Nights, Weekends")
	})
}

// TestBrowserDOTApplication is the second journey: a driver
// applies to a job using the DOT driver application with two licences and
// two employers, opting in on the alternate phone, and is texted.
func TestBrowserDOTApplication(t *testing.T) {
	t.Parallel()
	eachWidth(t, func(t *testing.T, app *app, w viewport) {
		marcus := loggedInAt(t, app, w, "marcus", marcusEmail, marcusName)
		marcus.Visit("/jobs/new")
		marcus.Fill("Title", "CDL Driver")
		marcus.Fill("Application form", "DOT driver application")
		marcus.Click("Create job")
		link := marcus.Value("Application link")

		const textPhone = "(872) 555-0189"
		d := app.page(t, "driver")
		d.SetViewport(w.width, w.height)
		d.Visit(link)
		d.Fill("First name", "Dee")
		d.Fill("Last name", "Driver")
		d.Fill("Email", "dee.driver@example.com")
		d.Fill("Main phone", "(872) 555-0188")
		d.Fill("Alternate phone", textPhone)
		d.Check("Yes, text my alternate phone")
		fillDOT(t, d)
		assertNoSidewaysScroll(t, d)
		d.Fill("First name", "Dee")
		d.Press("Enter") // submits: the default button is Submit, not an add or remove button
		d.WaitText("We may text you about it at " + textPhone)

		findProfile(t, marcus, "Dee Driver")
		marcus.WaitText("Opted in (alternate) " + textPhone)
		marcus.Click("Answers to DOT driver application")
		marcus.WaitText("Licence 2: Licence number")
		marcus.WaitText("Best Haul")
		msg := "Hi Dee, thanks for applying to drive with Acme Staffing. Free for a call today?"
		marcus.Click("Text Dee Driver (no texts yet)")
		marcus.Type(msg)
		marcus.Click("Send")
		waitSent(t, marcus, "Dee Driver")
		phone := app.page(t, "phone")
		openHandset(t, phone, textPhone)
		waitOnHandset(t, phone, msg)
	})
}

// fillDOT fills in the DOT driver application on p: one address, two
// licences and two employers (each second one added with its button), no
// accidents or convictions, and the certification.
func fillDOT(t *testing.T, p *browsertest.Page) {
	t.Helper()
	p.Fill("Address 1: Street address", "1 Main St")
	p.Fill("Address 1: City", "Joliet")
	p.Fill("Address 1: State", "IL")
	p.Fill("Address 1: ZIP code", "60431")
	fillDate(t, p, "addresses.0.from", "2020-01-01")
	fillDate(t, p, "date_of_birth", "1985-03-02")
	licence := func(n int, state, number, class, expires string) {
		i := strconv.Itoa(n)
		p.Fill("Licence "+i+": State", state)
		p.Fill("Licence "+i+": Licence number", number)
		p.Check(`input[name="answers.licences.` + strconv.Itoa(n-1) + `.class"][value="` + class + `"]`)
		fillDate(t, p, "licences."+strconv.Itoa(n-1)+".expires", expires)
	}
	licence(1, "IL", "D123-4567-8901", "A", "2028-03-02")
	p.Click("Add another licence")
	p.WaitText("Licence 2")
	licence(2, "IN", "1234-56-7890", "B", "2024-05-01")
	employer := func(n int, name, address string) {
		i := strconv.Itoa(n)
		p.Fill("Employer "+i+": Employer", name)
		p.Fill("Employer "+i+": Address", address)
		p.Fill("Employer "+i+": Position held", "Driver")
		fillDate(t, p, "employers."+strconv.Itoa(n-1)+".from", "2019-01-01")
		p.Check(`input[name="answers.employers.` + strconv.Itoa(n-1) + `.cmv"][value="yes"]`)
	}
	employer(1, "Acme Freight", "2 Dock Rd, Joliet IL")
	p.Click("Add another employer")
	p.WaitText("Employer 2")
	employer(2, "Best Haul", "3 Yard Ave, Gary IN")
	p.Check(`input[name="answers.denied"][value="no"]`)
	p.Check(`input[name="answers.suspended"][value="no"]`)
	p.Check(`input[name="answers.certify"][value="yes"]`)
	p.Fill("Your full name, typed as your signature", "Dee Driver")
	fillDate(t, p, "signed_on", "2026-12-07")
}

// fillDate sets the date input of answer key to an ISO date, as its
// picker would: Chromium's date field takes typed keys one segment at a
// time, in the order of the browser's locale.
func fillDate(t *testing.T, p *browsertest.Page, key, iso string) {
	t.Helper()
	setValue(t, p, "answers."+key, iso)
}

// setValue sets the field with id (a date or date-and-time input) to value
// as its picker would, firing its input and change events.
func setValue(t *testing.T, p *browsertest.Page, id, value string) {
	t.Helper()
	var got string
	p.Evaluate(`(function () { var el = document.getElementById(`+strconv.Quote(id)+`); el.value = `+strconv.Quote(value)+`;
  el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return el.value; })()`, &got)
	if got != value {
		t.Fatalf("the field %s holds %q after setting %s", id, got, value)
	}
}

// assertNoSidewaysScroll fails when p's page is wider than its viewport:
// a form a person would have to pan sideways to fill in.
func assertNoSidewaysScroll(t *testing.T, p *browsertest.Page) {
	t.Helper()
	var fit struct{ Viewport, Page int }
	p.Evaluate(`({viewport: window.innerWidth, page: document.documentElement.scrollWidth})`, &fit)
	if fit.Page > fit.Viewport {
		t.Errorf("the page is %dpx wide in a %dpx viewport", fit.Page, fit.Viewport)
	}
}

// findProfile searches the pool for name and opens their profile by their
// name's link, which every width shows.
func findProfile(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	p.Visit("/candidates?q=" + url.QueryEscape(name))
	p.Click(name)
	p.WaitText("Consent history")
}
