"""What a check finds: one :class:`Finding` per check and entry point, gathered in a
:class:`CheckReport`."""

from __future__ import annotations

from dataclasses import dataclass, field

from .numeric import EXTREME_MARGINS

__all__ = ["CheckReport", "Finding"]


@dataclass
class Finding:
    """One line of a :class:`CheckReport`.

    ``status`` is ``"FAIL"`` (makes the report fail), ``"WARN"``, ``"info"`` or ``"ok"``;
    ``worst`` describes the worst offending input (label, margin, value returned, value expected).
    """

    check: str
    status: str
    api: str
    message: str
    worst: str = ""

    def __str__(self) -> str:
        text = f"{self.status:<4}  {self.api:<8}  {self.check:<12}  {self.message}"
        return text + (f"\n{'':<30}worst: {self.worst}" if self.worst else "")


@dataclass
class CheckReport:
    """What :func:`check_objective` found; ``ok`` is False when any finding is ``FAIL``."""

    objective: str
    kind: str
    hessian: str
    n_rows: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.status == "FAIL" for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "FAIL"]

    def failed(self, check: str) -> bool:
        """True if the named check (e.g. ``"weights"``) failed for some entry point."""
        return any(f.status == "FAIL" and f.check == check for f in self.findings)

    def __str__(self) -> str:
        head = (f"check {self.objective}  (kind={self.kind}, hessian={self.hessian}, "
                f"{self.n_rows} rows incl. margins up to ±{EXTREME_MARGINS[-1]:g})")
        n_fail = len(self.failures)
        tail = "PASSED" if self.ok else f"FAILED ({n_fail} failure{'s' * (n_fail != 1)})"
        return "\n".join([head, *map(str, self.findings), tail])
