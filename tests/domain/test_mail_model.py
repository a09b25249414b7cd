"""The mail value objects keep header injection out before any adapter sees a message."""

from __future__ import annotations

from uuid import uuid4

import pytest

from showgeo_domain.mail.model import (
    SUBJECT_MAX,
    MailMessage,
    MailTemplate,
    Recipient,
)
from showgeo_domain.shared.errors import InvalidInput


def _mail(subject: str = "Hi", name: str | None = "Ana") -> MailMessage:
    return MailMessage(
        source_event_id=uuid4(),
        to=Recipient("Ana@Example.com", name),
        subject=subject,
        template=MailTemplate.PASSWORD_RESET,
    )


@pytest.mark.parametrize(
    "address",
    ["ana@example.com\r\nBcc: x@example.com", "ana@exa\nmple.com", "ana\r@example.com"],
)
def test_an_address_with_a_line_break_is_refused(address: str) -> None:
    with pytest.raises(InvalidInput):
        Recipient(address)


def test_line_breaks_in_subject_and_name_become_spaces() -> None:
    mail = _mail(subject="Hello\r\nBcc: x@example.com", name="Ana\nX-Evil: 1\u2028")
    assert mail.subject == "Hello Bcc: x@example.com"
    assert mail.to.name == "Ana X-Evil: 1"
    assert mail.to.address == "ana@example.com"


def test_subject_is_bounded_and_not_empty() -> None:
    with pytest.raises(InvalidInput):
        _mail(subject="x" * (SUBJECT_MAX + 1))
    with pytest.raises(InvalidInput):
        _mail(subject="\r\n ")


def test_the_key_and_its_reference_are_stable() -> None:
    first = _mail()
    again = MailMessage(
        source_event_id=first.source_event_id,
        to=Recipient("ana@example.com"),
        subject="Another subject",
        template=MailTemplate.PASSWORD_RESET,
    )
    assert first.key == again.key
    assert first.key.reference == again.key.reference
    assert _mail().key.reference != first.key.reference
