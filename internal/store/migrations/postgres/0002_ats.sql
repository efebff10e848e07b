-- Reserved for the ATS core (issue 3): jobs, candidates, applications, consent ledger.
SELECT 1;
