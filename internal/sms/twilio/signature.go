package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hiretext/hiretext/internal/sms"
)

// SignatureHeader carries Twilio's signature of a webhook request.
const SignatureHeader = "X-Twilio-Signature"

// bodyHashParam, in a webhook URL's query, marks a JSON-body webhook: the
// URL alone is signed and this is the hex SHA-256 of the body.
const bodyHashParam = "bodySHA256"

// Sign computes X-Twilio-Signature: the base64 HMAC-SHA1, keyed with the
// auth token, of publicURL followed by every param's name and value with no
// delimiters, names sorted bytewise and a repeated name's values sorted too.
// (Sorting the name+value concatenations instead, as twilio-go does, differs
// when one name prefixes another, e.g. To and ToCity.)
func Sign(authToken, publicURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	io.WriteString(mac, publicURL)
	for _, name := range slices.Sorted(maps.Keys(params)) {
		for _, v := range slices.Sorted(slices.Values(params[name])) {
			io.WriteString(mac, name)
			io.WriteString(mac, v)
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks that w is signed with authToken. For a form POST the signed
// string is w.PublicURL followed by every parameter of the body, parsed here
// from the raw bytes (a malformed body is rejected); for a GET, the URL
// alone; for a JSON body (the URL has a bodySHA256 parameter), the URL alone
// plus that hash of the body. The URL is tried as given and with its port
// added or removed, as Twilio signs ports inconsistently. A request that
// fails is reported as sms.ErrBadSignature; an unusable w.PublicURL, a
// configuration fault, as another error.
func Verify(authToken string, w sms.WebhookRequest) error {
	sig := w.Header.Get(SignatureHeader)
	if sig == "" {
		return badSignature("no " + SignatureHeader + " header")
	}
	urls, err := signedURLs(w.PublicURL)
	if err != nil {
		return err
	}
	params, err := signedParams(w)
	if err != nil {
		return err
	}
	if !signatureMatches(authToken, urls, params, sig) {
		return badSignature("signature does not match")
	}
	return nil
}

// signedParams returns the parameters that are signed besides the URL, after
// checking a JSON body against its hash.
func signedParams(w sms.WebhookRequest) (url.Values, error) {
	if hash, ok := bodyHash(w.PublicURL); ok {
		return nil, checkBodyHash(hash, w.Body)
	}
	if w.Method == http.MethodGet {
		return nil, nil
	}
	form, err := url.ParseQuery(string(w.Body))
	if err != nil {
		return nil, badSignature("malformed form body: " + err.Error())
	}
	return form, nil
}

// bodyHash returns the bodySHA256 parameter of rawURL's query, if present.
func bodyHash(rawURL string) (string, bool) {
	_, query, _ := strings.Cut(rawURL, "?")
	query, _, _ = strings.Cut(query, "#")
	values, _ := url.ParseQuery(query) // what parses is what counts
	hash, ok := values[bodyHashParam]
	if !ok {
		return "", false
	}
	return hash[0], true
}

// signedURLs lists the spellings of a webhook URL Twilio may have signed:
// as given, then with the scheme's default port added when it has no port,
// or with its port removed when it has one. Twilio's own validators accept
// either, its signing being inconsistent about ports. The rest of the URL,
// raw query included, is kept byte for byte.
func signedURLs(publicURL string) ([]string, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" || !strings.HasPrefix(strings.ToLower(publicURL), u.Scheme+"://") {
		return nil, fmt.Errorf("twilio: webhook URL %q is not an absolute URL", publicURL)
	}
	defaultPort := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if defaultPort == "" {
		return nil, fmt.Errorf("twilio: webhook URL %q is not http or https", publicURL)
	}
	start := len(u.Scheme) + len("://")
	end := start + strings.IndexAny(publicURL[start:]+"/", "/?#")
	userinfo, hostport := splitUserinfo(publicURL[start:end])
	host, port := splitPort(hostport)
	other := host
	if port == "" {
		other = host + ":" + defaultPort
	}
	return []string{publicURL, publicURL[:start] + userinfo + other + publicURL[end:]}, nil
}

// splitUserinfo splits "user:pass@host:port" after its last "@".
func splitUserinfo(authority string) (userinfo, hostport string) {
	i := strings.LastIndexByte(authority, '@')
	return authority[:i+1], authority[i+1:]
}

// splitPort splits "host:port"; an IPv6 literal keeps its brackets.
func splitPort(hostport string) (host, port string) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || i < strings.LastIndexByte(hostport, ']') {
		return hostport, ""
	}
	return hostport[:i], hostport[i+1:]
}

// signatureMatches reports whether sig signs params under any spelling of
// the URL. hmac.Equal keeps the comparison constant-time.
func signatureMatches(authToken string, urls []string, params url.Values, sig string) bool {
	for _, u := range urls {
		if hmac.Equal([]byte(Sign(authToken, u, params)), []byte(sig)) {
			return true
		}
	}
	return false
}

// checkBodyHash checks a JSON webhook's body against the bodySHA256 its
// (signed) URL carries.
func checkBodyHash(want string, body []byte) error {
	sum := sha256.Sum256(body)
	if want == "" || !hmac.Equal([]byte(hex.EncodeToString(sum[:])), []byte(strings.ToLower(want))) {
		return badSignature("body does not match " + bodyHashParam)
	}
	return nil
}

// badSignature wraps sms.ErrBadSignature with the reason.
func badSignature(reason string) error {
	return fmt.Errorf("%w: %s", sms.ErrBadSignature, reason)
}
