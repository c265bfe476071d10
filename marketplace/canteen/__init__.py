"""Canteen buyer units (机关食堂): unit orders with approval, statements, receipt, invoices and the 消费帮扶 share."""
