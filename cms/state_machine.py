"""One transition table per status field: which status may follow which.

Services change a status only through `Transitions.move`, which refuses a change the table does not allow with
a DomainError (CommonCode.INVALID_TRANSITION: code "invalid_state", HTTP 409); views and the API ask `allows` to
decide which actions to offer. Statuses a row is created with are not transitions and are not listed as
sources unless something can follow them."""

from .errors import CommonCode, DomainError

INVALID_TRANSITION = CommonCode.INVALID_TRANSITION


class Transitions:
    def __init__(self, statuses, table):
        """`statuses`: the model's TextChoices; `table`: {status: the statuses that may follow it}."""
        known = set(statuses.values)
        for source, targets in table.items():
            unknown = ({source} | set(targets)) - known
            if unknown:
                raise ValueError(f"unknown statuses in the transition table: {sorted(unknown)}")
        self.statuses = statuses
        self.table = {source: frozenset(targets) for source, targets in table.items()}

    def allows(self, source, target):
        return target in self.table.get(source, frozenset())

    def targets(self, source):
        return self.table.get(source, frozenset())

    def is_final(self, status):
        return not self.table.get(status)

    def move(self, obj, target, field="status"):
        """Set obj.<field> to `target` if the table allows it from the current status, else raise
        DomainError(INVALID_TRANSITION). Saving is the caller's (it knows the other fields)."""
        source = getattr(obj, field)
        if not self.allows(source, target):
            raise DomainError(
                INVALID_TRANSITION,
                object=obj._meta.verbose_name,
                status=self.statuses(source).label,
                target=self.statuses(target).label,
            )
        setattr(obj, field, target)
