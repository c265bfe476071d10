"""One transition table per status field: which status may follow which.

Services change a status only through `Transitions.move`, which refuses a change the table does not allow with
the app's domain error (code "invalid_state"); views and the API ask `allows` to decide which actions to
offer. Statuses a row is created with are not transitions and are not listed as sources unless something can
follow them."""

from django.utils.translation import gettext as _

INVALID_TRANSITION = "invalid_state"  # the code every status refusal already answers (HTTP 409)


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

    def move(self, obj, target, error, field="status"):
        """Set obj.<field> to `target` if the table allows it from the current status, else raise
        `error(message, code=INVALID_TRANSITION)`. Saving is the caller's (it knows the other fields)."""
        source = getattr(obj, field)
        if not self.allows(source, target):
            raise error(
                _("This %(object)s is %(status)s: it cannot become %(target)s.")
                % {
                    "object": obj._meta.verbose_name,
                    "status": self.statuses(source).label,
                    "target": self.statuses(target).label,
                },
                code=INVALID_TRANSITION,
            )
        setattr(obj, field, target)
