"""From inbound events to handlers: the inbox, commands, hooks and error handling.

Events are stored in the inbox with the sync token (one transaction), then handled in
order per room. A command's replies carry keys derived from its event id, so a replay
after a crash is deduplicated by the sent-log and the homeserver.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from bot.events import (
    Inbound,
    MemberChange,
    Message,
    PollResponse,
    Reaction,
    Redaction,
    RoomUpgrade,
    Undecryptable,
    decode_inbound,
    encode_inbound,
)
from bot.matrix import MatrixConnection, MatrixError
from bot.metrics import Metrics
from bot.upgrades import RoomUpgrader
from commands.context import Context, Services
from commands.errors import CommandError, UsageError, UserError
from commands.knowledge import is_choice_reply
from commands.registry import CommandSpec, ParsedCommand, Permission, Registry, Scope
from commands.reply import Reply, ReplyBuilder, code, join
from storage.answers import AnswerChoices
from storage.core import ErrorEntry, ErrorLog, Inbox, UserSettings

log = logging.getLogger(__name__)

_COMMANDISH = re.compile(r"^\s*[!/]{1,2}[^\s!/]")
_FREE_QUESTION = "frage"
# The dead-letter rule: a failing event is tried this often (counted across restarts),
# with these pauses between the tries, then parked.
MAX_ATTEMPTS = 3
RETRY_DELAYS = (2.0, 10.0)
# A batch without events to act on moves the stored sync token at most this often: a
# restart then re-reads at most this much of nothing (the bot's own echoes, typing …)
# instead of every such batch costing a transaction.
TOKEN_ONLY_SAVE_SECONDS = 60.0


def new_ref() -> str:
    """A short reference id the user can quote to the coordinators."""
    return secrets.token_hex(4)


class FloodGuard:
    """Per-user and per-room command budgets (sliding window), with one polite note.

    A command counts against both budgets only when it is let through, so a throttled
    user does not use up the room's budget, and a busy room does not use up a user's.
    Idle keys are dropped, so memory stays bounded by the recent senders and rooms.
    """

    def __init__(
        self,
        user_limit: int,
        room_limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_limit = user_limit
        self.room_limit = room_limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}
        self._swept = clock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def check(self, user_id: str, room_id: str) -> tuple[bool, bool]:
        """(allowed, warn): warn is true once per window for a throttled user."""
        now = self._clock()
        if now - self._swept >= self.window:
            self._swept = now
            for key in list(self._hits):
                self._recent(key, now)
        budgets = ((f"u:{user_id}", self.user_limit), (f"r:{room_id}", self.room_limit))
        allowed = all(limit <= 0 or len(self._recent(k, now)) < limit for k, limit in budgets)
        if allowed:
            for key, limit in budgets:
                if limit > 0:
                    self._hits.setdefault(key, deque()).append(now)
            return True, False
        for user, at in list(self._warned.items()):
            if now - at > self.window:
                del self._warned[user]
        warn = user_id not in self._warned
        if warn:
            self._warned[user_id] = now
        return False, warn


class Dispatcher:
    """Receives batches from the sync loop and runs commands, hooks and errors."""

    def __init__(
        self,
        services: Services,
        registry: Registry,
        matrix: MatrixConnection,
        metrics: Metrics,
        flood: FloodGuard,
        upgrader: RoomUpgrader | None = None,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.services = services
        self.upgrader = upgrader
        self.registry = registry
        self.matrix = matrix
        self.metrics = metrics
        self.flood = flood
        self._inbox = Inbox(services.db)
        self._errors = ErrorLog(services.db)
        self._users = UserSettings(services.db)
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: set[str] = set()  # event ids being handled or waiting for a retry
        self.max_attempts = max_attempts
        self.retry_delays = retry_delays
        self._token_saved_at = -TOKEN_ONLY_SAVE_SECONDS

    # --- intake ------------------------------------------------------------------

    @staticmethod
    def _worth_storing(event: Inbound) -> bool:
        if isinstance(event, Message):
            return bool(event.body.strip())
        return True

    async def accept(self, events: list[Inbound], next_batch: str) -> None:
        """BatchSink for the sync loop: persist, then handle in the background."""
        wanted = [e for e in events if self._worth_storing(e) and e.event_id]
        rows = [(e.event_id, e.room_id, e.kind, encode_inbound(e)) for e in wanted]
        now = time.monotonic()
        if not rows and now - self._token_saved_at < TOKEN_ONLY_SAVE_SECONDS:
            return
        fresh = set(await self._inbox.accept(rows, next_batch))
        self._token_saved_at = now
        for event in wanted:
            if event.event_id in fresh:
                self.metrics.events.labels(event.kind).inc()
                self._spawn(event)

    async def replay_open(self) -> int:
        """Handle what a crash left unfinished in the inbox (parked events stay put)."""
        items = await self._inbox.open_items()
        for event_id, room_id, kind, payload in items:
            try:
                event = decode_inbound(kind, payload)
            except Exception as exc:  # stored by another version, or damaged
                ref = new_ref()
                log.error("event %s cannot be read back, parked [ref %s]: %r", event_id, ref, exc)
                await self._inbox.park(event_id, ref, f"unreadable: {exc!r}")
                await self._record_error(ref, room_id, None, kind, f"unreadable: {exc!r}")
                self.metrics.inbox_parked.inc()
                continue
            self._spawn(event)
        self.metrics.inbox_parked_now.set(await self._inbox.parked_count())
        return len(items)

    def _spawn(self, event: Inbound, delay: float = 0.0, *, retry: bool = False) -> None:
        # the replay at start and the first live sync may both bring an open event
        if event.event_id in self._pending and not retry:
            return
        self._pending.add(event.event_id)
        task = asyncio.create_task(self._process(event, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def _process(self, event: Inbound, delay: float = 0.0) -> None:
        retrying = False
        try:
            if delay:
                await asyncio.sleep(delay)
            if isinstance(event, Undecryptable):
                # outside the room's lock: a late key must not hold up the others' commands
                try:
                    resolved = await self.matrix.resolve_undecryptable(event)
                except MatrixError:
                    return  # stopping: left open in the inbox, decided at the next start
                if resolved is None:
                    await self._inbox.done(event.event_id)
                    return
                event = resolved
            retrying = await self._try(event)
        finally:
            if not retrying:
                self._pending.discard(event.event_id)

    async def _try(self, event: Inbound) -> bool:
        """One try of an event under its room's lock; the dead-letter rule decides what
        a failure means: try again later (bounded, counted across restarts) or park.
        Returns whether another try was scheduled."""
        lock = self._room_locks.setdefault(event.room_id, asyncio.Lock())
        async with lock:
            attempt = await self._inbox.begin_attempt(event.event_id)
            if attempt > self.max_attempts:
                # every allowed try began and none ended: they took the process down
                await self._park(event, attempt - 1, "no try finished (the bot stopped)")
                return False
            try:
                await self._handle(event)
            except MatrixError as exc:
                log.error("could not answer %s in %s: %s", event.event_id, event.room_id, exc)
                if exc.transient:
                    # an outage is not the event's fault: left open, tried at the next
                    # start, and this try does not count
                    await self._inbox.forgive_attempt(event.event_id)
                    return False
                # refused by the homeserver (e.g. no permission to post): retrying
                # would not help, so the event is closed
            except Exception as exc:
                if attempt >= self.max_attempts:
                    await self._park(event, attempt, repr(exc), exc)
                    return False
                delay = self.retry_delays[min(attempt, len(self.retry_delays)) - 1]
                log.warning(
                    "event %s failed (try %d of %d), again in %.0fs: %r",
                    event.event_id,
                    attempt,
                    self.max_attempts,
                    delay,
                    exc,
                )
                self.metrics.inbox_retries.inc()
                self._spawn(event, delay, retry=True)
                return True
            await self._inbox.done(event.event_id)
            return False

    async def _park(
        self, event: Inbound, attempts: int, error: str, exc: BaseException | None = None
    ) -> None:
        """The dead letter: one log line with a reference id, kept in the inbox (and the
        error log for !status), counted in /metrics, never replayed again."""
        ref = new_ref()
        log.error(
            "event %s in %s parked after %d tries [ref %s]: %s",
            event.event_id,
            event.room_id,
            attempts,
            ref,
            error,
            exc_info=exc,
        )
        await self._inbox.park(event.event_id, ref, error)
        await self._record_error(
            ref, event.room_id, getattr(event, "sender", None), event.kind, error
        )
        self.metrics.inbox_parked.inc()
        self.metrics.inbox_parked_now.inc()

    async def _handle(self, event: Inbound) -> None:
        if isinstance(event, Message):
            await self.handle_message(event)
        elif isinstance(event, Reaction):
            await self._run_hooks(
                "reaction",
                room_id=event.room_id,
                event_id=event.event_id,
                sender=event.sender,
                target=event.target,
                key=event.key,
            )
        elif isinstance(event, Redaction):
            await self._run_hooks(
                "redaction",
                room_id=event.room_id,
                event_id=event.event_id,
                sender=event.sender,
                redacts=event.redacts,
            )
        elif isinstance(event, MemberChange):
            if event.is_bot and event.membership in ("leave", "ban"):
                self.matrix.mark_left(event.room_id)
                await self._run_hooks(
                    "bot_removed",
                    room_id=event.room_id,
                    sender=event.sender,
                    membership=event.membership,
                )
            else:
                await self._run_hooks(
                    "member",
                    room_id=event.room_id,
                    user_id=event.user_id,
                    membership=event.membership,
                    previous=event.previous,
                    sender=event.sender,
                )
        elif isinstance(event, PollResponse):
            await self._run_hooks(
                "poll_response",
                room_id=event.room_id,
                event_id=event.event_id,
                sender=event.sender,
                poll_event_id=event.poll_event_id,
                answers=tuple(event.answers),
                timestamp_ms=event.timestamp_ms,
            )
        elif isinstance(event, Undecryptable):
            await self._tell_undecryptable(event)
        elif isinstance(event, RoomUpgrade):
            if self.upgrader is not None:
                await self.upgrader.handle(event)

    async def _tell_undecryptable(self, event: Undecryptable) -> None:
        """Tell the sender, once per key session, why the bot can't read them and what
        to do (a withheld key is a setting on their side; a missing one usually passes)."""
        self.metrics.decryption_failures.inc()
        lang = await self._language(event.sender, english=False)
        refused = event.withheld in ("m.unverified", "m.blacklisted", "m.unauthorised")
        text = self.services.catalog.get(
            "core.undecryptable_withheld" if refused else "core.undecryptable", lang
        )
        once = event.session_id or event.event_id
        await self.services.chat.send(
            event.room_id,
            Reply(text, mentions=[event.sender]),
            key=f"undecryptable:{event.room_id}:{event.sender}:{once}",
            reply_to=event.event_id,
        )

    async def _run_hooks(self, kind: str, **kwargs: object) -> None:
        for hook in self.registry.hooks.get(kind, []):
            await hook(self.services, **kwargs)

    # --- commands --------------------------------------------------------------------

    async def _language(self, user_id: str, *, english: bool) -> str:
        chosen = await self._users.language(user_id)
        if chosen:
            return chosen
        return "en" if english else self.services.network.language

    def _as_free_question(self, message: Message) -> ParsedCommand | None:
        if not (message.is_direct or message.mentions_bot):
            return None
        spec = self.registry.find(_FREE_QUESTION)
        if spec is None:
            return None
        # "koopbot: …" or "@koopbot:server …" in front of the question is the mention
        localpart = re.escape(self.services.chat.user_id.split(":", 1)[0].lstrip("@"))
        text = re.sub(rf"^\s*@?{localpart}\S*:?\s*", "", message.body, flags=re.IGNORECASE)
        # (no "@" inside the localpart: linear even for a body of 60,000 "@")
        text = re.sub(r"@[^\s:@]+:\S+", "", text).strip()
        return ParsedCommand(spec, spec.name, text, False) if text else None

    async def _as_choice(self, message: Message) -> ParsedCommand | None:
        """A bare ``1``-``3`` in a group room, from a member who was just offered
        "Meinst du …?" there: their pick, without a mention (anyone else's digits are
        ordinary chat)."""
        if message.is_direct or not is_choice_reply(message.body):
            return None
        if await AnswerChoices(self.services.db).current(message.room_id, message.sender) is None:
            return None
        spec = self.registry.find(_FREE_QUESTION)
        return ParsedCommand(spec, spec.name, message.body.strip(), False) if spec else None

    async def handle_message(self, message: Message) -> None:
        started = time.perf_counter()
        if message.is_direct and message.room_id in self.services.network.network_rooms():
            # a network room with only one member besides the bot is still a group room:
            # plain text there is no question, personal data goes to the direct chat
            message = dataclasses.replace(message, is_direct=False)
        parsed = self.registry.parse(message.body)
        if parsed is None and not _COMMANDISH.match(message.body):
            if message.is_direct and await self._dialog(message):
                return
            parsed = self._as_free_question(message) or await self._as_choice(message)
        if parsed is None:
            if message.is_direct and _COMMANDISH.match(message.body):
                lang = await self._language(message.sender, english=False)
                ctx = self._context(message, lang, "")
                await ctx.reply(ctx.t("core.unknown_command_direct"))
            return
        lang = await self._language(message.sender, english=parsed.english)
        ctx = self._context(message, lang, parsed.spec.name)
        allowed, warn = self.flood.check(message.sender, message.room_id)
        if not allowed:
            self.metrics.commands.labels(parsed.spec.name, "throttled").inc()
            if warn:
                await ctx.reply(ctx.t("core.cooldown"))
            return
        outcome = await self.run_command(ctx, parsed)
        elapsed = time.perf_counter() - started
        self.metrics.commands.labels(parsed.spec.name, outcome).inc()
        self.metrics.reply_latency.observe(elapsed)
        log.info(
            "command=%s outcome=%s room=%s event=%s ms=%.1f",
            parsed.spec.name.replace(" ", "_"),
            outcome,
            message.room_id,
            message.event_id,
            elapsed * 1000,
        )

    async def _dialog(self, message: Message) -> bool:
        """Plain direct-chat text goes first to ``dialog`` hooks (a running question
        dialog, e.g. the profile questions); a hook returns True when it took it."""
        hooks = self.registry.hooks.get("dialog", [])
        if not hooks:
            return False
        lang = await self._language(message.sender, english=False)
        ctx = self._context(message, lang, "dialog")
        for hook in hooks:
            if await hook(self.services, ctx=ctx):
                return True
        return False

    def _context(self, message: Message, lang: str, command: str) -> Context:
        return Context(
            services=self.services,
            sender=message.sender,
            room_id=message.room_id,
            event_id=message.event_id,
            thread_root=message.thread_root,
            is_direct=message.is_direct,
            lang=lang,
            body=message.body,
            command=command,
        )

    async def run_command(self, ctx: Context, parsed: ParsedCommand) -> str:
        """Check permission, bind arguments, run; returns the outcome label."""
        spec = parsed.spec
        try:
            if spec.scope is Scope.PERSONAL:
                ctx = await ctx.to_direct_chat()  # personal data never in a group room
            await self._check_permission(ctx, spec)
            kwargs = self.registry.bind(spec, parsed.raw_args, ctx.lang)
            await spec.handler(ctx, **kwargs)
            return "ok"
        except UsageError as exc:
            await ctx.reply(self._usage_reply(ctx, spec, exc))
            return "usage"
        except UserError as exc:
            await ctx.reply(ctx.t(exc.key, **exc.params))
            return "refused"
        except CommandError as exc:
            await ctx.reply(ctx.t(exc.key, **exc.params))
            return "refused"
        except MatrixError:
            raise
        except Exception as exc:
            ref = new_ref()
            log.exception(
                "command=%s outcome=error ref=%s room=%s event=%s",
                spec.name.replace(" ", "_"),
                ref,
                ctx.room_id,
                ctx.event_id,
            )
            await self._record_error(ref, ctx.room_id, ctx.sender, spec.name, repr(exc))
            await ctx.reply(ctx.t("core.internal_error", ref=ref))
            return "error"

    async def _check_permission(self, ctx: Context, spec: CommandSpec) -> None:
        if spec.permission is Permission.COORDINATOR and not ctx.is_coordinator:
            raise UserError("core.not_permitted_coordinator")
        if spec.permission is Permission.MODERATOR and not await ctx.is_moderator():
            raise UserError("core.not_permitted_moderator")

    @staticmethod
    def _usage_reply(ctx: Context, spec: CommandSpec, exc: UsageError) -> Reply:
        problem = ctx.t(exc.key, **exc.params)
        usage = spec.usage_line(ctx.lang)
        label = ctx.t("core.usage")
        examples: Iterable[str] = spec.examples[:2]
        example_label = ctx.t("core.examples")
        reply = ReplyBuilder(compact=True).line(problem).line(label, ": ", code(usage))
        if spec.examples:
            reply.line(example_label, ": ", join(" · ", map(code, examples)))
        return reply.build()

    async def _record_error(
        self,
        ref: str,
        room_id: str | None,
        sender: str | None,
        command: str | None,
        error: str = "",
    ) -> None:
        try:
            await self._errors.add(
                ErrorEntry(
                    ref, datetime.now(UTC).isoformat(), room_id, sender, command, error or "error"
                )
            )
        except Exception:  # the error log must never take the bot down
            log.exception("could not record error %s", ref)
