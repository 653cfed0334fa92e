"""`verify` never raises and always returns a verdict, whatever bytes, headers and salts it is given."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benji_desktop.signature import KnownSalt, Verdict, sign
from benji_desktop.signature.verify import verify_unguarded

header_names = st.one_of(
    st.sampled_from(["x-benji-signature", "X-Benji-Signature", "x-webhook-datetime", "content-encoding"]),
    st.text(max_size=20),
)
header_values = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["gzip", "deflate", "br", "Tue, 22 Oct 2024 21:57:02 GMT", "9999-12-31T23:59:59-05:00"]),
    st.binary(max_size=64).map(lambda raw: raw.hex()),
)
salts = st.lists(
    st.builds(KnownSalt, st.text(max_size=40), st.text(max_size=20)),
    max_size=3,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(st.binary(max_size=512), st.sampled_from([b"\x1f\x8b\x08\x00", b'{"event":1}', b"[[[["])),
    headers=st.lists(st.tuples(header_names, header_values), max_size=6),
    known=salts,
    other=salts,
    tolerance=st.floats(allow_nan=True, allow_infinity=True),
    ignore_timestamp=st.booleans(),
    now=st.datetimes(timezones=st.just(UTC)),
)
def test_verify_never_raises(
    body: bytes,
    headers: list[tuple[str, str]],
    known: list[KnownSalt],
    other: list[KnownSalt],
    tolerance: float,
    ignore_timestamp: bool,
    now: datetime,
) -> None:
    report = verify_unguarded(
        body,
        headers,
        known,
        now=now,
        tolerance_seconds=tolerance,
        ignore_timestamp=ignore_timestamp,
        other_salts=other,
    )
    assert isinstance(report.verdict, Verdict)
    assert report.verdict is Verdict.VALID or report.cause
    assert not any(reason.startswith("The doctor could not finish") for reason in report.reasons)
    report.to_json()


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=256), salt=st.text(min_size=1, max_size=40))
def test_what_is_signed_verifies(body: bytes, salt: str) -> None:
    report = verify_unguarded(body, {"x-benji-signature": sign(body, salt)}, [KnownSalt(salt)], ignore_timestamp=True)
    assert report.verdict is Verdict.VALID
