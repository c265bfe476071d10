"""Idempotency keys for every JSON API POST that creates something (orders, canteen orders, fair registrations).

One mechanism, used by every app (refusals are cms.errors.DomainError):

- the client sends `X-Idempotency-Key: <unique string, ≤ 80 characters>` (`IdempotencyKeyHeader`);
- the endpoint cleans it (`clean_key`) and stores it with a digest of the request body
  (`request_fingerprint`) on the row it creates, under a unique constraint per caller;
- a retry with the same key finds that row and gets it back (200); the same key with a different body is
  refused with `idempotency_mismatch` (422, as Stripe answers it) by `check_replay`, changing nothing.
"""

import hashlib
import json
from typing import Annotated

from ninja import Header

from cms.errors import CommonCode, DomainError

HEADER = "X-Idempotency-Key"
KEY_MAX = 80  # the models' idempotency_key max_length

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="Any unique string (≤ 80 characters) per attempt; a retry with the same key and body returns "
        "what the first request created (200) instead of creating another; the same key with another body "
        "answers 422 `idempotency_mismatch`",
    ),
]


def request_fingerprint(payload):
    """A digest of a request body (a ninja Schema): a retry with the same idempotency key must send the same."""
    canonical = json.dumps(payload.dict(), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def clean_key(raw):
    """The header's key without surrounding spaces ("" when absent); refused ("invalid") when too long."""
    key = (raw or "").strip()
    if len(key) > KEY_MAX:
        raise DomainError(CommonCode.IDEMPOTENCY_KEY_TOO_LONG, field=HEADER, max=KEY_MAX)
    return key


def check_replay(existing, fingerprint):
    """`existing` (the row a request with this key created) when `fingerprint` matches what it was created
    with; else refused ("idempotency_mismatch"). Rows or requests without a fingerprint always match."""
    stored = getattr(existing, "idempotency_fingerprint", "")
    if fingerprint and stored and stored != fingerprint:
        raise DomainError(CommonCode.IDEMPOTENCY_MISMATCH)
    return existing
