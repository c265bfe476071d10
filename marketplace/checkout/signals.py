"""Signals for apps that sell through the checkout (fair tickets, stall fees).

Sent inside the transaction that changes the order, with the order row locked, so a receiver's own
changes (confirm a booking, release a stall) commit or roll back together with the order's.
"""

from django.dispatch import Signal

# sender=Order, order=<Order>: the order is now paid.
order_paid = Signal()
# sender=Order, order=<Order>, reason="cancelled" | "expired" | "refunded": the order no longer holds anything.
order_closed = Signal()
