"""The dead-letter rule of the inbox: bounded tries (across restarts), then parked."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from bot.dispatch import Dispatcher, FloodGuard
from bot.matrix import MatrixError, Message, Reaction
from bot.metrics import Metrics
from commands.context import Services
from storage.core import ErrorLog, Inbox
from tests.fakes import FakeChat, make_services

ROOM = "!room:localhost"
COORDINATOR = "@koord:localhost"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    services = await make_services(tmp_path, with_content=False)
    try:
        yield services
    finally:
        await services.db.close()


class FailingHook:
    """A reaction hook that fails the first ``failures`` calls."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.calls = 0
        self.error = error or RuntimeError("boom")

    async def __call__(self, services: Services, **kwargs: Any) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error


def dispatcher_with(services: Services, hook: FailingHook) -> Dispatcher:
    services.registry.hooks["reaction"] = [hook]
    return Dispatcher(
        services,
        services.registry,
        None,  # type: ignore[arg-type]
        Metrics(),
        FloodGuard(0, 0, 60),
        retry_delays=(0.0, 0.0),
    )


def reaction(event_id: str = "$r1") -> Reaction:
    return Reaction(ROOM, event_id, "@member:localhost", "$target", "👍")


def metric(dispatcher: Dispatcher, name: str) -> float:
    value = dispatcher.metrics.registry.get_sample_value(name)
    return float(value or 0.0)


async def until_idle(dispatcher: Dispatcher) -> None:
    while dispatcher._tasks:
        await dispatcher.drain(5)


async def test_a_failing_event_is_tried_three_times_then_parked(services: Services) -> None:
    hook = FailingHook(failures=99)
    dispatcher = dispatcher_with(services, hook)

    await dispatcher.accept([reaction()], "s1")
    await until_idle(dispatcher)

    assert hook.calls == 3
    inbox = Inbox(services.db)
    assert await inbox.open_items() == []
    [parked] = await inbox.parked()
    assert parked.event_id == "$r1" and parked.attempts == 3 and "boom" in (parked.error or "")
    errors = await ErrorLog(services.db).latest()
    assert [e.ref for e in errors] == [parked.ref]
    assert metric(dispatcher, "koopbot_inbox_parked_total") == 1
    assert metric(dispatcher, "koopbot_inbox_retries_total") == 2
    assert b"koopbot_inbox_parked_events 1.0" in dispatcher.metrics.render()

    # a parked event is never replayed, not even after a restart
    again = dispatcher_with(services, hook)
    assert await again.replay_open() == 0
    await until_idle(again)
    assert hook.calls == 3


async def test_a_failure_that_passes_is_retried_and_done(services: Services) -> None:
    hook = FailingHook(failures=1)
    dispatcher = dispatcher_with(services, hook)
    await dispatcher.accept([reaction()], "s1")
    await until_idle(dispatcher)
    assert hook.calls == 2
    assert await Inbox(services.db).parked() == []
    assert await Inbox(services.db).open_items() == []


async def test_tries_that_ended_the_process_count_across_restarts(services: Services) -> None:
    """Three starts each began the event and died in it: the fourth parks it unread."""
    inbox = Inbox(services.db)
    event = reaction("$killer")
    await inbox.accept([(event.event_id, ROOM, "reaction", json.dumps(asdict(event)))], "s1")
    for _ in range(3):
        await inbox.begin_attempt("$killer")
    hook = FailingHook(failures=0)
    dispatcher = dispatcher_with(services, hook)

    assert await dispatcher.replay_open() == 1
    await until_idle(dispatcher)

    assert hook.calls == 0
    [parked] = await inbox.parked()
    assert parked.event_id == "$killer"


async def test_an_unreadable_stored_event_is_parked_not_fatal(services: Services) -> None:
    inbox = Inbox(services.db)
    await inbox.accept([("$old", ROOM, "message", '{"from": "an older version"}')], "s1")
    await inbox.accept([("$fine", ROOM, "reaction", json.dumps(asdict(reaction("$fine"))))], "s2")
    hook = FailingHook(failures=0)
    dispatcher = dispatcher_with(services, hook)

    await dispatcher.replay_open()
    await until_idle(dispatcher)

    assert [p.event_id for p in await inbox.parked()] == ["$old"]
    assert hook.calls == 1  # the other event was handled


async def test_one_bad_event_does_not_stop_the_others(services: Services) -> None:
    hook = FailingHook(failures=99)
    dispatcher = dispatcher_with(services, hook)
    message = Message(ROOM, "$m1", "@member:localhost", "!hilfe", 0)
    await dispatcher.accept([reaction(), message], "s1")
    await until_idle(dispatcher)
    chat = services.chat
    assert isinstance(chat, FakeChat)
    assert any(s.reply_to == "$m1" for s in chat.sent)


async def test_an_outage_does_not_use_up_the_tries(services: Services) -> None:
    hook = FailingHook(failures=5, error=MatrixError("unreachable", transient=True))
    dispatcher = dispatcher_with(services, hook)
    await dispatcher.accept([reaction()], "s1")
    await until_idle(dispatcher)
    for _ in range(4):  # four more starts during the outage
        await dispatcher.replay_open()
        await until_idle(dispatcher)
    assert await Inbox(services.db).parked() == []
    assert [i[0] for i in await Inbox(services.db).open_items()] == ["$r1"]
    await dispatcher.replay_open()  # the homeserver is back
    await until_idle(dispatcher)
    assert hook.calls == 6 and await Inbox(services.db).open_items() == []


async def test_status_shows_the_parked_events(services: Services) -> None:
    dispatcher = dispatcher_with(services, FailingHook(failures=99))
    await dispatcher.accept([reaction()], "s1")
    await until_idle(dispatcher)
    status = Message(ROOM, "$s", COORDINATOR, "!status", 0)
    await dispatcher.handle_message(status)
    chat = services.chat
    assert isinstance(chat, FakeChat)
    text = chat.sent[-1].reply.text  # type: ignore[union-attr]
    assert "Zurückgestellte Ereignisse (nach mehreren Versuchen aufgegeben" in text
    assert text.split("werden nicht wiederholt): ")[1].startswith("1")


async def test_an_event_in_hand_is_not_started_twice(services: Services) -> None:
    """The replay at start and the first live sync can both bring the same open event."""
    hook = FailingHook(failures=0)
    dispatcher = dispatcher_with(services, hook)
    await dispatcher.accept([reaction()], "s1")
    await dispatcher.replay_open()
    await until_idle(dispatcher)
    assert hook.calls == 1
    assert await Inbox(services.db).open_items() == []
