package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/hiretext/hiretext/internal/mail"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/store"
)

// mailFlags defines --smtp-url and --mail-from on fs, for serve and for
// doctor alike; once fs is parsed, the function returned reads them.
func mailFlags(fs *flag.FlagSet, e env) func() (*mail.Config, error) {
	smtpURL := fs.String("smtp-url", e.getenv("HIRETEXT_SMTP_URL"),
		"SMTP server for notification emails: smtp://user:pass@host:587 (STARTTLS required), smtps://user:pass@host:465, "+
			"or smtp://host:25?tls=none for a relay on this machine or network; empty: email off (env HIRETEXT_SMTP_URL)")
	mailFrom := fs.String("mail-from", e.getenv("HIRETEXT_MAIL_FROM"),
		"sender of notification emails, e.g. \"hiretext <hiretext@example.com>\" (env HIRETEXT_MAIL_FROM)")
	return func() (*mail.Config, error) { return readMailConfig(*smtpURL, *mailFrom) }
}

// readMailConfig checks --smtp-url and --mail-from: both or neither.
// Without them email is off; with them malformed, serve does not start.
func readMailConfig(rawURL, from string) (*mail.Config, error) {
	switch {
	case rawURL == "" && from == "":
		return nil, nil
	case rawURL == "":
		return nil, fmt.Errorf("--mail-from is set but --smtp-url (HIRETEXT_SMTP_URL) is not: set both to send email, or neither")
	case from == "":
		return nil, fmt.Errorf("--smtp-url is set but --mail-from (HIRETEXT_MAIL_FROM) is not: set both to send email, or neither")
	}
	cfg, err := mail.ParseConfig(rawURL, from)
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// startMail runs the email outbox's worker on db, and the loop queueing
// the daily digests, until stop is called; stop waits for the email in
// hand. Without a mail configuration emails stay queued, unsent, until an
// instance with one starts, and no digest is queued (a digest sent late
// would list what no longer waits).
func startMail(ctx context.Context, cfg *serveConfig, db *store.DB, log *slog.Logger) (stop func()) {
	if cfg.Mail == nil {
		log.Info("email off: set --smtp-url and --mail-from to send notification emails")
		return func() {}
	}
	sender := mail.NewSender(*cfg.Mail, cfg.clock)
	w := mail.NewWorker(db, sender, cfg.clock, log, mail.WorkerConfig{})
	log.Info("email on", "smtp_server", cfg.Mail.Addr(), "mail_from", cfg.Mail.From.Address)
	stopWorker := runInBackground(ctx, w.Run)
	stopDigests := runInBackground(ctx, func(ctx context.Context) { mail.RunDigests(ctx, db, log) })
	return func() { stopDigests(); stopWorker() }
}

// startPresence records who has a page open on this instance until stop is
// called (see server.RunPresence).
func startPresence(ctx context.Context, srv *server.Server) (stop func()) {
	return runInBackground(ctx, srv.RunPresence)
}

// runInBackground runs loop until stop is called, which waits for it to
// return. ctx's values carry over, not its end: serve stops its background
// work in its own order.
func runInBackground(ctx context.Context, loop func(context.Context)) (stop func()) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		loop(runCtx)
	}()
	return func() { cancel(); <-done }
}
