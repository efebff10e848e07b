package phone

import (
	"errors"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/nyaruka/phonenumbers"
)

// TestParse follows the results observed with phonenumbers v1.8.1 (sms.md §6).
func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, region string
		want        string // "" when the number is invalid
	}{
		{"(650) 253-0000", "US", "+16502530000"},
		{"650-253-0000", "", ""}, // no region and no country code
		{"1-650-253-0000", "US", "+16502530000"},
		{"650.253.0000", "us", "+16502530000"}, // region in any case
		{"+1 650 253 0000;ext=12", "", "+16502530000"},
		{"+1 650 253 0000 ext. 99", "US", "+16502530000"},
		{"(312) 555-0123 x 4", "US", "+13125550123"},
		{"555-0100", "US", ""},         // local-only length
		{"+1 123 456 7890", "US", ""},  // area code cannot start with 1
		{"+1 650 253 00000", "US", ""}, // too long
		{"(800) 555-0199", "US", "+18005550199"},
		{"1-800-FLOWERS", "US", "+18003569377"},
		{"+1 (416) 555-0199", "US", "+14165550199"},
		{"+1 876 555 0123", "US", "+18765550123"},
		{"07911 123456", "GB", "+447911123456"},
		{"07911 123456", "US", ""},
		{"011 44 7911 123456", "US", "+447911123456"},
		{"020 7946 0018", "GB", "+442079460018"},
		{"+52 1 55 1234 5678", "US", ""}, // Mexico's old mobile "1" is gone
		{"+52 55 1234 5678", "", "+525512345678"},
		{"+49 1512 3456789", "", "+4915123456789"},
		{"tel:+16502530000", "", "+16502530000"},
		{"+12015550123\u200B", "US", "+12015550123"},
		{"\u200B +12015550123 \n", "US", "+12015550123"},
		{"+1 201 555 0123", "ZZ", "+12015550123"}, // unknown region is ignored with a +
		{"+49 791112999993456", "", ""},           // valid to the metadata, but 17 digits
		{"0114y7911 12yyy yy3456", "US", ""},      // the same, dialled from the US with vanity letters
		{"abc", "US", ""},
		{"12", "US", ""},
		{strings.Repeat("1", 300), "US", ""},
	}
	for _, tt := range tests {
		got, err := Parse(tt.raw, tt.region)
		switch {
		case tt.want == "" && hiretext.ErrorCode(err) != hiretext.EInvalid:
			t.Errorf("Parse(%q, %q) = %q, %v; want EInvalid", tt.raw, tt.region, got, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("Parse(%q, %q) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
		}
	}
}

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "   ", "\t\n", "\u200B\uFEFF"} {
		_, err := Parse(raw, "US")
		if !errors.Is(err, ErrEmpty) {
			t.Errorf("Parse(%q) error %v, want ErrEmpty", raw, err)
		}
		if code := hiretext.ErrorCode(err); code != hiretext.EInvalid {
			t.Errorf("Parse(%q) code %q, want %q", raw, code, hiretext.EInvalid)
		}
	}
	if _, err := Parse("abc", "US"); errors.Is(err, ErrEmpty) {
		t.Errorf("Parse(abc) is ErrEmpty; want a different error")
	}
}

func TestParseErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct{ region, want string }{
		{"US", "Enter a valid phone number, for example (312) 555-0123."},
		{"us", "Enter a valid phone number, for example (312) 555-0123."},
		{"CA", "Enter a valid phone number, for example (416) 555-0123."},
		{"GB", "Enter a valid phone number, for example 07400 123456."},
		{"", "Enter a valid phone number with its country code, for example +1 312 555 0123."},
		{"ZZ", "Enter a valid phone number with its country code, for example +1 312 555 0123."},
	}
	for _, tt := range tests {
		_, err := Parse("555", tt.region)
		if got := hiretext.ErrorMessage(err); got != tt.want {
			t.Errorf("region %q: message %q, want %q", tt.region, got, tt.want)
		}
	}
}

