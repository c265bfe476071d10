"""Signals for apps that sell through the checkout (fair tickets, stall fees).

Sent inside the transaction that changes the order, with the order row locked, so a receiver's own
changes (confirm a booking, release a stall) commit or roll back together with the order's.
"""

from django.dispatch import Signal

# sender=Order, order=<Order>: the order is now paid.
order_paid = Signal()
# sender=Order, order=<Order>, reason="cancelled" | "expired" | "refunded": the order no longer holds anything.
order_closed = Signal()
# sender=Order, order=<Order>, method=<new PaymentMethod value>, due=<datetime the checkout proposes>: the payer
# switches the payment method of an unpaid order (services.change_payment_method). A receiver for an order it
# sells may return the deadline to use instead (the earliest answer wins), e.g. a fair ticket's time slot start,
# or a stall's hold deadline that does not depend on the method; None leaves the checkout's.
payment_deadline = Signal()
