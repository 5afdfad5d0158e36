"""Charge an order, then email its receipt: an asynchronously invoked Lambda handler.

Its idempotency guard is an in-memory set of the orders this process has charged. That looks fine in a unit test,
and on AWS it holds while every retry lands on the execution environment that made the first attempt. Lambda makes
no such promise: a retry (a minute or more later) goes to whichever environment is free, or to a new one, and there
the set is empty, so the order is charged again. lambdasim runs this file unchanged, through the official
`awslambdaric` client, and finds the seeds where that happens.
"""

import json

# module-level state: it lives as long as the execution environment (one process per environment)
CHARGED = set()
RECEIPT_CONNECTION = None


def charge(order_id, amount):
    # a stand-in for the payment provider
    CHARGED.add(order_id)
    print(json.dumps({"charged": order_id, "amount": amount}))


def send_receipt(order_id):
    global RECEIPT_CONNECTION
    if RECEIPT_CONNECTION is None:
        # the mail service drops the first request of a fresh connection pool (a cold environment)
        RECEIPT_CONNECTION = "open"
        raise ConnectionError(f"receipt service reset the connection while sending the receipt of {order_id}")


def handler(event, context):
    order_id = event["orderId"]
    charged_now = False
    if order_id not in CHARGED:
        charge(order_id, event["amount"])
        charged_now = True
    send_receipt(order_id)
    return {"orderId": order_id, "chargedNow": charged_now}
