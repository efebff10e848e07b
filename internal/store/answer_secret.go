package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"

	"github.com/hiretext/hiretext"
)

// Sensitive answers (the Social Security number of the DOT driver
// application) are kept encrypted with AES-256-GCM under the
// installation's key "answers" (AppSecret): the answers column holds the
// ciphertext and the masked form only. RevealAnswer decrypts one for an
// administrator and records that it did.

const answerKeyName = "answers"

// answerCipher is the AEAD of the installation's answer key.
func (db *DB) answerCipher(ctx context.Context) (cipher.AEAD, error) {
	key, err := db.AppSecret(ctx, answerKeyName)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealAnswers replaces the values of every sensitive answer with their
// ciphertext, bound to the organization.
func (db *DB) sealAnswers(ctx context.Context, org hiretext.OrgID, answers []hiretext.Answer) error {
	var aead cipher.AEAD
	for i := range answers {
		if !answers[i].Sensitive {
			continue
		}
		if aead == nil {
			var err error
			if aead, err = db.answerCipher(ctx); err != nil {
				return err
			}
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return err
		}
		sealed := aead.Seal(nonce, nonce, []byte(answers[i].Values[0]), answerAAD(org, answers[i].Key))
		answers[i].Values = []string{base64.StdEncoding.EncodeToString(sealed)}
	}
	return nil
}

// answerAAD binds a sealed answer to its company and question, so a
// ciphertext copied elsewhere does not open.
func answerAAD(org hiretext.OrgID, key string) []byte {
	return []byte(idText(org) + "/" + key)
}

// RevealAnswer decrypts the sensitive answer key of application app of
// org and records in the audit trail that the caller revealed it (in the
// same transaction). A non-sensitive or missing answer is not found.
func (db *DB) RevealAnswer(ctx context.Context, org hiretext.OrgID, app hiretext.ApplicationID, key string) (string, error) {
	aead, err := db.answerCipher(ctx)
	if err != nil {
		return "", err
	}
	var plain string
	err = db.inTx(ctx, func(tx conn) error {
		a, err := scanApplication(tx.queryRow(ctx, "SELECT "+applicationColumns+` FROM applications a
			JOIN jobs j ON j.org_id = a.org_id AND j.id = a.job_id WHERE a.org_id = ? AND a.id = ?`, org, app))
		if err != nil {
			return orNotFound(err, "Application")
		}
		for _, ans := range a.Answers {
			if ans.Key != key || !ans.Sensitive || len(ans.Values) != 1 {
				continue
			}
			if plain, err = openAnswer(aead, org, ans); err != nil {
				return err
			}
			return db.recordAudit(ctx, tx, org, hiretext.AuditAnswerRevealed, auditTarget("candidate", a.CandidateID),
				hiretext.AuditDetails{"application_id": idText(a.ID), "question": ans.Question})
		}
		return hiretext.Errorf(hiretext.ENotFound, "The application holds no such masked answer.")
	})
	return plain, err
}

func openAnswer(aead cipher.AEAD, org hiretext.OrgID, a hiretext.Answer) (string, error) {
	sealed, err := base64.StdEncoding.DecodeString(a.Values[0])
	if err != nil || len(sealed) < aead.NonceSize() {
		return "", errors.New("store: a sealed answer is not readable")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], answerAAD(org, a.Key))
	if err != nil {
		return "", errors.New("store: a sealed answer does not open with the installation's key")
	}
	return string(plain), nil
}
