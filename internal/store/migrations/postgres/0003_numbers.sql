-- Reserved for texting numbers and the allowance (issue 4).
SELECT 1;
