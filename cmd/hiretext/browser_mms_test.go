package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestBrowserCandidateSendsAPhoto: Ana García sends a photo of her
// certificate from the simulator phone while Priya is on her home page; the
// text reaches Priya's bell without a reload; from the bell she opens the
// conversation and sees the picture inline (fetched by the media worker
// from the simulator's URL, as from Twilio); the administrator sees it
// listed in the SMS Activity report.
func TestBrowserCandidateSendsAPhoto(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	priya := app.page(t, "priya")
	loginAs(t, priya, priyaEmail, demo.Password)
	number := phoneIn(t, priya.Text(".allowance-banner"))
	openProfile(t, priya, "Ana García") // she had the open-house announcement
	priya.WaitText("With Ana García")
	ana := regexp.MustCompile(`With Ana García · (\(\d{3}\) \d{3}-\d{4})`).FindStringSubmatch(priya.Text(".texting-head"))
	if ana == nil {
		t.Fatalf("no phone for Ana in %q", priya.Text(".texting-head"))
	}
	priya.Visit("/")

	phone := app.page(t, "phone")
	openHandset(t, phone, ana[1])
	phone.Fill("To hiretext number", formatted(number))
	caption := "Here is my forklift certificate"
	phone.Fill("Message", caption)
	phone.Fill("or attach a sample", "certificate.png")
	phone.Click("Send reply")
	phone.WaitText("Sent “" + caption + "” with a picture")

	storetest.EventuallyNil(t, storetest.Patience, "the bell to list the text", func() error {
		var listed bool
		priya.Evaluate(`[...document.querySelectorAll(".bell-list a")].some(a => a.textContent.includes(`+jsQuote(caption)+`))`, &listed)
		if listed {
			return nil
		}
		return fmt.Errorf("the bell shows %q", priya.Text(".bell"))
	})
	var opened bool // the bell's menu opens, and its line for Ana's text is clicked
	priya.Evaluate(`(() => { document.querySelector(".bell").open = true;
		[...document.querySelectorAll(".bell-list a")].find(a => a.textContent.includes(`+jsQuote(caption)+`)).click(); return true })()`, &opened)
	priya.WaitText("With Ana García")
	priya.WaitText(caption)
	storetest.EventuallyNil(t, storetest.Patience, "the picture to show in Priya's thread", func() error {
		var shown bool
		priya.Evaluate(`(() => { const i = document.querySelector('.message-picture img[src^="/media/"]');
			return !!i && i.complete && i.naturalWidth > 0 })()`, &shown)
		if shown {
			return nil
		}
		return fmt.Errorf("the thread shows: %s", priya.Text("[data-message-list]"))
	})
	priya.WaitGone("A picture is on its way")
	priya.NoScriptRan()

	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.Click("Reports")
	dana.WaitText(caption + " 1 attachment")
	dana.NoScriptRan()
}

// jsQuote quotes s as a JavaScript string.
func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// formatted writes an E.164 North American number as pages show it.
func formatted(e164 string) string {
	d := strings.TrimPrefix(e164, "+1")
	return "(" + d[:3] + ") " + d[3:6] + "-" + d[6:]
}
