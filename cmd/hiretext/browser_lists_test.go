package main

// Lists as people see them: the Candidate Pool on a phone, the tables'
// edges, the filter row and the area-code form.

import (
	"testing"

	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserPoolFitsAPhone: at 375×800 the pool's SMS status, each row's
// checkbox and the SMS icon are on screen, without scrolling sideways.
func TestBrowserPoolFitsAPhone(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "marcus")
	p.SetViewport(375, 800)
	loginAs(t, p, marcusEmail, demo.Password)
	p.Visit("/candidates")
	p.WaitText("Text selected")
	var fit struct {
		Viewport, Page          int
		SMS, Boxes, Icons, Rows int // cells wholly inside the viewport
	}
	p.Evaluate(`(function () {
  var inside = function (sel) {
    return Array.prototype.filter.call(document.querySelectorAll(sel), function (e) {
      var r = e.getBoundingClientRect();
      return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth;
    }).length;
  };
  return {viewport: window.innerWidth, page: document.documentElement.scrollWidth,
    sms: inside(".candidate-table tbody .col-sms"), boxes: inside(".candidate-table tbody input[data-select]"),
    icons: inside(".candidate-table tbody .sms-icon"), rows: document.querySelectorAll(".candidate-table tbody tr").length};
})()`, &fit)
	if fit.Rows == 0 || fit.SMS != fit.Rows || fit.Boxes != fit.Rows || fit.Icons == 0 || fit.Page > fit.Viewport {
		t.Errorf("at %dpx (page %dpx wide), of %d rows the SMS status is on screen in %d, the checkbox in %d; %d SMS icons on screen",
			fit.Viewport, fit.Page, fit.Rows, fit.SMS, fit.Boxes, fit.Icons)
	}
}

// TestBrowserListEdges: the filter row's labels share a baseline; the last
// row of the Jobs and Applicants tables draws no line of its own above the
// table's border; the area-code box has its button beside it.
func TestBrowserListEdges(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "dana")
	p.SetViewport(1280, 800)
	loginAs(t, p, danaEmail, demo.Password)
	p.Visit("/candidates")
	p.WaitText("Download CSV")
	var tops []float64
	p.Evaluate(`Array.prototype.map.call(document.querySelectorAll(".filters label"), function (l) { return l.getBoundingClientRect().top; })`, &tops)
	if len(tops) != 3 || tops[0] != tops[1] || tops[1] != tops[2] {
		t.Errorf("the Search, Job and SMS labels are at heights %v, want one line", tops)
	}

	lastRowBorders := `Array.prototype.map.call(document.querySelectorAll(".table tbody tr:last-child > *"), function (c) {
  return getComputedStyle(c).borderBottomWidth; })`
	for _, table := range []string{"Jobs", "Applicants"} {
		if table == "Jobs" {
			p.Visit("/jobs")
			p.WaitText("Each open job has a public application link")
		} else {
			p.Click("Customer Service Representative")
			p.WaitText("Share this link with candidates")
		}
		var borders []string
		p.Evaluate(lastRowBorders, &borders)
		for i, b := range borders {
			if b != "0px" {
				t.Errorf("%s: the last row's cell %d draws a %s line above the table's border", table, i+1, b)
			}
		}
		if len(borders) == 0 {
			t.Errorf("%s: no rows", table)
		}
	}

	p.Visit("/admin/numbers/new?area_code=abc")
	p.WaitText("Enter an area code of three digits")
	var gap float64
	p.Evaluate(`document.querySelector(".area-form button").getBoundingClientRect().left - document.getElementById("area_code").getBoundingClientRect().right`, &gap)
	if gap > 20 {
		t.Errorf("the area-code box is %.0fpx from its button, want them side by side", gap)
	}
}
