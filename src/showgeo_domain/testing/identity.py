"""Users and actors, registered through `User.register` so every one passes its checks."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache

from hypothesis import strategies as st

from showgeo_domain.identity.model import DISPLAY_NAME_MAX, Actor, Role, User
from showgeo_domain.testing.values import moments, optional_texts

_UUIDS = st.uuids(version=4)
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"

#: What makes two users distinct for a repository: neither may share an email or a username.
USER_KEYS: tuple[Callable[[User], Hashable], ...] = (
    lambda user: user.username,
    lambda user: user.email,
)


@cache
def usernames() -> st.SearchStrategy[str]:
    return st.text(_LOWER + _DIGITS + "_", min_size=3, max_size=30)


@cache
def emails() -> st.SearchStrategy[str]:
    """Plain addresses (`local@label.label`) that `normalize_email` keeps as they are."""
    edge = st.sampled_from(_LOWER + _DIGITS)
    local = st.builds(str.__add__, edge, st.text(_LOWER + _DIGITS + "._+-", max_size=19))
    label = st.one_of(
        edge,
        st.builds(
            lambda a, middle, b: a + middle + b,
            edge,
            st.text(_LOWER + _DIGITS + "-", max_size=10),
            edge,
        ),
    )
    tld = st.sampled_from(("com", "org", "net", "pt", "io", "example"))
    return st.builds(lambda a, b, c: f"{a}@{b}.{c}", local, label, tld)


@cache
def roles() -> st.SearchStrategy[frozenset[Role]]:
    """Everyone is a USER; some are platform ADMINs too."""
    return st.sampled_from((frozenset({Role.USER}), frozenset({Role.USER, Role.ADMIN})))


@st.composite
def users(draw: st.DrawFn, *, admin: bool | None = None) -> User:
    """A registered user with no pending events, as if loaded from a repository.
    `admin=True`/`False` pins the ADMIN role; None draws it."""
    granted = (
        draw(roles())
        if admin is None
        else (frozenset({Role.USER, Role.ADMIN}) if admin else frozenset({Role.USER}))
    )
    user = User.register(
        email=draw(emails()),
        username=draw(usernames()),
        password_hash=f"hash:{draw(_UUIDS).hex}",
        display_name=draw(optional_texts(max_length=DISPLAY_NAME_MAX)),
        now=draw(moments()),
        roles=granted,
    )
    user.pull_events()
    return user


@cache
def unique_users(
    *, min_size: int = 0, max_size: int | None = None
) -> st.SearchStrategy[list[User]]:
    """Users that can all live in one repository: no shared email or username."""
    return st.lists(users(), min_size=min_size, max_size=max_size, unique_by=USER_KEYS)


@cache
def actors() -> st.SearchStrategy[Actor]:
    """Who a request could come from, without the user record behind it."""
    return st.builds(Actor, st.uuids(version=4), roles())
