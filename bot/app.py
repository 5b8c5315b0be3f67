"""The composition root: builds every service from the settings and runs them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.dispatch import Dispatcher, FloodGuard, new_ref
from bot.matrix import MatrixConnection
from bot.metrics import Metrics
from bot.rooms import RoomProvisioner
from bot.scheduler import Scheduler
from bot.upgrades import RoomUpgrader
from bot.web import WebServer
from commands import COMMAND_MODULES
from commands.context import NetworkInfo, RoomInfo, Services
from commands.i18n import Catalog
from commands.meetings.calendar import personal_calendar
from commands.registry import Registry
from storage import DATABASE_FILE, Database
from storage.core import DirectRooms, Inbox, KeyValue
from storage.feedback import AnsweredQuestions
from storage.jobs import Jobs, SentLog
from storage.privacy import CalendarFeeds

log = logging.getLogger(__name__)
HOUSEKEEPING_EVERY = timedelta(hours=24)


def load_answers(settings: Settings) -> tuple[Any, Any]:
    """Curated content and its search index (None when the content package is absent)."""
    try:
        from content import ContentIndex, load_content
    except ImportError:
        return None, None
    content = load_content([Path(d) for d in settings.content.dirs])
    index = ContentIndex(content)
    if index.verifier is None:
        # the shipped content/data/verifier.yaml is missing or broken: answers then rest on
        # the threshold and the kind rules alone, which answer more near-misses
        log.warning("answer verifier not loaded: answering on threshold and rules alone")
    return content, index


def release_memory() -> None:
    """Hand memory freed after start-up (index building, migrations) back to the OS.

    Why: glibc keeps freed heap pages; trimming once keeps the idle footprint small.
    Then the objects that live as long as the process (modules, content index,
    registry: ~90,000) are frozen out of the cyclic GC, whose full collections would
    otherwise walk all of them (≈ 0.1 s a pass here) in the middle of a reply.
    """
    import ctypes
    import gc

    gc.collect()
    gc.freeze()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def topic_rooms(settings: Settings, content: Any) -> dict[str, str]:
    """Which configured room belongs to which content topic (same key or same name)."""
    if content is None:
        return {}
    from content import normalize

    mapping: dict[str, str] = {}
    for topic in content.topics:
        for room in settings.network.rooms:
            if room.key == topic.key or normalize(room.name) == normalize(topic.title):
                mapping[topic.key] = room.key
                break
    return mapping


def network_info(settings: Settings) -> NetworkInfo:
    network = settings.network
    return NetworkInfo(
        name=network.name,
        language=network.language,
        tz=network.tz,
        coordinators=tuple(network.coordinators),
        reminder_offsets=tuple(timedelta(seconds=s) for s in network.offset_seconds()),
        room_kinds={room.key: room.kind for room in network.rooms},
        intro_every_weeks=network.intro_every_weeks,
        digest_weekday=network.digest_weekday,
        digest_time=network.digest_time,
        state=network.state,
        series_skip_holidays=network.series_skip_holidays,
        web_url=settings.web.base_url if settings.web.enabled else "",
    )


class App:
    """One running koopbot: database, Matrix, scheduler, web server, dispatcher."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        storage_dir = Path(settings.storage.dir)
        self.db = Database(storage_dir / DATABASE_FILE)
        self.metrics = Metrics()
        self.started_at = datetime.now(UTC)
        self.matrix = MatrixConnection(
            settings.matrix,
            storage_dir / "matrix",
            sent_log=SentLog(self.db),
            direct_rooms=DirectRooms(self.db),
            on_sync_handled=self.metrics.sync_handling.observe,
            on_key_withheld=lambda code: self.metrics.keys_withheld.labels(code).inc(),
        )
        self.scheduler = Scheduler(Jobs(self.db), self.metrics)
        self.registry = Registry.from_modules(COMMAND_MODULES)
        self.services: Services | None = None
        self.dispatcher: Dispatcher | None = None
        self.web: WebServer | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self._housekeeping_task: asyncio.Task[None] | None = None

    # Runtime protocol (for !status) ------------------------------------------------

    def last_sync_at(self) -> datetime | None:
        last = self.matrix.health.last_ok
        if last is None:
            return None
        import time

        return datetime.now(UTC) - timedelta(seconds=time.monotonic() - last)

    def scheduled_jobs(self) -> int:
        return self.scheduler.scheduled()

    async def reload_rooms(self) -> None:
        assert self.services is not None
        await self.provisioner.load(self.services)

    async def rooms(self) -> list[RoomInfo]:
        assert self.services is not None
        keys = {room_id: key for key, room_id in self.services.network.room_ids.items()}
        kinds = self.services.network.room_kinds
        result = []
        for room_id in self.matrix.joined_rooms():
            members = len(await self.matrix.members(room_id))
            key = keys.get(room_id)
            result.append(
                RoomInfo(
                    room_id,
                    self.matrix.room_name(room_id),
                    members,
                    key,
                    kinds.get(key) if key else None,
                )
            )
        return sorted(result, key=lambda r: (r.key is None, r.name))

    # lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await self.db.open()
        content, answers = load_answers(self.settings)
        await self.matrix.login()
        self.services = Services(
            chat=self.matrix,
            db=self.db,
            scheduler=self.scheduler,
            network=network_info(self.settings),
            catalog=Catalog.load(),
            runtime=self,
            content=content,
            answers=answers,
            registry=self.registry,
        )
        self.services.network.topic_rooms = topic_rooms(self.settings, content)
        if answers is not None:  # the coordinators' answers (!antwort) are content too
            from commands.feedback import load_refused_questions
            from commands.knowledge import load_network_answers

            await load_network_answers(self.services)
            await load_refused_questions(self.services)  # answers members flagged (👎)
        # network rooms known from storage, before any event is handled
        self.provisioner = RoomProvisioner(self.settings, self.matrix, self.db)
        await self.provisioner.load(self.services)
        self.scheduler.bind(self.services, self.registry)
        network = self.settings.network
        self.upgrader = RoomUpgrader(self.matrix, self.db, self._room_moved)
        self.matrix.on_joined = self.upgrader.joined
        self.dispatcher = Dispatcher(
            self.services,
            self.registry,
            self.matrix,
            self.metrics,
            FloodGuard(
                network.flood_user_limit, network.flood_room_limit, network.flood_window_seconds
            ),
            self.upgrader,
        )
        if self.settings.web.enabled:
            token = self.settings.web.calendar_token
            self.web = WebServer(
                self.settings.web.host,
                self.settings.web.port,
                health=self.matrix.health,
                max_sync_age=self.settings.web.healthy_sync_age_seconds,
                metrics=self.metrics,
                calendar=self._calendar_source(),
                calendar_token=token.get_secret_value() if token else None,
                personal_calendar=self._personal_calendar,
            )
            try:
                await self.web.start()
            except OSError as exc:  # a busy port must not keep the bot from its rooms
                log.error("web server not started on %s: %s", self.settings.web.listen, exc)
                self.web = None
        next_batch = await KeyValue(self.db).get("next_batch")
        started_ms = int(self.started_at.timestamp() * 1000)
        self._sync_task = asyncio.create_task(
            self.matrix.run(self.dispatcher.accept, next_batch, started_ms=started_ms)
        )
        # creating rooms needs the sync loop (a new room appears through sync)
        await self.provisioner.provision(self.services)
        for hook in self.registry.hooks.get("startup", []):
            await hook(self.services)
        armed = await self.scheduler.start()
        replayed = await self.dispatcher.replay_open()
        await self._housekeep()
        self._housekeeping_task = asyncio.create_task(self._housekeep_daily())
        release_memory()
        log.info("koopbot started: %d jobs armed, %d events replayed", armed, replayed)

    async def _housekeep(self) -> None:
        """Drop what is kept only for a while: handled inbox events (7 days), the log of
        sent reminders (30 days), and answered questions (30 days, for a 👎)."""
        now = datetime.now(UTC)
        await Inbox(self.db).prune(now - timedelta(days=7))
        await SentLog(self.db).prune(now - timedelta(days=30))
        await AnsweredQuestions(self.db).prune(now)

    async def _housekeep_daily(self) -> None:
        """Housekeeping once a day: a bot that runs for months without a restart keeps
        answered questions 30 days all the same. A failure is logged and tried again the
        next day; it never stops the bot."""
        while True:
            await asyncio.sleep(HOUSEKEEPING_EVERY.total_seconds())
            try:
                await self._housekeep()
            except Exception:
                log.exception("housekeeping failed (ref %s)", new_ref())

    async def _room_moved(self, old_room_id: str, new_room_id: str) -> None:
        """After an upgraded room's data moved: refresh what is held in memory."""
        assert self.services is not None
        await self.provisioner.load(self.services)
        for hook in self.registry.hooks.get("room_moved", []):
            await hook(self.services, old_room_id=old_room_id, new_room_id=new_room_id)

    def _calendar_source(self) -> Any:
        hooks = self.registry.hooks.get("calendar", [])
        if not hooks:
            return None
        services = self.services

        async def source() -> bytes:
            result: Any = await hooks[0](services)
            return bytes(result)

        return source

    async def _personal_calendar(self, token: str) -> bytes | None:
        """A member's own feed, checked now (their rooms at this moment); None: no feed."""
        assert self.services is not None
        user_id = await CalendarFeeds(self.db).owner(token)
        if user_id is None:
            return None
        return await personal_calendar(self.services, user_id)

    async def wait(self) -> None:
        """Run until the sync loop ends (it only ends on a fatal error or stop)."""
        assert self._sync_task is not None
        await self._sync_task

    async def stop(self) -> None:
        if self._housekeeping_task is not None:
            self._housekeeping_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping_task
        self.scheduler.shutdown()
        await self.matrix.close()
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sync_task
        if self.dispatcher is not None:
            await self.dispatcher.drain()
        if self.web is not None:
            await self.web.stop()
        await self.db.close()
        import gc

        gc.unfreeze()  # what this bot kept alive may now be collected (tests run many)
