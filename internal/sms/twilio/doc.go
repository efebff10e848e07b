// Package twilio is the Twilio Programmable Messaging provider: it sends
// messages and provisions numbers through Twilio's 2010-04-01 REST API, and
// verifies and parses the webhooks Twilio calls us with (inbound messages and
// status callbacks, signed with X-Twilio-Signature).
//
// It uses the standard library only. Sub-package twiliotest is an in-process
// fake of the REST API for tests.
package twilio
