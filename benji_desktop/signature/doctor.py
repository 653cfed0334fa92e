"""The verification doctor: when a verdict is not VALID, say why and what to do (brief §3)."""

from __future__ import annotations

from collections.abc import Sequence

from benji_desktop.signature.verify import DecodedSignature, KnownSalt, Verdict, VerificationReport


def explain(
    report: VerificationReport,
    body: bytes,
    headers: Sequence[tuple[str, str]],
    salts: Sequence[KnownSalt],
    decoded: Sequence[DecodedSignature],
) -> None:
    """Fill `report.reasons` and `report.cause`. Must never raise."""
    reasons = report.reasons
    if report.match is not None:
        reasons.append(f"Signature matches with {report.match.salt.label} ({report.match.signature.form}).")
    if report.verdict is Verdict.VALID:
        return
    if report.verdict is Verdict.UNSIGNED:
        report.cause = "The request has no x-benji-signature header: the sender did not sign it."
    elif report.verdict is Verdict.NO_SALT:
        report.cause = "No salt is known for this endpoint: add the subscription's salt to verify it."
    elif report.verdict is Verdict.MALFORMED:
        report.cause = "The x-benji-signature header is not a SHA-256 digest in hex or base64."
    elif report.verdict is Verdict.INVALID:
        reasons.append(f"Expected {report.expected}; received {', '.join(report.received)}.")
        report.cause = "No known salt reproduces the signature: check the salt and that the body is unmodified."
    elif report.verdict is Verdict.STALE:
        if report.skew_seconds is None:
            report.cause = "The x-webhook-datetime header is missing or unreadable while the window is enforced."
        else:
            report.cause = (
                f"The datetime is {abs(report.skew_seconds):.0f} s "
                f"{'ahead of' if report.skew_seconds > 0 else 'behind'} this computer's clock, "
                f"outside the ±{report.tolerance_seconds:.0f} s window."
            )