// TestExamplesParse checks that the example in every region's error message
// is itself accepted, so following the advice works.
func TestExamplesParse(t *testing.T) {
	t.Parallel()
	for region := range phonenumbers.GetSupportedRegions() {
		ex := example(region)
		if ex == "" {
			continue // no mobile example in the metadata; the generic message applies
		}
		if _, err := Parse(ex, region); err != nil {
			t.Errorf("region %s: example %q does not parse: %v", region, ex, err)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"+13125550123", "(312) 555-0123"},
		{"+14165550199", "(416) 555-0199"},
		{"+18005550199", "(800) 555-0199"},
		{"+447911123456", "+44 7911 123456"},
		{"+442079460018", "+44 20 7946 0018"},
		{"+525512345678", "+52 55 1234 5678"},
		{"not a number", "not a number"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestForSpreadsheet: the exports' phones read as on screen, keep a foreign
// number's country code, and never start with a character that makes a
// spreadsheet evaluate the cell.
func TestForSpreadsheet(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"+13125550123", "(312) 555-0123"},
		{"+447911123456", "(+44) 7911 123456"},
		{"+525512345678", "(+52) 55 1234 5678"},
		{"+1+cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0"}, // not a phone: left to the export's neutraliser
		{"", ""},
	}
	for _, tt := range tests {
		if got := ForSpreadsheet(tt.in); got != tt.want {
			t.Errorf("ForSpreadsheet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatFor(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, reader, want string }{
		{"+13125550123", "+14165550199", "(312) 555-0123"},
		{"+442079460018", "+447911123456", "020 7946 0018"},
		{"+442079460018", "+13125550123", "+44 20 7946 0018"},
		{"+13125550123", "+447911123456", "+1 312-555-0123"},
		{"+13125550123", "", "+1 312-555-0123"},
		{"not a number", "+13125550123", "not a number"},
	}
	for _, tt := range tests {
		if got := FormatFor(tt.in, tt.reader); got != tt.want {
			t.Errorf("FormatFor(%q, %q) = %q, want %q", tt.in, tt.reader, got, tt.want)
		}
	}
}

func TestIsE164(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"+13125550123", true},
		{"+12", true},
		{"+123456789012345", true},   // 15 digits
		{"+1234567890123456", false}, // 16 digits
		{"+1", false},
		{"+0123456789", false},
		{"13125550123", false},
		{"+1 312 555 0123", false},
		{"+1312555012a", false},
		{"+١٢٣٤", false}, // Arabic-Indic digits
		{"", false},
		{"+", false},
	}
	for _, tt := range tests {
		if got := IsE164(tt.in); got != tt.want {
			t.Errorf("IsE164(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAreaCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"+13125550123", "312"},
		{"+14165550199", "416"},
		{"+18005550199", "800"},
		{"+11235550123", ""}, // area code cannot start with 1
		{"+13121550123", ""}, // exchange cannot start with 1
		{"+10125550123", ""},
		{"+447911123456", ""},
		{"+1312555012", ""},
		{"3125550123", ""},
		{"+1312555012x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := AreaCode(tt.in); got != tt.want {
			t.Errorf("AreaCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"US", true}, {"us", true}, {"CA", true}, {"GB", true}, {"GG", true}, {"MX", true},
		{"", false}, {"ZZ", false}, {"001", false}, {"USA", false}, {"UK", false},
	}
	for _, tt := range tests {
		if got := ValidRegion(tt.in); got != tt.want {
			t.Errorf("ValidRegion(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range [][2]string{
		{"(650) 253-0000", "US"}, {"+1 650 253 0000;ext=12", ""}, {"1-800-FLOWERS", "US"},
		{"07911 123456", "GB"}, {"011 44 7911 123456", "US"}, {"tel:+16502530000", ""},
		{"+12015550123\u200B", "US"}, {"+52 1 55 1234 5678", "US"}, {"abc", "US"},
		{"", ""}, {"+800 1234 5678", ""}, {"０３-１２３４-５６７８", "JP"}, {"+39 06 1234 5678", "IT"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := Parse(raw, region)
		if err != nil {
			if code := hiretext.ErrorCode(err); code != hiretext.EInvalid {
				t.Fatalf("Parse(%q, %q) error code %q", raw, region, code)
			}
			return
		}
		if !IsE164(got) {
			t.Fatalf("Parse(%q, %q) = %q, not E.164", raw, region, got)
		}
		for _, r := range []string{region, ""} {
			if again, err := Parse(got, r); err != nil || again != got {
				t.Fatalf("Parse(%q, %q) = %q but re-parse in %q = %q, %v", raw, region, got, r, again, err)
			}
		}
		if Format(got) == "" {
			t.Fatalf("Format(%q) is empty", got)
		}
	})
}

func TestSameCountryCode(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"+13125550142", "+14165550123", true},   // Chicago and Toronto: both +1
		{"+13125550142", "+442079460958", false}, // London
		{"+13125550142", "not a phone", false},
		{"+447911123456", "+442079460958", true},
		{"+13125550142", "+12", false},           // not a phone
		{"+352621123456", "+35262112345", true},  // Luxembourg (+352) by prefix
		{"+13125550142", "+352621123456", false}, // +3… is not +1
	} {
		if got := SameCountryCode(c.a, c.b); got != c.want {
			t.Errorf("SameCountryCode(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestInCountryCode(t *testing.T) {
	for _, c := range []struct {
		phone string
		cc    int
		want  bool
	}{
		{"+13125550142", 1, true},
		{"+14165550123", 1, true},
		{"+442079460958", 44, true},
		{"+442079460958", 1, false},
		{"+352621123456", 352, true},
		{"+13125550142", 0, false}, // the sender's own number did not parse
	} {
		if got := InCountryCode(c.phone, c.cc); got != c.want {
			t.Errorf("InCountryCode(%q, %d) = %v, want %v", c.phone, c.cc, got, c.want)
		}
		if c.cc > 0 && InCountryCode(c.phone, c.cc) != (CountryCode(c.phone) == c.cc) {
			t.Errorf("InCountryCode(%q, %d) disagrees with CountryCode %d", c.phone, c.cc, CountryCode(c.phone))
		}
	}
}
