"""Buyers' accounts: sign up and log in with a mainland mobile number or an e-mail, plus a password.

No extra model: a phone account's username is its mobile number (11 digits), an e-mail account's
username is its e-mail in lower case. Apps add their own sections to the account page (addresses and
orders come from marketplace.checkout; API tokens from the JSON API).
"""
