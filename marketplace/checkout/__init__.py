"""The checkout: cart, orders split by vendor, payments (Stripe and bank transfer), refunds.

Everything that costs money becomes an Order here, products now and fair tickets and stall fees
later: other apps add lines of their own `kind` through the same services.
"""
